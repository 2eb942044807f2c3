"""What common's chat and API read: residents' messages for staff, a community named by a QR scene."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.queryset import QuerySet

from handlers.common import formats
from handlers.common.rules import Refusal
from storage.models import Community, Person, StaffMessage
from storage.pages import PageSlice, page_slice


@dataclass(frozen=True)
class MessageView:
    id: int
    number: str  # H0012
    text: str
    status: str
    answer: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, row: StaffMessage) -> MessageView:
        return cls(row.id, number_of(row.id), row.text, row.status, row.answer, row.created_at)


@dataclass(frozen=True)
class MessagePage:
    rows: list[MessageView]
    meta: dict[str, int] = field(default_factory=dict)  # page, per_page, total


def number_of(message_id: int) -> str:
    return f"H{message_id:04d}"


def id_of(number: str) -> int:
    """H0012 -> 12."""
    return int(number.lstrip("Hh"))


async def messages_of(community: Community, status: str | None, page: int, per_page: int) -> MessagePage:
    """A community's messages for staff, oldest first (those waiting longest lead): two statements."""
    query = StaffMessage.filter(community=community)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query, page, per_page, "created_at", "id")
    return MessagePage([MessageView.of(m) for m in listed.rows], listed.meta)


async def open_messages(community_id: int | None, limit: int) -> tuple[int, list[MessageView]]:
    """(how many messages wait for an answer, the ``limit`` oldest of them)."""
    query = StaffMessage.filter(community_id=community_id, status="open")
    rows = await query.order_by("created_at", "id").limit(limit)
    return await query.count(), [MessageView.of(m) for m in rows]


async def community_by_code(code: str) -> Community | None:
    """The community of a QR scene or a link; anything that cannot be a code (WeChat's own event keys,
    such as last_trade_no_..., are longer) is none."""
    if not code or len(code) > Community._meta.fields_map["code"].max_length:  # type: ignore[attr-defined]
        return None
    return await Community.get_or_none(code=code)


# -- the staff console's messages page ------------------------------------------------------------------
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class MessageRow:
    """A message with who left it, as the staff who answer it read it (their name, phone and home)."""

    message: MessageView
    name: str
    phone: str
    home: str


def _of(community_id: int, status: str) -> QuerySet[StaffMessage]:
    query = StaffMessage.filter(community_id=community_id)
    return query.filter(status=status) if status else query


def _order(status: str) -> tuple[str, ...]:
    """Those waiting for an answer, the longest waiting first; the answered ones, the newest first."""
    return ("created_at", "id") if status == "open" else ("-created_at", "-id")


async def _rows(messages: list[StaffMessage]) -> list[MessageRow]:
    """Each with its resident: two statements whatever their number."""
    ids = {m.person_id for m in messages}
    people = (
        {p.id: p for p in await Person.filter(id__in=ids).select_related("home__building")} if ids else {}
    )
    rows = []
    for m in messages:
        person = people.get(m.person_id)
        home = person.home if person is not None else None
        rows.append(
            MessageRow(
                MessageView.of(m),
                (person.name if person else "") or "",
                (person.phone if person else "") or "",
                formats.home(home.building.label, home.unit, home.room) if home is not None else "",
            )
        )
    return rows


async def message_rows_page(
    community_id: int,
    status: str,
    page: int,
    per_page: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> PageSlice[MessageRow]:
    """A page of a community's messages for staff with who left them (left in [since, until) when
    given): four statements."""
    query = _of_street([community_id], status, since, until)
    listed = await page_slice(query, page, per_page, *_order(status))
    return PageSlice(await _rows(listed.rows), page, per_page, listed.total)


async def message_rows(
    community_id: int, status: str, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[MessageRow]:
    """The whole filtered list in the page's order (the export)."""
    query = _of_street([community_id], status, since, until)
    return await _rows(await query.order_by(*_order(status)).limit(EXPORT_LIMIT))


# -- a street office's: its communities' messages, read only ------------------------------------------------
StreetMessage = tuple[int | None, MessageRow]  # the community's id, the message


def _of_street(
    community_ids: Sequence[int], status: str, since: dt.datetime | None, until: dt.datetime | None
) -> QuerySet[StaffMessage]:
    query = StaffMessage.filter(community_id__in=list(community_ids))
    if status:
        query = query.filter(status=status)
    if since is not None:
        query = query.filter(created_at__gte=since)
    return query.filter(created_at__lt=until) if until is not None else query


async def _street_rows(messages: list[StaffMessage]) -> list[StreetMessage]:
    rows = await _rows(messages)
    return [(m.community_id, row) for m, row in zip(messages, rows, strict=True)]


async def street_message_page(
    community_ids: Sequence[int],
    status: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    page: int,
    per_page: int,
) -> PageSlice[StreetMessage]:
    """A page of the messages left in a street office's communities, in the community page's order (left
    in ``since`` to ``until``): three statements."""
    query = _of_street(community_ids, status, since, until)
    listed = await page_slice(query, page, per_page, *_order(status))
    return PageSlice(await _street_rows(listed.rows), page, per_page, listed.total)


async def street_message_rows(
    community_ids: Sequence[int], status: str, since: dt.datetime | None, until: dt.datetime | None
) -> list[StreetMessage]:
    """The whole filtered list in the page's order (the export): two statements."""
    query = _of_street(community_ids, status, since, until).order_by(*_order(status)).limit(EXPORT_LIMIT)
    return await _street_rows(await query)


async def message_of(community_id: int, message_id: int) -> MessageView:
    """The community's message; else not found (a message of another community is not this page's)."""
    found = await StaffMessage.get_or_none(id=message_id, community_id=community_id)
    if found is None:
        raise Refusal("common.no_such_message")
    return MessageView.of(found)
