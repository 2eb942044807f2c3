"""A block of ticket figures from its counts, and the breakdowns' rows (category, month, grid, building,
handler), each with its label and the filter its links add ("none": tickets without one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import content
from handlers.common import formats
from handlers.figures import sql
from handlers.figures.period import Period
from handlers.figures.views import TicketFigures, TicketRow
from handlers.figures.where import Where, ratio
from handlers.register.models import Grid
from handlers.repairs.categories import categories
from handlers.repairs.filters import NONE, TicketFilter
from storage.models import Building

Counts = Mapping[str, float]
Grouped = Mapping[str | None, Counts]  # a breakdown's counts by its key (as text; None: without one)
Middles = Mapping[str | None, float]  # its medians


@dataclass(frozen=True)
class Labels:
    grids: Mapping[int, Grid]
    buildings: Mapping[int, Building]
    handlers: Mapping[int, str]  # person id -> name


def figures(counts: Counts, median: float | None, links: dict[str, Any]) -> TicketFigures:
    def n(name: str) -> int:
        return int(counts.get(name) or 0)

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


def _row(
    where: Where,
    key: object,
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


def by_category(where: Where, counts: Grouped, medians: Middles) -> list[TicketRow]:
    """The most received first."""
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
        if key is not None
    ]
    return sorted(rows, key=lambda r: (-r.figures.received, r.key))


def by_month(
    where: Where, counts: Grouped | None, medians: Middles | None, total: TicketFigures
) -> list[TicketRow]:
    """Every month of the period, empty ones too (a chart's axis); a period within one month: its total."""
    months = where.period.months()
    if counts is None or medians is None:
        return [TicketRow(key=sql.month_key(months[0]), label=month_label(months[0]), figures=total)]
    out = []
    for month in months:
        key = sql.month_key(month)
        links = dataclasses.replace(where, period=month).ticket_links(None)
        out.append(
            TicketRow(
                key=key,
                label=month_label(month),
                figures=figures(counts.get(key, {}), medians.get(key), links),
            )
        )
    return out


def month_label(month: Period) -> str:
    return formats.month(month.start)


def by_grid(where: Where, counts: Grouped, medians: Middles, labels: Labels) -> list[TicketRow]:
    rows = []
    for key, c in counts.items():
        grid = labels.grids.get(int(key)) if key is not None else None
        if grid is None:
            none = TicketFilter(grid=NONE)
            rows.append(_row(where, None, content.text("figures.no_grid"), c, medians.get(key), none))
        else:
            row = TicketFilter(grid=grid.id)
            rows.append(
                _row(where, grid.id, grid.name or grid.code, c, medians.get(key), row, grid.community_id)
            )
    return sorted(rows, key=_in_order)


def by_building(where: Where, counts: Grouped, medians: Middles, labels: Labels) -> list[TicketRow]:
    rows = []
    for key, c in counts.items():
        b = labels.buildings.get(int(key)) if key is not None else None
        if b is None:
            none = TicketFilter(building=NONE)
            rows.append(_row(where, None, content.text("figures.no_building"), c, medians.get(key), none))
        else:
            row = TicketFilter(building=b.number)
            rows.append(_row(where, b.number, b.label, c, medians.get(key), row, b.community_id))
    return sorted(rows, key=_in_order)


def _in_order(row: TicketRow) -> tuple[bool, str, int]:
    """Grids and buildings by community, then in their order (ids, numbers); the "none" row last."""
    return (row.key == NONE, row.community or "", 0 if row.key == NONE else int(row.key))


def by_handler(where: Where, counts: Grouped, medians: Middles, labels: Labels) -> list[TicketRow]:
    """The most received first; nobody's last."""
    rows = []
    for key, c in counts.items():
        if key is None:
            label, row = content.text("figures.no_handler"), TicketFilter(assignee=NONE)
        else:
            person = int(key)
            label = labels.handlers.get(person) or content.text("figures.unnamed_handler", id=person)
            row = TicketFilter(assignee=person)
        rows.append(_row(where, key, label, c, medians.get(key), row))
    return sorted(rows, key=lambda r: (r.key == NONE, -r.figures.received, r.label))
