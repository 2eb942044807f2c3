"""Notices without any transport: write one (now or for later), publish it to its audience through the
outbox, take residents' receipts; on the clock, publish what is due and give each grid worker the
residents with care needs who have not confirmed.

Authorisation lives here: the committee and the street office of the community write its notices.
Publishing returns at once: the notice turns ``published`` (a conditional update, so that however many
workers run the clock, one publishes) with its fan-out job in the same transaction; the outbox workers
then turn its audience into outbox rows in batches (``handlers.notices.fanout``). Urgent notices go to the
head of the outbox's queue, routine ones after everything else waiting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import content
from bot.config import Settings
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.notices import audience, fanout, queries, receipt_queries
from handlers.notices.models import Notice, NoticeAudience, NoticeReceipt, NoticeStatus
from handlers.notices.queries import NoticeView, topic_of, view_of
from handlers.notices.receipt_queries import Unconfirmed
from handlers.register.grid_queries import grid_staff_for_building
from handlers.register.models import Care, Grid
from storage.db import once
from storage.models import Building, Person, Role, RoleName
from storage.outbox import URGENT, notify

FOLLOW_UP_LINES = 30  # residents named in one message to a grid worker
_settings = {"receipt_hours": 2.0}


def configure(settings: Settings) -> None:
    _settings["receipt_hours"] = settings.notices_receipt_hours
    fanout.configure(settings.notices_fanout_batch)


def default_receipt_hours() -> float:
    return _settings["receipt_hours"]


@dataclass(frozen=True)
class WriteNotice:
    community_id: int
    by: Person
    title: str
    text: str
    source_key: str
    link: str = ""
    audience: NoticeAudience = NoticeAudience.COMMUNITY
    targets: tuple[Any, ...] = ()
    urgent: bool = False
    publish_at: dt.datetime | None = None  # None: now
    receipt: bool = False
    receipt_hours: float | None = None  # None: the deployment's setting
    public: bool | None = None  # None: public when it is for the whole community


async def write(cmd: WriteNotice, now: dt.datetime) -> Notice:
    """Record the notice and, when its time has come, publish it at once. A delivery seen before (the
    same message, the same client key) is the notice it made."""
    return await once(Notice, cmd.source_key, lambda: _write(cmd, now))


async def _write(cmd: WriteNotice, now: dt.datetime) -> Notice:
    if not await queries.may_write(cmd.by, cmd.community_id):
        raise Refusal("notices.staff_only")
    title, text, link = cmd.title.strip(), cmd.text.strip(), cmd.link.strip()
    if not 2 <= len(title) <= 64:
        raise Refusal("notices.title_range")
    if not 2 <= len(text) <= 2000:
        raise Refusal("notices.text_range")
    if link and not link.startswith(("https://", "http://")):
        raise Refusal("notices.bad_link")
    targets = await _checked_targets(cmd.community_id, cmd.audience, cmd.targets)
    public = cmd.audience is NoticeAudience.COMMUNITY if cmd.public is None else cmd.public
    if public and cmd.audience is NoticeAudience.CARE:
        raise Refusal("notices.care_not_public")
    hours = cmd.receipt_hours if cmd.receipt_hours is not None else default_receipt_hours()
    if cmd.receipt and not 0.5 <= hours <= 72:
        raise Refusal("notices.receipt_hours_range")
    notice = await Notice.create(
        community_id=cmd.community_id,
        title=title,
        text=text,
        link=link,
        audience=cmd.audience,
        targets=targets,
        urgent=cmd.urgent,
        public=public,
        receipt=cmd.receipt,
        receipt_hours=hours if cmd.receipt else 0,
        publish_at=max(cmd.publish_at or now, now),
        created_by=cmd.by,
        source_key=cmd.source_key,
        created_at=now,
    )
    if notice.publish_at <= now:
        await publish(notice, now)
        notice = await Notice.get(id=notice.id)
    return notice


async def _checked_targets(community_id: int, kind: NoticeAudience, wanted: tuple[Any, ...]) -> list[Any]:
    """The targets, checked against the community (buildings and grids it has, roles and needs there are)."""
    if kind is NoticeAudience.COMMUNITY:
        return []
    if kind is NoticeAudience.CARE:
        needs = sorted({str(w) for w in wanted})
        if any(need not in {c.value for c in Care} for need in needs):
            raise Refusal("notices.bad_care")
        return needs
    if not wanted:
        raise Refusal("notices.targets_needed")
    if kind is NoticeAudience.ROLES:
        roles = sorted({str(w) for w in wanted})
        if any(role not in {r.value for r in RoleName} for role in roles):
            raise Refusal("notices.bad_role")
        return roles
    numbers = sorted({int(w) for w in wanted})
    if kind is NoticeAudience.BUILDINGS:
        known: list[Any] = await Building.filter(community_id=community_id, number__in=numbers).values_list(
            "number", flat=True
        )
        if missing := sorted(set(numbers) - {int(n) for n in known}):
            raise Refusal("notices.no_building", number=missing[0])
        return numbers
    grids: list[Any] = await Grid.filter(community_id=community_id, id__in=numbers).values_list(
        "id", flat=True
    )
    if set(numbers) - {int(g) for g in grids}:
        raise Refusal("notices.no_grid")
    return numbers


# -- publishing ------------------------------------------------------------------------------------------
async def publish(notice: Notice, now: dt.datetime) -> int:
    """Publish the notice, once (whichever worker or request is first), and start its fan-out: the outbox
    workers turn its audience into outbox rows in the background (``handlers.notices.fanout``); returns
    how many residents the audience reaches now (0 when it had been published already)."""
    reach = await audience.count(view_of(notice).target)
    async with in_transaction():
        if not await Notice.filter(id=notice.id, status=NoticeStatus.SCHEDULED).update(
            status=NoticeStatus.PUBLISHED, published_at=now, recipients=reach
        ):
            return 0
        await fanout.start(notice, now)
    return reach


async def publish_now(person: Person, notice_id: int, now: dt.datetime) -> Notice:
    """A scheduled notice published now rather than at its time, by the staff who write the community's
    notices; the notice as it is then (published already: as it was)."""
    n = await queries.for_staff(person, notice_id)
    notice = await Notice.get(id=n.id)
    if n.status is NoticeStatus.SCHEDULED:
        await Notice.filter(id=n.id, status=NoticeStatus.SCHEDULED).update(publish_at=now)
        await publish(notice, now)
    return await Notice.get(id=n.id)


async def publish_due(now: dt.datetime) -> int:
    """Publish every scheduled notice whose time has come; returns how many residents were sent one."""
    sent = 0
    for notice in await Notice.filter(status=NoticeStatus.SCHEDULED, publish_at__lte=now).order_by(
        "publish_at"
    ):
        sent += await publish(notice, now)
    return sent


# -- receipts --------------------------------------------------------------------------------------------
async def confirm(
    person: Person, said: str, now: dt.datetime, notice_id: int | None = None
) -> list[NoticeView]:
    """Record the person's receipt for the notices waiting for it (or for ``notice_id`` alone); returns
    those confirmed now (none when nothing waited)."""
    if notice_id is None:
        waiting = await queries.awaiting_receipt(person, now)
    else:
        n = await queries.readable(person, notice_id)
        if not n.receipt:
            raise Refusal("notices.no_receipt_asked")
        waiting = [n]
    confirmed = []
    for n in waiting:
        try:
            async with in_transaction():
                await NoticeReceipt.create(notice_id=n.id, person=person, said=said[:16], confirmed_at=now)
            confirmed.append(n)
        except IntegrityError:
            continue  # confirmed already (twice, or at once through the chat and the API)
    return confirmed


# -- the grid workers' list ------------------------------------------------------------------------------
async def follow_up(now: dt.datetime) -> int:
    """For every notice whose receipt time is over, once: tell the grid worker of each building (the
    committee, where a building has none) which of its residents with care needs have not confirmed.
    Returns how many staff were told."""
    told = 0
    expanding = await fanout.unfinished()
    for notice in await Notice.filter(receipt=True, status=NoticeStatus.PUBLISHED, followed_up_at=None):
        assert notice.published_at is not None
        if notice.id in expanding:
            continue  # not everyone has it yet: who has not confirmed is not known
        if notice.published_at + dt.timedelta(hours=notice.receipt_hours) > now:
            continue
        if not await Notice.filter(id=notice.id, followed_up_at=None).update(followed_up_at=now):
            continue  # another worker did it
        told += await _tell_grid_workers(view_of(notice), now)
    return told


async def _tell_grid_workers(n: NoticeView, now: dt.datetime) -> int:
    missing = await receipt_queries.unconfirmed_care(n)
    if not missing:
        return 0
    by_staff: dict[int, list[Unconfirmed]] = defaultdict(list)
    staff: dict[int, Person] = {}
    committee: list[Person] | None = None
    for building in sorted({u.building_id for u in missing}):
        workers = await grid_staff_for_building(building)
        if not workers:
            if committee is None:
                committee = await _committee(n.community_id)
            workers = committee
        for worker in workers:
            staff[worker.id] = worker
            by_staff[worker.id] += [u for u in missing if u.building_id == building]
    hours = receipt_time(n.receipt_hours)
    for person_id, residents in by_staff.items():
        lines = [_line(i, u) for i, u in enumerate(residents[:FOLLOW_UP_LINES], start=1)]
        if len(residents) > FOLLOW_UP_LINES:
            lines.append(content.text("notices.follow_up_more", count=len(residents) - FOLLOW_UP_LINES))
        await notify(
            staff[person_id],
            f"{topic_of(n.id)}:follow-up:{person_id}",
            content.text(
                "notices.follow_up", title=n.title, hours=hours, count=len(residents), lines="\n".join(lines)
            ),
            now=now,
            priority=URGENT,
            template="service_update",
            template_data={"title": n.title, "status": content.text("notices.follow_up_status")},
        )
    return len(by_staff)


def receipt_time(hours: float) -> str:
    """2 小时, 30 分钟."""
    if hours >= 1:
        return formats.hours(hours)
    return content.text("notices.minutes", minutes=round(hours * 60))


def _line(index: int, u: Unconfirmed) -> str:
    care = "、".join(u.care)
    phone = u.phone or content.text("notices.no_phone")
    not_on = "" if u.on_wechat else content.text("notices.not_on_wechat")
    return (
        content.text("notices.follow_up_line", n=index, name=u.name, home=u.home, care=care, phone=phone)
        + not_on
    )


async def _committee(community_id: int) -> list[Person]:
    ids = await Role.filter(community_id=community_id, role=RoleName.COMMITTEE).values_list(
        "person_id", flat=True
    )
    return list(await Person.filter(id__in=list(ids)).order_by("id"))


async def sweep(now: dt.datetime) -> int:
    """The periodic round: publish what is due, then the grid workers' lists whose time has come."""
    return await publish_due(now) + await follow_up(now)
