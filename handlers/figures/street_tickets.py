"""The street office's tickets list (``handlers.figures.street_lists``): every ticket of its communities
with the community tickets page's filters and order; each opens on its community's tickets page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.console.core import ConsoleRequest, Pages, Rendered
from handlers.figures import queries
from handlers.figures.street_lists import (
    PER_PAGE,
    STREET,
    Kept,
    Line,
    Listing,
    Place,
    export,
    place_of,
    render,
    words,
)
from handlers.repairs import staff_queries as ticket_queries
from handlers.repairs.categories import categories
from handlers.repairs.console import export_row as ticket_cells
from handlers.repairs.console import read_filters as ticket_filters
from handlers.repairs.filters import FLAGS, NONE
from handlers.repairs.models import TicketStatus
from handlers.residents.queries import role_label

pages = Pages("street_tickets")


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
    place = await place_of(call)
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
    return await render(call, listing, place, listed, lines)


@pages.get(STREET + "/tickets/export", "street.tickets_export", audit=True, title="repairs.console_exported")
async def tickets_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters, sort = await _tickets(call)
    rows = await ticket_queries.street_ticket_rows(place.ids, filters, sort, call.now())
    return export(call, "tickets", (_ticket_line(place, call, cid, v) for cid, v in rows), listing.given)
