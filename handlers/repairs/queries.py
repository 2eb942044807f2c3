"""Every read of tickets the chat and the API need: who may see what (decided here, once), the list
filters, "overdue", and views built in batch (a page of N tickets is a constant number of statements)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

import content
from bot.api.core import Binary
from handlers.common.photos import kept_photo
from handlers.common.rules import Refusal
from handlers.register import grid_queries as grids
from handlers.repairs.categories import HANDLER_ROLES, Category, categories
from handlers.repairs.filters import TicketFilter, filtered, overdue_filter
from handlers.repairs.models import (
    OPEN_STATUSES,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketPhoto,
    TicketStatus,
)
from nlp.slots import Address
from storage.models import OVERSEERS, STAFF_ROLES, Building, Person, RoleName
from storage.pages import PageSlice, page_slice
from storage.roles import roles_of

__all__ = [
    "OPEN_STATUSES",
    "Contact",
    "RoleName",
    "Seen",
    "TicketFilter",
    "TicketStatus",
    "TicketView",
    "filtered",
    "overdue_filter",
]

DUPLICATE_WINDOW = dt.timedelta(days=3)
NEAR_METRES = 100.0
POOL_ROLES = frozenset(HANDLER_ROLES.values())  # the roles a ticket's pool can be


def status_label(status: TicketStatus | str) -> str:
    return content.text(f"repairs.status.{TicketStatus(status).value}")


# -- who may see what ---------------------------------------------------------------------------------
# The one rule, for a row and as a query: the committee sees every ticket of its community, and so does
# the street office in each of its communities; a handler (property staff, mediator) the tickets in the
# pool of a role they hold there, and those assigned to them; a grid worker the tickets of their grid's
# buildings (whoever handles them), and the grid workers' tickets that no grid took (no building, or a
# building whose grid has no worker: the pool); the reporter their own; a follower the ones they follow.
# Contact details go to the staff who see it as staff only. Nobody else learns the ticket exists.
GRID = RoleName.GRID_WORKER


def handles(roles: Iterable[RoleName], ticket: Ticket) -> bool:
    """Holds what acting on the ticket as its handler takes: the committee or the street office, or the
    pool's role (in the ticket's community: ``roles`` are the person's roles there). ``may_handle`` adds
    the grid's scope."""
    held = set(roles)
    return bool(held & OVERSEERS) or RoleName(ticket.handler_role) in held


async def may_handle(roles: Iterable[RoleName], person_id: int, ticket: Ticket) -> bool:
    """May act on the ticket as its handler: holds the role and sees the ticket (a grid worker does not
    act on another grid's tickets)."""
    held = set(roles)
    return handles(held, ticket) and await sees_as_staff(held, person_id, ticket)


async def sees_as_staff(roles: Iterable[RoleName], person_id: int, ticket: Ticket) -> bool:
    held = set(roles)
    if held & OVERSEERS or ticket.assignee_id == person_id:
        return True
    if ticket.handler_role != GRID and RoleName(ticket.handler_role) in held:
        return True
    if GRID not in held:
        return False
    if await grids.in_own_grid(person_id, ticket.community_id, ticket.building_id):
        return True
    return ticket.handler_role == GRID and not await grids.routed_to_a_grid(
        ticket.community_id, ticket.building_id
    )


def staff_scope(roles: Iterable[RoleName], person_id: int, community_id: int) -> Q:
    """``sees_as_staff`` as a filter on the tickets of ``community_id`` (where the roles are held)."""
    held = set(roles)
    if held & OVERSEERS:
        return Q()
    scope = Q(assignee_id=person_id)
    pools = [r.value for r in held & POOL_ROLES if r is not GRID]
    if pools:
        scope |= Q(handler_role__in=pools)
    if GRID in held:
        mine = Subquery(grids.buildings_of_staff(person_id, community_id))
        taken = Subquery(grids.staffed_buildings(community_id))
        pool = Q(building_id=None) | ~Q(building_id__in=taken)
        scope |= Q(building_id__in=mine) | (Q(handler_role=GRID.value) & pool)
    return scope


@dataclass(frozen=True)
class Seen:
    """A ticket a person may see, and whether as staff (then with the reporter's contact)."""

    ticket: Ticket
    as_staff: bool


async def seen_by(person: Person, ticket_id: int) -> Seen:
    """The ticket as ``person`` may see it; ``repairs.no_such_ticket`` when they may not (or it is not)."""
    ticket = await Ticket.get_or_none(id=ticket_id)
    if ticket is None:
        raise _no_such_ticket()
    if await sees_as_staff(await roles_of(person, ticket.community_id), person.id, ticket):
        return Seen(ticket, True)
    if ticket.reporter_id == person.id or await TicketFollower.exists(ticket=ticket, person=person):
        return Seen(ticket, False)
    raise _no_such_ticket()


def _no_such_ticket() -> Refusal:
    return Refusal("repairs.no_such_ticket")


async def staff_roles(person: Person, community_id: int | None) -> set[RoleName] | None:
    """The person's staff roles in the community; None when they hold none there."""
    if community_id is None:
        return None
    roles = await roles_of(person, community_id) & STAFF_ROLES
    return roles or None


# -- views --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    kind: str
    category: str
    category_label: str
    description: str
    place: str
    status: TicketStatus
    status_label: str
    overdue: bool
    created_at: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime
    outcome_note: str
    rating: int | None
    reporter: Contact | None
    filed_for: str  # 代报: the resident a grid worker filed it for
    handler_role: str = ""  # the pool it is in
    assignee_id: int | None = None
    assignee: str = ""  # the handler's name (staff views only)


@dataclass(frozen=True)
class EventView:
    action: str
    from_status: str
    to_status: str
    note: str
    at: dt.datetime
    actor: str = ""  # who took the step (staff views only): their name


@dataclass(frozen=True)
class TicketDetailView:
    ticket: TicketView
    events: list[EventView]
    photos: list[int]


def is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    if ticket.status in (TicketStatus.SUBMITTED, TicketStatus.REOPENED) and now > ticket.respond_by:
        return True
    return ticket.status in OPEN_STATUSES and now > ticket.resolve_by


def _place(ticket: Ticket, buildings: dict[int, str]) -> str:
    if ticket.place:
        return ticket.place
    if ticket.building_id is None or ticket.building_id not in buildings:
        return content.text("repairs.place_unknown")
    unit = f"{ticket.unit}单元" if ticket.unit else ""
    return f"{buildings[ticket.building_id]}{unit}"


async def _building_numbers(tickets: Sequence[Ticket]) -> dict[int, str]:
    """Each ticket's building as residents write it (3栋, A座, 3组)."""
    ids = {t.building_id for t in tickets if not t.place and t.building_id is not None}
    if not ids:
        return {}
    return {b.id: b.label for b in await Building.filter(id__in=ids)}


async def describe_place(ticket: Ticket) -> str:
    return _place(ticket, await _building_numbers([ticket]))


async def views(tickets: Sequence[Ticket], now: dt.datetime, *, with_contact: bool) -> list[TicketView]:
    """The tickets as people see them: at most two statements (buildings; reporters and handlers) whatever
    their number."""
    buildings = await _building_numbers(tickets)
    contacts: dict[int, Contact] = {}
    if with_contact and tickets:
        people = {t.reporter_id for t in tickets} | {t.assignee_id for t in tickets if t.assignee_id}
        rows = await Person.filter(id__in=people).values_list("id", "name", "phone")
        contacts = {pid: Contact(name=name, phone=phone) for pid, name, phone in rows}
    return [
        TicketView(
            id=t.id,
            number=t.number,
            kind=t.kind,
            category=t.category,
            category_label=categories()[t.category].label,
            description=t.description,
            place=_place(t, buildings),
            status=t.status,
            status_label=status_label(t.status),
            overdue=is_overdue(t, now),
            created_at=t.created_at,
            respond_by=t.respond_by,
            resolve_by=t.resolve_by,
            outcome_note=t.outcome_note,
            rating=t.rating,
            reporter=contacts.get(t.reporter_id) if with_contact else None,
            filed_for=t.filed_for,
            handler_role=t.handler_role,
            assignee_id=t.assignee_id if with_contact else None,
            assignee=_name(contacts, t.assignee_id) if with_contact else "",
        )
        for t in tickets
    ]


def _name(contacts: dict[int, Contact], person_id: int | None) -> str:
    found = contacts.get(person_id) if person_id is not None else None
    return found.name if found is not None else ""


async def view(seen: Seen, now: dt.datetime) -> TicketView:
    return (await views([seen.ticket], now, with_contact=seen.as_staff))[0]


async def detail(seen: Seen, now: dt.datetime) -> TicketDetailView:
    events = await TicketEvent.filter(ticket_id=seen.ticket.id).order_by("id")
    photos = (
        await TicketPhoto.filter(ticket_id=seen.ticket.id)
        .exclude(data=None)
        .order_by("id")
        .values_list("id", flat=True)
    )
    actors: dict[int, str] = {}
    if seen.as_staff:
        ids = {e.actor_id for e in events if e.actor_id is not None}
        actors = dict(await Person.filter(id__in=ids).values_list("id", "name")) if ids else {}
    return TicketDetailView(
        ticket=await view(seen, now),
        events=[
            EventView(
                e.action,
                e.from_status,
                e.to_status,
                e.note,
                e.created_at,
                actors.get(e.actor_id, "") if e.actor_id is not None else "",
            )
            for e in events
        ],
        photos=[int(str(p)) for p in photos],
    )


# -- lists ----------------------------------------------------------------------------------------------
async def community_page(
    person: Person,
    community_id: int,
    roles: Iterable[RoleName],
    filters: TicketFilter,
    page: int,
    per_page: int,
    now: dt.datetime,
) -> PageSlice[TicketView]:
    """The community's tickets the staff member sees as staff (``roles``: theirs there), filtered, soonest
    due first, with the reporters' contacts: four statements whatever the page size."""
    query = filtered(
        Ticket.filter(staff_scope(roles, person.id, community_id), community_id=community_id), filters, now
    )
    listed = await page_slice(query, page, per_page, "resolve_by", "id")
    return PageSlice(await views(listed.rows, now, with_contact=True), page, per_page, listed.total)


async def mine_page(person: Person, page: int, per_page: int, now: dt.datetime) -> PageSlice[TicketView]:
    """The person's own tickets, newest first (no contact block for oneself)."""
    listed = await page_slice(Ticket.filter(reporter=person), page, per_page, "-created_at", "-id")
    return PageSlice(await views(listed.rows, now, with_contact=False), page, per_page, listed.total)


async def staff_pool(person: Person, now: dt.datetime, limit: int = 10) -> list[TicketView] | None:
    """The chat's "工单": the open tickets of the person's community they see as staff, soonest due
    first; None when they are not staff there."""
    roles = await staff_roles(person, person.community_id)
    if roles is None or person.community_id is None:
        return None
    query = Ticket.filter(
        staff_scope(roles, person.id, person.community_id),
        community_id=person.community_id,
        status__in=OPEN_STATUSES,
    )
    return await views(await query.order_by("resolve_by", "id").limit(limit), now, with_contact=False)


async def my_latest(person: Person, now: dt.datetime, limit: int = 5) -> list[TicketView]:
    """The person's newest tickets: reported, or followed (a neighbour's report of the same problem)."""
    followed = Subquery(TicketFollower.filter(person=person).values("ticket_id"))
    mine = Q(reporter=person) | Q(id__in=followed)
    rows = await Ticket.filter(mine).order_by("-created_at", "-id").limit(limit)
    return await views(rows, now, with_contact=False)


async def latest_resolved(person: Person) -> Ticket | None:
    """The person's ticket resolved last: what 评价 and 没修好 are about."""
    return await Ticket.filter(reporter=person, status=TicketStatus.RESOLVED).order_by("-resolved_at").first()


async def resolved_of(person: Person, limit: int = 9) -> list[Ticket]:
    """The person's tickets waiting for them to say whether they are fixed, resolved last first: what
    没修好 may be about."""
    waiting = Ticket.filter(reporter=person, status=TicketStatus.RESOLVED)
    return await waiting.order_by("-resolved_at", "-id").limit(limit)


async def latest_open(person: Person) -> Ticket | None:
    """The person's newest open ticket: what 催办 is about."""
    return await Ticket.filter(reporter=person, status__in=OPEN_STATUSES).order_by("-created_at").first()


async def building_written(community_id: int | None, address: Address) -> Building | None:
    """The building an address names: by its number (3栋, 3#楼) or its letter (A座)."""
    if community_id is None:
        return None
    if address.letter is not None:
        named = await Building.filter(community_id=community_id, name__istartswith=address.letter)
        return next((b for b in named if b.letter == address.letter), None)
    return await building_numbered(community_id, address.building)


async def building_by_id(building_id: int) -> Building | None:
    return await Building.get_or_none(id=building_id)


async def building_numbered(community_id: int | None, number: int | None) -> Building | None:
    if community_id is None or number is None:
        return None
    return await Building.get_or_none(community_id=community_id, number=number)


async def photo(seen: Seen, photo_id: int) -> Binary:
    """A photo kept with the ticket (``api.no_photo``, a 404, when it is not, or not yet)."""
    return await kept_photo(TicketPhoto, photo_id, ticket_id=seen.ticket.id)


async def likely_duplicates(
    community_id: int,
    category: Category,
    building_id: int | None,
    now: dt.datetime,
    near: tuple[float | None, float | None] = (None, None),
) -> list[Ticket]:
    """Open tickets of the same category of the last days: in the same building; or, for a shared
    location, within ``NEAR_METRES`` of it; or, when neither is known, anywhere in the community."""
    query = Ticket.filter(
        community_id=community_id,
        category=category.key,
        status__in=OPEN_STATUSES,
        created_at__gte=now - DUPLICATE_WINDOW,
    )
    if building_id is not None:
        query = query.filter(building_id=building_id)
    found = await query.order_by("-created_at").limit(20)
    lat, lng = near
    if building_id is None and lat is not None and lng is not None:
        found = [
            t
            for t in found
            if t.latitude is not None
            and t.longitude is not None
            and _metres((lat, lng), (t.latitude, t.longitude)) <= NEAR_METRES
        ]
    return found[:3]


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), plenty precise at a neighbourhood's scale."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))
