"""Ticket figures: counted in SQL with the tickets list's own conditions (``handlers.repairs.filters``).

Which tickets: those *received* in the period, whatever became of them since (so each figure is a share
of one set and its link opens exactly its rows); only the backlog (``overdue_backlog``) is of every ticket
open and overdue now, whenever received. The definitions, as a street office's annual assessment reads them:

- 办结率: done (resolved, or closed after a resolve) / received. Rejected, duplicate and withdrawn tickets
  stay in ``received`` and are not done: the assessment counts what residents asked (the list filtered
  by status shows them).
- 按时办结率: resolved at or before ``resolve_by`` / done (as the street office's first figures read it).
- 响应及时率: answered (accepted; or rejected or marked a duplicate, which answer it too) at or before
  ``respond_by`` / answered. Unanswered tickets past their time show in ``overdue_open``. A ticket accepted
  again after a reopen counts by that last acceptance.
- 满意度: the mean of the stars; 满意率: rated 4 or 5 / rated.
- 返修率: reopened at least once / resolved at least once.
- Median time to resolve: received to its last resolve, in hours, over the done tickets.

The period's tickets are one row each (``_rows``: its keys, a 0/1 column per condition, the hours to resolve),
broken down by community, category, month, grid, building and handler, sums and medians (``sql.breakdowns``:
on PostgreSQL one statement, one pass over the rows), whatever the number of tickets or communities, run
side by side with the backlog and the grids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.functions import Count

from handlers.figures import sql
from handlers.figures.ticket_rows import (
    Labels,
    by_building,
    by_category,
    by_grid,
    by_handler,
    by_month,
    figures,
)
from handlers.figures.views import TicketFigures, TicketRow, TicketSection
from handlers.figures.where import Where
from handlers.register.models import Grid
from handlers.repairs import filters
from handlers.repairs.models import Ticket
from storage.models import Building, Person

# PostgreSQL: the breakdowns in three statements side by side, each on a connection (and a core) of its own;
# each reads the period's rows once; on a busy machine three finish sooner than one (bench/console_figures.py)
PARTS = 3

# every count a block of figures is made of (``stars``: the sum of the ratings)
MEASURES = (
    "received",
    "done",
    "responded",
    "responded_on_time",
    "on_time",
    "rated",
    "stars",
    "satisfied",
    "reopened",
    "ever_resolved",
    "overdue_open",
)


def _received(where: Where) -> Any:
    start, end = where.bounds()
    return Ticket.filter(filters.received_between(start, end), community_id__in=where.ids)


def _rows(where: Where) -> Any:
    """The period's tickets, one row each: what they are broken down by, a 0/1 column per count (the
    tickets lists' own conditions) and the hours to resolve."""
    conditions = {
        "done": filters.done(),
        "responded": filters.responded(),
        "responded_on_time": filters.responded_on_time(),
        "on_time": filters.on_time(),
        "rated": filters.rated(),
        "satisfied": filters.satisfied(),
        "reopened": filters.reopened(),
        "ever_resolved": filters.ever_resolved(),
        "overdue_open": filters.overdue_filter(where.now),
    }
    query = _received(where).annotate(
        x_one=RawSQL("1"),
        x_month=sql.month_bucket("ticket", "created_at", where.period.months(), where.now),
        x_hours=sql.hours_between("ticket", "created_at", "resolved_at"),
        **{f"x_{name}": sql.flag(condition) for name, condition in conditions.items()},
    )
    return query.values(
        community="community_id",
        category="category",
        month="x_month",
        grid="building__grid_link__grid_id",
        building="building_id",
        handler="assignee_id",
        received="x_one",
        stars="rating",
        v="x_hours",
        **{name: f"x_{name}" for name in conditions},
    )


async def section(where: Where) -> tuple[TicketSection, dict[int, TicketFigures], dict[int, int]]:
    """The tickets' part of an overview, each community's figures and each one's overdue backlog: the
    breakdowns' sums and medians (``sql.breakdowns``: one statement on PostgreSQL, two on SQLite), the
    backlog and the grids side by side, then the names of the handlers found. Buildings are broken down
    for one community's staff, handlers for staff: not in 居务公开; a street office's buildings are its
    communities' to read; grids and handlers unless ``where.by_place`` is off. A period within one month has
    no month breakdown of its own: its total."""
    staff, single = where.linked, where.single is not None
    dims = ["community", "category"]
    dims += ["grid"] if where.by_place else []
    dims += ["month"] if len(where.period.months()) > 1 else []
    dims += ["building"] if staff and single else []
    dims += ["handler"] if staff and where.by_place else []
    (counted, medians), backlog, places = await asyncio.gather(
        sql.breakdowns(
            _rows(where), dims, MEASURES, where="done", keys={"month": sql.month_text}, parts=PARTS
        ),
        _backlog(where),
        _places(where, with_buildings="building" in dims),
    )
    labels = Labels(*places, handlers=await _handlers(counted.get("handler", {})))
    per_community = {int(str(k)): c for k, c in counted["community"].items()}
    community_medians = {int(str(k)): m for k, m in medians["community"].items()}
    communities = {
        cid: figures(per_community.get(cid, {}), community_medians.get(cid), where.ticket_links(cid))
        for cid in where.ids
    }
    total = figures(_sum(per_community.values()), medians[sql.TOTAL].get(None), where.ticket_links(None))
    section = TicketSection(
        total=total,
        overdue_backlog=sum(backlog.values()),
        links=where.backlog_links(None),
        by_category=by_category(where, counted["category"], medians["category"]),
        by_month=by_month(where, counted.get("month"), medians.get("month"), total),
        by_grid=by_grid(where, counted["grid"], medians["grid"], labels) if "grid" in dims else [],
        by_building=by_building(where, counted["building"], medians["building"], labels)
        if "building" in dims
        else [],
        by_handler=by_handler(where, counted["handler"], medians["handler"], labels)
        if "handler" in dims
        else [],
    )
    return section, communities, backlog


def _sum(rows: Any) -> dict[str, float]:
    return {m: sum(row.get(m, 0) for row in rows) for m in MEASURES}


async def _backlog(where: Where) -> dict[int, int]:
    """Open and overdue now, whenever received, per community: one statement."""
    query = Ticket.filter(filters.overdue_filter(where.now), community_id__in=where.ids)
    rows = await query.annotate(n=Count("id")).group_by("community_id").values_list("community_id", "n")
    return {int(str(c)): int(str(n)) for c, n in rows}


async def _places(where: Where, *, with_buildings: bool) -> tuple[dict[int, Grid], dict[int, Building]]:
    """The grids of the communities and the buildings (one community's): two statements side by side."""

    async def buildings() -> list[Building]:
        return list(await Building.filter(community_id__in=where.ids)) if with_buildings else []

    grids, built = await asyncio.gather(Grid.filter(community_id__in=where.ids), buildings())
    return {g.id: g for g in grids}, {b.id: b for b in built}


async def _handlers(found: Mapping[str | None, Any]) -> dict[int, str]:
    """The names of the handlers of a breakdown (person id -> name): one statement, none without any."""
    ids = [int(k) for k in found if k is not None]
    if not ids:
        return {}
    return {int(i): str(n) for i, n in await Person.filter(id__in=ids).values_list("id", "name")}


__all__ = ["TicketRow", "figures", "section"]
