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

Each breakdown (community, category, month, grid, building, handler) is one GROUP BY statement and one
median statement, whatever the number of tickets or communities; they run side by side.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

from tortoise.functions import Count, Sum

import content
from handlers.common import formats
from handlers.figures import sql
from handlers.figures.period import Period
from handlers.figures.views import TicketFigures, TicketRow, TicketSection
from handlers.figures.where import Where, ratio
from handlers.register.models import Grid
from handlers.repairs import filters
from handlers.repairs.categories import categories
from handlers.repairs.filters import NONE, TicketFilter
from handlers.repairs.models import Ticket
from storage.models import Building, Person

Counts = Mapping[str, int]
GRID = "building__grid_link__grid_id"


def _aggregates(where: Where) -> dict[str, Any]:
    return {
        "received": Count("id"),
        "done": Count("id", _filter=filters.done()),
        "responded": Count("id", _filter=filters.responded()),
        "responded_on_time": Count("id", _filter=filters.responded_on_time()),
        "on_time": Count("id", _filter=filters.on_time()),
        "rated": Count("id", _filter=filters.rated()),
        "stars": Sum("rating"),  # the sum and the count: Avg would be read back as the integer column is
        "satisfied": Count("id", _filter=filters.satisfied()),
        "reopened": Count("id", _filter=filters.reopened()),
        "ever_resolved": Count("id", _filter=filters.ever_resolved()),
        "overdue_open": Count("id", _filter=filters.overdue_filter(where.now)),
    }


def figures(counts: Counts, median: float | None, links: dict[str, Any]) -> TicketFigures:
    def n(name: str) -> int:
        return int(sql.number(counts.get(name) or 0))

    return TicketFigures(
        received=n("received"),
        done=n("done"),
        done_rate=ratio(n("done"), n("received")),
        responded=n("responded"),
        responded_on_time=n("responded_on_time"),
        response_rate=ratio(n("responded_on_time"), n("responded")),
        on_time=n("on_time"),
        on_time_rate=ratio(n("on_time"), n("done")),
        rated=n("rated"),
        average_rating=ratio(n("stars"), n("rated"), 2),
        satisfied=n("satisfied"),
        satisfied_share=ratio(n("satisfied"), n("rated")),
        reopened=n("reopened"),
        ever_resolved=n("ever_resolved"),
        reopen_rate=ratio(n("reopened"), n("ever_resolved")),
        median_hours_to_resolve=None if median is None else round(median, 1),
        overdue_open=n("overdue_open"),
        links=links,
    )


def _received(where: Where) -> Any:
    start, end = where.bounds()
    return Ticket.filter(filters.received_between(start, end), community_id__in=where.ids)


async def _grouped(where: Where, group: str, months: list[Period] | None = None) -> dict[Any, Counts]:
    """The counts of each value of ``group`` (a column, a related column, or ``month``): one statement."""
    query = _received(where)
    if months is not None:
        query = query.annotate(month=sql.month_bucket("ticket", "created_at", months, where.now))
    aggregates = _aggregates(where)
    rows = await query.annotate(**aggregates).group_by(group).values(group, *aggregates)
    return {row[group]: row for row in rows}


async def _medians(where: Where, group: str | None, months: list[Period] | None = None) -> dict[Any, float]:
    query = _received(where).filter(filters.done())
    if months is not None:
        query = query.annotate(month=sql.month_bucket("ticket", "created_at", months, where.now))
    return await sql.medians(query, group, sql.hours_between("ticket", "created_at", "resolved_at"))


def _sum(rows: Mapping[Any, Counts]) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows.values():
        for name, value in row.items():
            if name != "community_id":
                total[name] = total.get(name, 0) + int(sql.number(value or 0))
    return total


async def section(where: Where) -> tuple[TicketSection, dict[int, TicketFigures], dict[int, int]]:
    """The tickets' part of an overview, each community's figures and each one's overdue backlog; the
    statements run side by side (PostgreSQL answers them on several connections). Buildings are broken
    down for one community's staff, handlers for staff: not in 居务公开, and a street office's buildings
    are its communities' to read."""
    single = where.single is not None  # one community: its figures are the total
    totals = asyncio.gather(
        _grouped(where, "community_id"),
        _medians(where, "community_id"),
        _no_medians() if single else _medians(where, None),
        _backlog(where),
    )
    staff = where.linked
    rows = asyncio.gather(
        _by_category(where),
        _by_month(where),
        _by_grid(where),
        _by_building(where) if staff and where.single else _no_rows(),
        _by_handler(where) if staff else _no_rows(),
    )
    (
        (per_community, medians, total_median, backlog),
        (category, month, grid, building, handler),
    ) = await asyncio.gather(totals, rows)
    communities = {
        cid: figures(per_community.get(cid, {}), medians.get(cid), where.ticket_links(cid))
        for cid in where.ids
    }
    median = medians.get(where.ids[0]) if single else total_median.get(None)
    total = figures(_sum(per_community), median, where.ticket_links(None))
    if not month:  # a period within one month: that month's figures are the total
        only = where.period.months()[0]
        month = [TicketRow(key=sql.month_key(only), label=_month_label(only), figures=total)]
    section = TicketSection(
        total=total,
        overdue_backlog=sum(backlog.values()),
        links=where.backlog_links(None),
        by_category=category,
        by_month=month,
        by_grid=grid,
        by_building=building,
        by_handler=handler,
    )
    return section, communities, backlog


async def _no_rows() -> list[TicketRow]:
    return []


async def _no_medians() -> dict[Any, float]:
    return {}


async def _both(
    where: Where, group: str, months: list[Period] | None = None
) -> tuple[dict[Any, Counts], dict[Any, float]]:
    """A breakdown's counts and medians, side by side."""
    return await asyncio.gather(_grouped(where, group, months), _medians(where, group, months))


async def _backlog(where: Where) -> dict[int, int]:
    """Open and overdue now, whenever received, per community: one statement."""
    query = Ticket.filter(filters.overdue_filter(where.now), community_id__in=where.ids)
    rows = await query.annotate(n=Count("id")).group_by("community_id").values_list("community_id", "n")
    return {int(str(c)): int(str(n)) for c, n in rows}


def _row(
    where: Where,
    key: Any,
    label: str,
    counts: Counts,
    median: float | None,
    row: TicketFilter,
    community_id: int | None = None,
) -> TicketRow:
    return TicketRow(
        key=NONE if key is None else str(key),
        label=label,
        community=where.code_of(community_id) if community_id is not None else None,
        figures=figures(counts, median, where.ticket_links(community_id, row)),
    )


async def _by_category(where: Where) -> list[TicketRow]:
    counts, medians = await _both(where, "category")
    known = categories()
    rows = [
        _row(
            where,
            key,
            known[key].label if key in known else key,
            c,
            medians.get(key),
            TicketFilter(category=key),
        )
        for key, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r.figures.received, r.key))


async def _by_month(where: Where) -> list[TicketRow]:
    """Every month of the period, empty ones too (a chart's axis); none for a period within one month
    (``section`` repeats the total)."""
    months = where.period.months()
    if len(months) == 1:
        return []
    counts, medians = await _both(where, "month", months)
    out = []
    for month in months:
        key = sql.month_key(month)
        links = dataclasses.replace(where, period=month).ticket_links(None)
        figures_of = figures(counts.get(key, {}), medians.get(key), links)
        out.append(TicketRow(key=key, label=_month_label(month), figures=figures_of))
    return out


def _month_label(month: Period) -> str:
    return formats.month(month.start)


async def _by_grid(where: Where) -> list[TicketRow]:
    counts, medians = await _both(where, GRID)
    grids = {g.id: g for g in await Grid.filter(community_id__in=where.ids)} if counts else {}
    rows = []
    for key, c in counts.items():
        grid = grids.get(key) if key is not None else None
        if grid is None:
            rows.append(
                _row(
                    where, None, content.text("figures.no_grid"), c, medians.get(key), TicketFilter(grid=NONE)
                )
            )
        else:
            row = TicketFilter(grid=grid.id)
            rows.append(
                _row(where, grid.id, grid.name or grid.code, c, medians.get(key), row, grid.community_id)
            )
    return sorted(rows, key=_in_order)


async def _by_building(where: Where) -> list[TicketRow]:
    counts, medians = await _both(where, "building_id")
    ids = [k for k in counts if k is not None]
    buildings = {b.id: b for b in await Building.filter(id__in=ids)} if ids else {}
    rows = []
    for key, c in counts.items():
        b = buildings.get(key) if key is not None else None
        if b is None:
            label = content.text("figures.no_building")
            rows.append(_row(where, None, label, c, medians.get(key), TicketFilter(building=NONE)))
        else:
            filtered = TicketFilter(building=b.number)
            rows.append(_row(where, b.number, b.label, c, medians.get(key), filtered, b.community_id))
    return sorted(rows, key=_in_order)


def _in_order(row: TicketRow) -> tuple[bool, str, int]:
    """Grids and buildings by community, then in their order (ids, numbers); the "none" row last."""
    return (row.key == NONE, row.community or "", 0 if row.key == NONE else int(row.key))


async def _by_handler(where: Where) -> list[TicketRow]:
    counts, medians = await _both(where, "assignee_id")
    ids = [k for k in counts if k is not None]
    names = dict(await Person.filter(id__in=ids).values_list("id", "name")) if ids else {}
    rows = []
    for key, c in counts.items():
        if key is None:
            label = content.text("figures.no_handler")
        else:
            label = str(names.get(key) or "") or content.text("figures.unnamed_handler", id=key)
        rows.append(
            _row(where, key, label, c, medians.get(key), TicketFilter(assignee=NONE if key is None else key))
        )
    return sorted(rows, key=lambda r: (r.key == NONE, -r.figures.received, r.label))
