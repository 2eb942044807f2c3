"""Fixed data for the figures' tests: tickets with chosen times, ratings and reopens in buildings of two
grids, wishes, service records, consultations and residents' messages, in the demo's 幸福里社区 (and one of
each kind in 和平村, the street office's other community). tests/integration/test_figures.py counts them by
hand; the e2e test opens every figure's link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.common import workflow as messages
from handlers.figures.period import Period
from handlers.register.models import Grid, GridBuilding
from handlers.repairs.models import Ticket, TicketStatus
from handlers.votes.models import Consultation, ConsultationStatus
from handlers.votes.tally import TallyResult
from handlers.wishes.models import ServiceRecord, Wish, WishStatus
from storage.models import Building, Community, Person

S = TicketStatus
CST = dt.timezone(dt.timedelta(hours=8))
H = dt.timedelta(hours=1)
PERIOD = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 1))  # October and November
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=CST)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


async def ticket(
    key: str,
    created: dt.datetime,
    category: str,
    building: Building | None,
    status: TicketStatus,
    *,
    community: Community | None = None,
    assignee: Person | None = None,
    accepted: float | None = None,  # hours after created
    resolved: float | None = None,
    closed: float | None = None,
    rating: int | None = None,
    reopens: int = 0,
    resolve_within: float = 24,
) -> Ticket:
    """A ticket answered within 4 hours and resolved within ``resolve_within`` (24) hours, or late."""
    community = community or await Community.get(code="xingfuli")
    reporter, _ = await Person.get_or_create(openid="figures-reporter", defaults={"name": "报修人"})

    def after(hours: float | None) -> dt.datetime | None:
        return None if hours is None else created + hours * H

    return await Ticket.create(
        community=community,
        reporter=reporter,
        kind="repair",
        category=category,
        description=f"工单 {key}",
        building=building,
        status=status,
        handler_role="property_staff",
        assignee=assignee,
        source_key=f"figures:{key}",
        created_at=created,
        respond_by=created + 4 * H,
        resolve_by=created + resolve_within * H,
        accepted_at=after(accepted),
        resolved_at=after(resolved),
        closed_at=after(closed),
        rating=rating,
        reopen_count=reopens,
    )


async def build() -> dict[str, Any]:
    """Everything the figures count; returns the people and rows the tests refer to."""
    home = await Community.get(code="xingfuli")
    village = await Community.get(code="hepingcun")
    b = {n: await Building.get(community=home, number=n) for n in (1, 2, 3, 4)}
    g1 = await Grid.create(community=home, code="G1", name="第一网格")
    g2 = await Grid.create(community=home, code="G2", name="第二网格")
    for grid, number in ((g1, 1), (g1, 2), (g2, 3)):  # building 4 is in no grid
        await GridBuilding.create(grid=grid, building=b[number])
    wang = await Person.get(openid="demo-property")  # 王师傅
    chen = await Person.get(openid="demo-mediator")  # 陈调解
    zhou = await Person.get(openid="demo-hp-committee")

    # -- tickets: A to I in the period, X before it, Y just after it, Z in the village -----------------------
    none = None
    # fmt: off
    rows = [  # key, received, category, building, status, assignee, answered, resolved, closed (hours), stars
        ("A", at(10, 10), "lighting", b[1], S.CLOSED, wang, 2, 20, 30, 5),
        ("B", at(10, 20), "lighting", b[2], S.CLOSED, wang, 5, 30, 40, 3),
        ("C", at(11, 1, 0, 30), "lift", b[3], S.RESOLVED, wang, 1, 10, none, none),  # reopened once
        ("D", at(11, 5), "noise", b[4], S.IN_PROGRESS, chen, 3, none, none, none),
        ("E", at(11, 10), "lighting", none, S.SUBMITTED, none, none, none, none, none),
        ("F", at(11, 12), "lift", b[1], S.REJECTED, none, none, none, 1, none),
        ("G", at(11, 15), "lighting", b[3], S.REOPENED, wang, 2, none, none, none),  # reopened once
        ("H", at(11, 20), "noise", b[2], S.CLOSED, chen, 1, 6, 8, 4),
        ("I", at(11, 30, 10), "lighting", b[1], S.IN_PROGRESS, wang, 1, none, none, none),  # 72 hours
        ("X", at(9, 30, 23, 30), "lighting", b[1], S.SUBMITTED, none, none, none, none, none),
        ("Y", at(12, 1, 0, 0), "lighting", b[1], S.SUBMITTED, none, none, none, none, none),
        ("Z", at(11, 3), "lighting", none, S.CLOSED, zhou, 1, 5, 6, 2),  # in 和平村
    ]
    # fmt: on
    for key, created, category, building, status, assignee, answered, resolved, closed, stars in rows:
        await ticket(
            key,
            created,
            category,
            building,
            status,
            community=village if key == "Z" else home,
            assignee=assignee,
            accepted=answered,
            resolved=resolved,
            closed=closed,
            rating=stars,
            reopens=1 if key in ("C", "G") else 0,
            resolve_within=72 if key == "I" else 24,
        )

    # -- wishes and the service record ----------------------------------------------------------------------
    resident, _ = await Person.get_or_create(
        openid="figures-resident", defaults={"name": "许奶奶", "community": home}
    )

    async def wish(key: str, created: dt.datetime, status: WishStatus, days: float | None = None,
                   community: Community = home) -> Wish:  # fmt: skip
        fulfilled = None if days is None else created + days * 24 * H
        return await Wish.create(
            community=community,
            resident=resident,
            category="escort",
            description=f"心愿 {key}",
            public_text=f"心愿 {key}",
            status=status,
            source_key=f"figures:wish:{key}",
            created_at=created,
            fulfilled_at=fulfilled,
            confirmed_at=fulfilled + H if fulfilled else None,
        )

    w1 = await wish("W1", at(10, 5), WishStatus.CONFIRMED, days=3)
    w2 = await wish("W2", at(11, 2), WishStatus.CONFIRMED, days=2)
    await wish("W3", at(11, 10), WishStatus.OPEN)
    await wish("W4", at(11, 11), WishStatus.DECLINED)
    w5 = await wish("W5", at(9, 20), WishStatus.CONFIRMED, days=12)
    w6 = await wish("W6", at(8, 1), WishStatus.CONFIRMED, days=100, community=village)
    zhao = await Person.get(openid="demo-volunteer")  # 赵阿姨
    li, _ = await Person.get_or_create(openid="figures-volunteer", defaults={"name": "小李"})

    async def served(wish: Wish, who: Person, day: dt.date, hours: float) -> None:
        await ServiceRecord.create(
            community_id=wish.community_id,
            volunteer=who,
            volunteer_name=who.name,
            wish=wish,
            activity="陪同就医",
            served_on=day,
            hours=hours,
            points=int(hours * 10),
            confirmed_as="resident",
            created_at=NOW,
        )

    await served(w1, zhao, dt.date(2026, 10, 8), 2.0)
    await served(w1, li, dt.date(2026, 10, 8), 1.5)
    await served(w2, zhao, dt.date(2026, 11, 3), 3.0)
    await served(w5, zhao, dt.date(2026, 9, 30), 5.0)  # before the period
    await served(w6, zhao, dt.date(2026, 11, 20), 1.0)  # in the village

    # -- consultations: the result as the tally publishes it at the close -------------------------------
    async def consultation(title: str, closed: dt.datetime, eligible: int, turnout: int, status: str) -> None:
        result = TallyResult(
            eligible=eligible,
            turnout=turnout,
            turnout_share=round(turnout / eligible, 4),
            quorum=0.5,
            quorum_met=turnout / eligible >= 0.5,
            rule="majority",
            options=(),
            ballots=turnout,
            proxy_ballots=0,
            passed=turnout / eligible >= 0.5,
            winner=0 if turnout / eligible >= 0.5 else None,
            digest="-",
        )
        await Consultation.create(
            community=home,
            title=title,
            options=["同意", "不同意"],
            opens_at=closed - 72 * H,
            closes_at=closed,
            status=ConsultationStatus(status),
            created_at=closed - 72 * H,
            closed_at=closed if status == "closed" else None,
            result=result.to_json() if status == "closed" else None,
        )

    await consultation("加装电梯", at(11, 15), 40, 30, "closed")
    await consultation("停车收费", at(10, 20), 20, 5, "closed")
    await consultation("改造花园", at(11, 18), 30, 0, "cancelled")
    await consultation("垃圾分类", at(9, 30), 50, 50, "closed")  # before the period

    # -- residents' messages, left and answered through the workflow ----------------------------------------
    committee = await Person.get(openid="demo-committee")
    for left, wait in ((at(11, 2), 2), (at(11, 3), 24), (at(11, 5), 6), (at(11, 6), None), (at(9, 15), 1)):
        number = await messages.record_message(resident, "楼下的路灯什么时候修？", left)
        if wait is not None:
            await messages.answer(int(number[1:]), committee, "已经安排师傅了，谢谢您。", left + wait * H)
    return {"wang": wang, "chen": chen, "zhao": zhao, "li": li, "grids": (g1, g2), "buildings": b}
