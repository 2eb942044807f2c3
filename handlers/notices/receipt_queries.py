"""Who a notice reached and who confirmed it, for the staff who wrote it, and the residents with care needs
who have not confirmed it (for their grid worker to call or visit). Read in a constant number of
statements, whatever the size of the audience: the list of people is paged.

Care needs are read here for the committee, the street office and the grid workers only (the callers
check): never shown to other residents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.notices import audience
from handlers.notices.audience import CaredFor
from handlers.notices.models import Notice, NoticeReceipt, NoticeStatus
from handlers.notices.queries import Figures, NoticeView, care_label, figures, topic_of, view_of
from handlers.register.grid_queries import buildings_of_staff
from storage.models import OVERSEERS, Building, Notification, Person, RoleName
from storage.pages import page_slice
from storage.roles import roles_of


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    home: str
    status: str  # the outbox's: pending, sending, sent, failed, undeliverable, unknown
    channel: str  # custom or template, once sent
    confirmed_at: dt.datetime | None


@dataclass(frozen=True)
class Unconfirmed:
    """A resident with care needs who has not confirmed the notice (or is not on WeChat at all)."""

    name: str
    home: str
    phone: str
    care: list[str]
    on_wechat: bool
    building_id: int


@dataclass(frozen=True)
class Receipts:
    figures: Figures
    people: list[Recipient]
    page: int
    per_page: int
    total: int
    unconfirmed_care: list[Unconfirmed]


async def receipts(n: NoticeView, page: int, per_page: int) -> Receipts:
    """The notice's delivery figures, a page of the people it was sent to (with what became of it and
    whether they confirmed) and every resident with care needs it concerns who has not confirmed."""
    listed = await page_slice(
        Notification.filter(topic=topic_of(n.id)).select_related("person__home__building"),
        page,
        per_page,
        "id",
    )
    ids = [note.person_id for note in listed.rows]
    confirmed = dict(
        await NoticeReceipt.filter(notice_id=n.id, person_id__in=ids).values_list("person_id", "confirmed_at")
    )
    people = []
    for note in listed.rows:
        person = note.person
        home = person.home
        people.append(
            Recipient(
                person_id=person.id,
                name=person.name,
                home=formats.home(home.building.label, home.unit, home.room) if home else "",
                status=str(note.status),
                channel=note.channel,
                confirmed_at=confirmed.get(person.id),
            )
        )
    return Receipts(
        figures=(await figures([n.id]))[n.id],
        people=people,
        page=listed.page,
        per_page=listed.per_page,
        total=listed.total,
        unconfirmed_care=await unconfirmed_care(n),
    )


async def unconfirmed_care(n: NoticeView) -> list[Unconfirmed]:
    """The residents with care needs the notice concerns who have not confirmed it: four statements."""
    sent: list[Any] = await Notification.filter(topic=topic_of(n.id)).values_list("person_id", flat=True)
    given: list[Any] = await NoticeReceipt.filter(notice_id=n.id).values_list("person_id", flat=True)
    sent_to, confirmed = {int(i) for i in sent}, {int(i) for i in given}
    cared = [
        c
        for c in await audience.cared_for(n.target, sent_to)
        if c.person_id is None or c.person_id not in confirmed
    ]
    buildings = {
        int(bid): str(name or f"{number}栋")
        for bid, name, number in await Building.filter(
            id__in=sorted({c.building_id for c in cared})
        ).values_list("id", "name", "number")
    }
    return [_unconfirmed(c, buildings.get(c.building_id, ""), sent_to) for c in cared]


def _unconfirmed(c: CaredFor, building: str, sent_to: set[int]) -> Unconfirmed:
    return Unconfirmed(
        name=c.name,
        home=formats.home(building, c.unit, c.room),
        phone=c.phone,
        care=[care_label(need) for need in c.care],
        on_wechat=c.person_id is not None and c.person_id in sent_to,
        building_id=c.building_id,
    )


# -- the residents to call or visit, as each staff member may see them ------------------------------------
FOLLOW_UP_NOTICES = 10  # the most recent notices asking for a receipt that the list looks at


@dataclass(frozen=True)
class FollowUp:
    """A notice asking for a receipt, and those of its residents with care needs who have not confirmed it
    that the reader is to call or visit."""

    notice: NoticeView
    residents: list[Unconfirmed]


async def follows_up(person: Person, community_id: int) -> bool:
    """Calls or visits the residents who have not confirmed: the committee and the street office (every
    one), grid workers (those of their grids)."""
    return bool(await roles_of(person, community_id) & (OVERSEERS | {RoleName.GRID_WORKER}))


async def follow_ups(person: Person, community_id: int, limit: int = FOLLOW_UP_NOTICES) -> list[FollowUp]:
    """The community's most recent published notices asking for a receipt, each with its residents with
    care needs who have not confirmed it: every one for the committee and the street office, a grid
    worker's own grids' for a grid worker; Refusal for anyone else. Five statements a notice, at most
    ``limit`` notices."""
    held = await roles_of(person, community_id)
    if not held & (OVERSEERS | {RoleName.GRID_WORKER}):
        raise Refusal("notices.staff_only")
    mine: set[int] | None = None  # None: every building
    if not held & OVERSEERS:
        rows: list[Any] = await buildings_of_staff(person.id, community_id)
        mine = {int(r["building_id"]) for r in rows}
    notices = (
        await Notice.filter(community_id=community_id, receipt=True, status=NoticeStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .limit(limit)
    )
    found = []
    for notice in notices:
        view = view_of(notice)
        missing = await unconfirmed_care(view)
        found.append(FollowUp(view, [u for u in missing if mine is None or u.building_id in mine]))
    return found
