"""The street office's lists behind its figures: the tickets, wishes, service record, consultations and
residents' messages of every community of the street office in one list each (``/console/s/<street>/...``),
with the community lists' filters (what a figure's link carries), a community column and filter, paged,
in the community lists' order and exported as Excel with the filters applied. Read only: every row opens
in its community's own pages, where the work is done, when the reader may open that page there.

Who: the people who work for the street office (the console's rule for a ``{street}`` page), and of its
communities only those where they hold the street office's role. Each list is a handful of statements
whatever its length: the reader's roles, the communities, the page (a count and the rows) and its views.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered
from bot.console.export import Cell, xlsx_response
from handlers.common import queries as message_queries
from handlers.figures import queries
from handlers.repairs import staff_queries as ticket_queries
from handlers.repairs.categories import categories
from handlers.repairs.console import export_row as ticket_cells
from handlers.repairs.console import read_filters as ticket_filters
from handlers.repairs.filters import FLAGS, NONE
from handlers.repairs.models import TicketStatus
from handlers.residents.queries import role_label
from handlers.votes import queries as vote_queries
from handlers.votes import staff_queries as vote_lists
from handlers.wishes import staff_queries as wish_queries
from handlers.wishes.rules import rules
from handlers.wishes.workflow import status_label as wish_status
from storage.models import STAFF_ROLES, Community, RoleName
from storage.pages import PageSlice
from storage.roles import MESSAGE_ANSWERERS

pages = Pages("street_lists")
PER_PAGE = 30
STREET = "/s/{street}"
# who may open a row's own page in its community (the rule of that page: ``allow`` of tickets.detail,
# wishes.detail, votes.detail, messages.list), by the roles held there; checked against those rules in
# tests/e2e/test_console_street_lists.py
OPENS: dict[str, frozenset[RoleName]] = {
    "tickets.detail": STAFF_ROLES,
    "wishes.detail": frozenset({RoleName.COMMITTEE}),
    "votes.detail": frozenset({RoleName.COMMITTEE}),
    "messages.list": MESSAGE_ANSWERERS,
}


def words(key: str, **values: Any) -> Any:
    """A word of content/street_lists.yaml (``tickets.title``), formatted when values are given."""
    found: Any = content.load_yaml("street_lists.yaml")
    for part in key.split("."):
        found = found[part]
    return found.format(**values) if values else found


# -- where the reader reads ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    """The street office's communities the reader works for (by name), the one chosen (or all), and the
    reader's roles in each: two statements."""

    communities: dict[int, Community]
    roles: Mapping[int, set[RoleName]]
    chosen: str  # a community's code, or "" for all of them

    @property
    def ids(self) -> list[int]:
        if self.chosen:
            return [c.id for c in self.communities.values() if c.code == self.chosen]
        return list(self.communities)

    def code(self, community_id: int | None) -> str:
        found = self.communities.get(community_id) if community_id is not None else None
        return found.code if found is not None else ""

    def name(self, community_id: int | None) -> str:
        found = self.communities.get(community_id) if community_id is not None else None
        return found.name if found is not None else ""

    def may_open(self, page: str, community_id: int | None) -> bool:
        held = self.roles.get(community_id, set()) if community_id is not None else set()
        return bool(held & OPENS[page])


async def _place(call: ConsoleRequest) -> Place:
    assert call.street is not None
    found, roles = await queries.street_roles(call.person, call.street)
    communities = {c.id: c for c in found}
    chosen = call.query.get("community", "")
    if chosen and chosen not in {c.code for c in communities.values()}:
        raise ConsoleError(400, "console.bad_parameter", name="community")
    return Place(communities, roles, chosen)


def _period(call: ConsoleRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from`` and ``to`` (days, both included) as [since, until)."""
    since, last = call.day("from"), call.day("to")
    if since is not None and last is not None and since > last:
        raise ConsoleError(400, "console.bad_parameter", name="to")
    return since, last + dt.timedelta(days=1) if last is not None else None


# -- a list as the page and the workbook show it -----------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """A row: its community's name, its cells (the page's and the workbook's), the address of its own page
    in its community's console ("" when the reader may not open it) and whether it is flagged (overdue)."""

    community: str
    cells: tuple[Cell, ...]
    link: str = ""
    warn: bool = False


@dataclass(frozen=True)
class Kept:
    """A condition the page was opened with (a figure's), shown as a ticked box to untick."""

    name: str
    value: str
    label: str


@dataclass
class Listing:
    kind: str  # tickets, wishes, records, consultations, messages (its words in content/street_lists.yaml)
    page: str  # its page's name
    export: str
    given: dict[str, str]
    statuses: list[tuple[str, str]] = field(default_factory=list)  # the status select ("": all)
    categories: list[tuple[str, str]] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    sorts: list[tuple[str, str]] = field(default_factory=list)
    search: str = ""  # a text filter's parameter (the volunteer's name)
    summary: list[tuple[Any, str]] = field(default_factory=list)  # totals: value, what


def _show(value: Cell) -> str:
    """A cell as the page shows it (the workbook keeps its type)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


async def _render(
    call: ConsoleRequest, listing: Listing, place: Place, listed: PageSlice[Any], lines: list[Line]
) -> Rendered:
    given = {k: v for k, v in listing.given.items() if v}
    return Rendered(
        "figures/street_list.html",
        {
            "l": listing,
            "w": lambda key, **values: words(f"{listing.kind}.{key}", **values),
            "note": words(listing.kind).get("order", ""),
            "tabs": await call.tabs(*WISH_TABS) if listing.page in WISH_TABS else [],
            "words": words,
            "headers": [words("community"), *words(f"{listing.kind}.headers")],
            "lines": lines,
            "listed": listed,
            "show": _show,
            "given": defaultdict(str, given),  # the template reads the filters not given as ""
            "communities": [(c.code, c.name) for c in place.communities.values()],
            "linked": any(line.link for line in lines),
            "unlinked": any(not line.link for line in lines),
            **call.paged(listing.page, listed.total, PER_PAGE, given, export=listing.export),
        },
    )


def _export(call: ConsoleRequest, kind: str, lines: Iterable[Line], given: Mapping[str, str]) -> web.Response:
    assert call.street is not None
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items() if v)
    sheet = words(f"{kind}.sheet")
    return xlsx_response(
        sheet,
        [words("community"), *words(f"{kind}.headers")],
        ((line.community, *line.cells) for line in lines),
        filename=f"{call.street.name}-{sheet}-{call.now():%Y%m%d}.xlsx",
    )


# -- tickets ------------------------------------------------------------------------------------------------
async def _ticket_kept(given: Mapping[str, str]) -> list[Kept]:
    """The ticket conditions without a control of their own on this page: the flags, the grid, the handler,
    the building and the pool (a figure's row links with them); a name looked up when one is given."""
    kept = [
        Kept(flag, "1", words(f"tickets.kept.{flag}")) for flag in FLAGS if given.get(flag) in ("1", "true")
    ]
    grid, handler = given.get("grid", ""), given.get("handler", "")
    if grid == NONE:
        kept.append(Kept("grid", grid, words("tickets.no_grid")))
    elif grid:
        kept.append(
            Kept("grid", grid, words("tickets.grid", name=await queries.grid_name(int(grid)) or grid))
        )
    if handler == NONE:
        kept.append(Kept("handler", handler, words("tickets.no_handler")))
    elif handler:
        name = await queries.person_name(int(handler)) or f"#{handler}"
        kept.append(Kept("handler", handler, words("tickets.handler", name=name)))
    if building := given.get("building", ""):
        label = (
            words("tickets.no_building") if building == NONE else words("tickets.building", number=building)
        )
        kept.append(Kept("building", building, label))
    if role := given.get("role", ""):
        kept.append(Kept("role", role, words("tickets.role", name=role_label(role))))
    return kept


def _ticket_line(place: Place, call: ConsoleRequest, community_id: int, view: Any) -> Line:
    link = ""
    if place.may_open("tickets.detail", community_id):
        link = call.url("tickets.detail", community=place.code(community_id), ticket_id=view.id)
    return Line(place.name(community_id), ticket_cells(view), link, view.overdue)


async def _tickets(call: ConsoleRequest) -> tuple[Listing, Place, Any, str]:
    place = await _place(call)
    filters, sort, given = ticket_filters(call)
    given = {**given, "community": place.chosen}
    statuses = [(k, words(f"tickets.statuses.{k}")) for k in ("open", "done")]
    statuses += [(s.value, ticket_queries.staff_status(s)) for s in TicketStatus]
    listing = Listing(
        "tickets",
        "street.tickets",
        "street.tickets_export",
        given,
        statuses=statuses,
        categories=[(c.key, c.label) for c in categories().values() if c.role is not None],
        kept=await _ticket_kept(given),
        sorts=[(k, words(f"tickets.sorts.{k}")) for k in ticket_queries.SORTS],
    )
    return listing, place, filters, sort


@pages.get(STREET + "/tickets", "street.tickets", nav="console.nav.tickets", nav_order=20)
async def tickets(call: ConsoleRequest) -> Rendered:
    listing, place, filters, sort = await _tickets(call)
    page = call.number("page") or 1
    listed = await ticket_queries.street_ticket_page(place.ids, filters, sort, page, PER_PAGE, call.now())
    lines = [_ticket_line(place, call, cid, view) for cid, view in listed.rows]
    return await _render(call, listing, place, listed, lines)


@pages.get(STREET + "/tickets/export", "street.tickets_export", audit=True, title="repairs.console_exported")
async def tickets_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters, sort = await _tickets(call)
    rows = await ticket_queries.street_ticket_rows(place.ids, filters, sort, call.now())
    return _export(call, "tickets", (_ticket_line(place, call, cid, v) for cid, v in rows), listing.given)


# -- wishes -------------------------------------------------------------------------------------------------
WISH_TABS = ("street.wishes", "street.records")  # as the community's wishes pages: its tabs
WISH_STATUSES = ("submitted", "changes", "open", "claimed", "fulfilled", "confirmed", "declined", "withdrawn")


def _wish_status(value: str) -> str:
    return wish_status(value, resident=False)


async def _wishes(call: ConsoleRequest) -> tuple[Listing, Place, wish_queries.WishFilter]:
    place = await _place(call)
    status = call.choice("status", [*WISH_STATUSES, "all"])
    category = call.choice("category", rules().categories)
    since, until = _period(call)
    given = call.given("status", "category", "from", "to") | {"community": place.chosen}
    filters = wish_queries.WishFilter(
        status="" if status == "all" else status, category=category, since=since, until=until
    )
    listing = Listing(
        "wishes",
        "street.wishes",
        "street.wishes_export",
        given,
        statuses=[(s, _wish_status(s)) for s in WISH_STATUSES],
        categories=wish_queries.categories(),
    )
    return listing, place, filters


def _wish_line(place: Place, call: ConsoleRequest, view: Any) -> Line:
    wish, claim = view.wish, view.claim
    active = claim is not None and claim.active
    cells = (
        wish.number,
        rules().label(wish.category),
        wish.public_text,
        _wish_status(wish.status),
        (claim.team or claim.claimer) if active else "",
        wish.wanted_by,
        wish.created_at,
        wish.fulfilled_at,
    )
    link = ""
    if place.may_open("wishes.detail", wish.community_id):
        link = call.url("wishes.detail", community=place.code(wish.community_id), wish_id=wish.id)
    return Line(place.name(wish.community_id), cells, link)


@pages.get(
    STREET + "/wishes",
    "street.wishes",
    nav="console.nav.wishes",
    nav_order=30,
    tab="wishes.console_tab.list",
)
async def wishes(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _wishes(call)
    page = call.number("page") or 1
    listed = await wish_queries.street_wish_page(call.person, place.ids, filters, page, PER_PAGE)
    return await _render(call, listing, place, listed, [_wish_line(place, call, v) for v in listed.rows])


@pages.get(STREET + "/wishes/export", "street.wishes_export", audit=True, title="wishes.console_exported")
async def wishes_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _wishes(call)
    rows = await wish_queries.street_wish_rows(call.person, place.ids, filters)
    return _export(call, "wishes", (_wish_line(place, call, v) for v in rows), listing.given)


# -- the service record -------------------------------------------------------------------------------------
async def _records(call: ConsoleRequest) -> tuple[Listing, Place, wish_queries.RecordFilter]:
    place = await _place(call)
    since, until = _period(call)
    given = call.given("volunteer", "from", "to") | {"community": place.chosen}
    volunteer = given.get("volunteer", "").strip()[:32]
    last = until - dt.timedelta(days=1) if until is not None else None
    filters = wish_queries.RecordFilter(
        volunteer, since.date() if since else None, last.date() if last else None
    )
    listing = Listing("records", "street.records", "street.records_export", given, search="volunteer")
    return listing, place, filters


def _record_line(place: Place, call: ConsoleRequest, row: wish_queries.StreetRecord) -> Line:
    community_id, wish_id, r = row
    cells = (
        r.id,
        r.volunteer,
        r.team,
        r.wish_number or r.activity_number,
        r.activity,
        r.served_on,
        r.hours,
        r.points,
        content.text(f"wishes.confirmed_as.{r.confirmed_as}"),
    )
    link = ""
    if wish_id is not None and place.may_open("wishes.detail", community_id):
        link = call.url("wishes.detail", community=place.code(community_id), wish_id=wish_id)
    return Line(place.name(community_id), cells, link)


@pages.get(STREET + "/service-records", "street.records", tab="wishes.console_tab.records")
async def records(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _records(call)
    page = call.number("page") or 1
    listed, totals = await wish_queries.street_record_page(place.ids, filters, page, PER_PAGE)
    listing.summary = [
        (getattr(totals, key), words(f"records.totals.{key}"))
        for key in ("records", "volunteers", "hours", "points")
    ]
    return await _render(call, listing, place, listed, [_record_line(place, call, r) for r in listed.rows])


@pages.get(
    STREET + "/service-records/export",
    "street.records_export",
    audit=True,
    title="wishes.console_records_exported",
)
async def records_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _records(call)
    rows = await wish_queries.street_record_rows(place.ids, filters)
    return _export(call, "records", (_record_line(place, call, r) for r in rows), listing.given)


# -- consultations -----------------------------------------------------------------------------------------
CONSULTATION_STATUSES = ("open", "closed", "cancelled")


async def _consultations(call: ConsoleRequest) -> tuple[Listing, Place, vote_lists.StreetFilter]:
    place = await _place(call)
    status = call.choice("status", CONSULTATION_STATUSES)
    since, until = _period(call)
    given = call.given("status", "from", "to") | {"community": place.chosen}
    listing = Listing(
        "consultations",
        "street.consultations",
        "street.consultations_export",
        given,
        statuses=[(s, words(f"consultations.statuses.{s}")) for s in CONSULTATION_STATUSES],
    )
    return listing, place, vote_lists.StreetFilter(status, since, until)


def _consultation_line(place: Place, call: ConsoleRequest, item: vote_lists.Listed) -> Line:
    c = item.consultation
    closed = c.status == vote_queries.ConsultationStatus.CLOSED
    cells = (
        c.number,
        c.title,
        vote_queries.describe_scope(c),
        content.text(f"votes.per.{c.per.value}"),
        c.opens_at,
        c.closes_at,
        c.closed_at,
        vote_queries.status_label(c, call.now()),
        item.turnout,
        item.eligible,
        vote_queries.describe_outcome(c) if closed else "",
    )
    link = ""
    if place.may_open("votes.detail", c.community_id):
        link = call.url("votes.detail", community=place.code(c.community_id), consultation_id=c.id)
    return Line(place.name(c.community_id), cells, link)


@pages.get(STREET + "/consultations", "street.consultations", nav="console.nav.consultations", nav_order=40)
async def consultations(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _consultations(call)
    page = call.number("page") or 1
    listed = await vote_lists.street_consultation_page(place.ids, filters, page, PER_PAGE)
    return await _render(
        call, listing, place, listed, [_consultation_line(place, call, i) for i in listed.rows]
    )


@pages.get(
    STREET + "/consultations/export",
    "street.consultations_export",
    audit=True,
    title="votes.console_exported",
)
async def consultations_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _consultations(call)
    rows = await vote_lists.street_consultation_rows(place.ids, filters)
    return _export(call, "consultations", (_consultation_line(place, call, i) for i in rows), listing.given)


# -- residents' messages -----------------------------------------------------------------------------------
MESSAGE_STATUSES = ("open", "answered")


def _message_status(value: str) -> str:
    return content.text(f"common.console_status.{value}")


async def _messages(call: ConsoleRequest) -> tuple[Listing, Place, str, Any]:
    place = await _place(call)
    status = call.choice("status", [*MESSAGE_STATUSES, "all"])
    period = _period(call)
    given = call.given("status", "from", "to") | {"community": place.chosen}
    listing = Listing(
        "messages",
        "street.messages",
        "street.messages_export",
        given,
        statuses=[(s, _message_status(s)) for s in MESSAGE_STATUSES],
    )
    return listing, place, "" if status == "all" else status, period


def _message_line(place: Place, call: ConsoleRequest, row: message_queries.StreetMessage) -> Line:
    community_id, r = row
    m = r.message
    cells = (
        m.number,
        r.name,
        r.phone,
        r.home,
        m.text,
        _message_status(m.status),
        m.answer or "",
        m.created_at,
    )
    link = ""
    if place.may_open("messages.list", community_id):  # no page of its own: its community's list, at it
        query = {"status": m.status}
        link = call.url("messages.list", query=query, community=place.code(community_id)) + f"#message-{m.id}"
    return Line(place.name(community_id), cells, link, m.status == "open")


@pages.get(STREET + "/messages", "street.messages", nav="console.nav.messages", nav_order=50)
async def messages(call: ConsoleRequest) -> Rendered:
    listing, place, status, (since, until) = await _messages(call)
    page = call.number("page") or 1
    listed = await message_queries.street_message_page(place.ids, status, since, until, page, PER_PAGE)
    return await _render(call, listing, place, listed, [_message_line(place, call, r) for r in listed.rows])


@pages.get(STREET + "/messages/export", "street.messages_export", audit=True, title="common.console_exported")
async def messages_export(call: ConsoleRequest) -> web.Response:
    listing, place, status, (since, until) = await _messages(call)
    rows = await message_queries.street_message_rows(place.ids, status, since, until)
    return _export(call, "messages", (_message_line(place, call, r) for r in rows), listing.given)
