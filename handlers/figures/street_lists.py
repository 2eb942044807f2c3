"""The street office's lists behind its figures: the tickets, wishes, service record, consultations and
residents' messages of every community of the street office in one list each (``/console/s/<street>/...``),
with the community lists' filters (what a figure's link carries), a community column and filter, paged,
in the community lists' order and exported as Excel with the filters applied. Read only: every row opens
in its community's own pages, where the work is done, when the reader may open that page there.

Who: the people who work for the street office (the console's rule for a ``{street}`` page), and of its
communities only those where they hold the street office's role. Each list is a handful of statements
whatever its length: the reader's roles, the communities, the page (a count and the rows) and its views.

This module is what the lists share (who reads where, a list's rows as the page and the workbook show them);
the pages are ``street_tickets`` and ``street_pages``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Rendered
from bot.console.export import Cell, xlsx_response
from handlers.figures import queries
from storage.models import STAFF_ROLES, Community, RoleName
from storage.pages import PageSlice
from storage.roles import MESSAGE_ANSWERERS

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


async def place_of(call: ConsoleRequest) -> Place:
    assert call.street is not None
    found, roles = await queries.street_roles(call.person, call.street)
    communities = {c.id: c for c in found}
    chosen = call.query.get("community", "")
    if chosen and chosen not in {c.code for c in communities.values()}:
        raise ConsoleError(400, "console.bad_parameter", name="community")
    return Place(communities, roles, chosen)


def period_of(call: ConsoleRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
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
    tabs: tuple[str, ...] = ()  # the pages of its tabs (as the community's wishes pages have)


def _show(value: Cell) -> str:
    """A cell as the page shows it (the workbook keeps its type)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


async def render(
    call: ConsoleRequest, listing: Listing, place: Place, listed: PageSlice[Any], lines: list[Line]
) -> Rendered:
    given = {k: v for k, v in listing.given.items() if v}
    return Rendered(
        "figures/street_list.html",
        {
            "l": listing,
            "w": lambda key, **values: words(f"{listing.kind}.{key}", **values),
            "note": words(listing.kind).get("order", ""),
            "tabs": await call.tabs(*listing.tabs) if listing.tabs else [],
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


def export(call: ConsoleRequest, kind: str, lines: Iterable[Line], given: Mapping[str, str]) -> web.Response:
    assert call.street is not None
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items() if v)
    sheet = words(f"{kind}.sheet")
    return xlsx_response(
        sheet,
        [words("community"), *words(f"{kind}.headers")],
        ((line.community, *line.cells) for line in lines),
        filename=f"{call.street.name}-{sheet}-{call.now():%Y%m%d}.xlsx",
    )
