"""The staff's lists of tickets (the console's tickets page and its export): the filters the page offers,
the order (the overdue first), and the choices its forms show. Visibility is ``queries.staff_scope``,
the rule of the chat and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tortoise.expressions import Case, When
from tortoise.queryset import QuerySet

import content
from handlers.register import grid_queries as grids
from handlers.repairs.categories import HANDLER_ROLES, categories
from handlers.repairs.models import OPEN_STATUSES, Ticket, TicketStatus
from handlers.repairs.queries import (
    TicketFilter,
    TicketView,
    filtered,
    overdue_filter,
    staff_scope,
    views,
)
from handlers.residents.queries import role_label
from storage.models import Building, Person, Role, RoleName
from storage.pages import PageSlice, page_slice

EXPORT_LIMIT = 10_000  # rows in one workbook: a community's several years
SORTS = {
    "due": ("resolve_by", "id"),  # the deadline nearest first
    "new": ("-created_at", "-id"),
    "old": ("created_at", "id"),
}


def _ranked(
    person: Person, community_id: int, roles: Iterable[RoleName], filters: TicketFilter, now: dt.datetime
) -> QuerySet[Ticket]:
    """The tickets the staff member sees as staff there, filtered, ranked: overdue 0, open 1, the rest 2."""
    seen = Ticket.filter(staff_scope(roles, person.id, community_id), community_id=community_id)
    return _in_rank(seen, filters, now)


def _in_rank(seen: QuerySet[Ticket], filters: TicketFilter, now: dt.datetime) -> QuerySet[Ticket]:
    return filtered(seen, filters, now).annotate(
        rank=Case(When(overdue_filter(now), then="0"), When(status__in=OPEN_STATUSES, then="1"), default="2")
    )


async def ticket_page(
    person: Person,
    community_id: int,
    roles: Iterable[RoleName],
    filters: TicketFilter,
    sort: str,
    page: int,
    per_page: int,
    now: dt.datetime,
) -> PageSlice[TicketView]:
    """A page of the list: the overdue first, then the open ones, then the rest, each in ``sort`` order;
    four statements whatever the page size."""
    query = _ranked(person, community_id, roles, filters, now)
    listed = await page_slice(query, page, per_page, "rank", *SORTS.get(sort, SORTS["due"]))
    return PageSlice(await views(listed.rows, now, with_contact=True), page, per_page, listed.total)


async def ticket_rows(
    person: Person,
    community_id: int,
    roles: Iterable[RoleName],
    filters: TicketFilter,
    sort: str,
    now: dt.datetime,
) -> list[TicketView]:
    """The whole list in the page's order (the export): three statements."""
    query = _ranked(person, community_id, roles, filters, now)
    rows = await query.order_by("rank", *SORTS.get(sort, SORTS["due"])).limit(EXPORT_LIMIT)
    return await views(rows, now, with_contact=True)


# -- a street office's: every ticket of its communities (it oversees them all) -----------------------------
StreetTicket = tuple[int, TicketView]  # the community's id, the ticket


async def _with_community(rows: Sequence[Ticket], now: dt.datetime) -> list[StreetTicket]:
    seen = await views(rows, now, with_contact=True)
    return [(t.community_id, view) for t, view in zip(rows, seen, strict=True)]


async def street_ticket_page(
    community_ids: Sequence[int],
    filters: TicketFilter,
    sort: str,
    page: int,
    per_page: int,
    now: dt.datetime,
) -> PageSlice[StreetTicket]:
    """A page of the tickets of the communities, in the community list's order: four statements."""
    query = _in_rank(Ticket.filter(community_id__in=list(community_ids)), filters, now)
    listed = await page_slice(query, page, per_page, "rank", *SORTS.get(sort, SORTS["due"]))
    return PageSlice(await _with_community(listed.rows, now), page, per_page, listed.total)


async def street_ticket_rows(
    community_ids: Sequence[int], filters: TicketFilter, sort: str, now: dt.datetime
) -> list[StreetTicket]:
    """The whole list in the page's order (the export): three statements."""
    query = _in_rank(Ticket.filter(community_id__in=list(community_ids)), filters, now)
    rows = await query.order_by("rank", *SORTS.get(sort, SORTS["due"])).limit(EXPORT_LIMIT)
    return await _with_community(rows, now)


# -- what the forms offer ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choices:
    statuses: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    buildings: list[tuple[int, str]]  # number, label
    grids: list[tuple[int, str]]
    handlers: list[tuple[int, str]]  # person id, name (and role)
    roles: list[tuple[str, str]]  # the pools: role, label


async def choices(community_id: int) -> Choices:
    """The values of the tickets page's filters and forms: four statements."""
    buildings = await Building.filter(community_id=community_id).order_by("number")
    staff = await handlers_of(community_id)
    return Choices(
        statuses=[(s.value, staff_status(s)) for s in TicketStatus],
        categories=[(c.key, c.label) for c in categories().values() if c.role is not None],
        buildings=[(b.number, b.label) for b in buildings],
        grids=await grids.grid_names(community_id),
        handlers=staff,
        roles=pools(),
    )


def staff_status(status: TicketStatus | str) -> str:
    """A status as staff read it (residents read ``queries.status_label``: 已处理，待您确认)."""
    return content.text(f"repairs.console_status.{TicketStatus(status).value}")


def pools() -> list[tuple[str, str]]:
    """The roles a ticket's pool can be: (role, label)."""
    return [(r.value, role_label(r)) for r in HANDLER_ROLES.values()]


_HANDLING = [*(r.value for r in HANDLER_ROLES.values()), RoleName.COMMITTEE.value]


async def colleague(community_id: int, person_id: int) -> Person | None:
    """The person, when tickets there can be handed to them (a handler's role or the committee)."""
    found = Person.filter(id=person_id, roles__community_id=community_id, roles__role__in=_HANDLING)
    return await found.first()


async def handlers_of(community_id: int) -> list[tuple[int, str]]:
    """Who tickets can be handed to there: the handlers' roles and the committee, each person once, with
    their roles."""
    rows = await Role.filter(community_id=community_id, role__in=_HANDLING).select_related("person")
    held: dict[int, tuple[str, list[str]]] = {}
    for row in rows:
        _, labels = held.setdefault(row.person_id, (row.person.name or f"#{row.person_id}", []))
        labels.append(role_label(row.role))
    return sorted(
        ((pid, f"{name}（{'、'.join(labels)}）") for pid, (name, labels) in held.items()), key=lambda x: x[1]
    )
