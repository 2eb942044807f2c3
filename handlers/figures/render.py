"""The figures as the console shows them, without I/O: the period a page asks for, each figure's link to its
rows as a console page's address, the ECharts options of the breakdowns (built here, as JSON, and drawn by
``content/console/static/charts.js``), and the rows of the Excel export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.figures.period import Period, chosen
from handlers.figures.views import Figures, Links, Overview, TicketFigures, TicketRow

# the console page of each list a figure links to (a page not mounted: the figure is shown unlinked), a
# community's, and a street office's for its whole (``handlers.figures.street_lists``)
LIST_PAGES = {
    "tickets": "tickets.list",
    "wishes": "wishes.list",
    "service_records": "wishes.records",
    "consultations": "votes.list",
    "staff_messages": "messages.list",
}
STREET_LIST_PAGES = {
    "tickets": "street.tickets",
    "wishes": "street.wishes",
    "service_records": "street.records",
    "consultations": "street.consultations",
    "staff_messages": "street.messages",
}
PERIODS = ("month", "last_month", "year", "custom")
Linker = Callable[[Links, str], str]


@dataclass(frozen=True)
class Chosen:
    """The period a page shows, and the query parameters that ask for it again."""

    period: Period
    params: dict[str, str]

    @property
    def title(self) -> str:
        start, last = self.period.start, self.period.end - dt.timedelta(days=1)
        if Period.month_of(start) == self.period:
            return formats.month(start)
        if Period.quarter_of(start) == self.period:
            return content.text("figures.console.quarter", year=start.year, quarter=(start.month + 2) // 3)
        if Period.year_of(start) == self.period:
            return content.text("figures.console.year", year=start.year)
        return content.text("figures.console.span", start=start.isoformat(), last=last.isoformat())


def read_period(query: Mapping[str, str], today: dt.date) -> Chosen:
    """``period``: month (this one, the default), last_month, year (this one), custom (``from`` and ``to``,
    days, both included); ValueError with the parameter's name, Refusal for an empty or too long span."""
    kind = query.get("period") or "month"
    if kind not in PERIODS:
        raise ValueError("period")
    if kind == "month":
        period = Period.month_of(today)
    elif kind == "last_month":
        period = Period.month_of(Period.month_of(today).start - dt.timedelta(days=1))
    elif kind == "year":
        period = Period.year_of(today)
    else:
        if not query.get("from") or not query.get("to"):
            raise Refusal("figures.bad_period")
        last = _day(query, "to")
        period = chosen({"start": query["from"], "end": (last + dt.timedelta(days=1)).isoformat()}, today)
    params = {"period": kind}
    if kind == "custom":
        params |= {"from": query["from"], "to": query["to"]}
    return Chosen(period, params)


def read_month(query: Mapping[str, str], today: dt.date) -> Period:
    """``month`` (YYYY-MM) of the monthly report; this month by default."""
    raw = query.get("month") or today.strftime("%Y-%m")
    try:
        return Period.month_of(dt.date.fromisoformat(raw + "-01"))
    except ValueError:
        raise ValueError("month") from None


def recent_months(today: dt.date, count: int = 12) -> list[tuple[str, str]]:
    """(YYYY-MM, 2026年11月) of this month and the ones before it, newest first."""
    out, first = [], today.replace(day=1)
    for _ in range(count):
        out.append((first.strftime("%Y-%m"), formats.month(first)))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out


def _day(query: Mapping[str, str], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(query[name])
    except ValueError:
        raise ValueError(name) from None


# -- charts -------------------------------------------------------------------------------------------------
def _label(key: str) -> str:
    return content.text(f"figures.label.{key}")


def rows_chart(rows: Sequence[TicketRow], link: Linker, *, horizontal: bool = False) -> str:
    """Received and done per row (a bar each), and 办结率 on a second axis (in percent); a bar, or a point of
    the rate, links to its rows."""
    names = [r.label for r in rows]
    received = [r.figures.received for r in rows]
    done = [r.figures.done for r in rows]
    rate = [None if r.figures.done_rate is None else round(r.figures.done_rate * 100, 1) for r in rows]
    # a horizontal chart reads top down (ECharts starts a category axis at the bottom)
    category_axis = {"type": "category", "data": names, "inverse": horizontal}
    category_axis["axisLabel"] = {"hideOverlap": True}
    count_axis = {"type": "value", "minInterval": 1}
    rate_name = content.text("figures.console.rate_axis")
    # 办结率's own axis, on the right, named and read in percent
    rate_axis = {
        "type": "value",
        "min": 0,
        "max": 100,
        "name": rate_name,
        "nameLocation": "middle",
        "nameGap": 36,
        "axisLabel": {"formatter": "{value}%"},
        "splitLine": {"show": False},
    }
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        # room on the right for the rate axis's name (containLabel keeps the ticks' labels in, not names)
        "grid": {"left": 8, "right": 8 if horizontal else 28, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": count_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else [count_axis, rate_axis],
        "series": [
            {"name": _label("received"), "type": "bar", "data": received},
            {"name": _label("done"), "type": "bar", "data": done},
        ],
    }
    if not horizontal:
        option["series"].append({"name": rate_name, "type": "line", "yAxisIndex": 1, "data": rate})
    links = {
        _label("received"): [link(r.figures.links, "received") for r in rows],
        _label("done"): [link(r.figures.links, "done") for r in rows],
    }
    if not horizontal:  # a point of the rate: the rows it is the share of
        links[rate_name] = [link(r.figures.links, "done_rate") for r in rows]
    return json.dumps({"option": option, "links": links}, ensure_ascii=False)


def chart_height(rows: Sequence[Any], horizontal: bool) -> int:
    return max(220, 28 * len(rows) + 60) if horizontal else 280


# -- the export ---------------------------------------------------------------------------------------------
TICKET_COLUMNS = (
    "received",
    "done",
    "done_rate",
    "on_time_rate",
    "response_rate",
    "average_rating",
    "satisfied_share",
    "reopen_rate",
    "median_hours_to_resolve",
    "overdue_open",
)
OTHER_COLUMNS: tuple[tuple[str, Callable[[Figures], Any]], ...] = (
    ("overdue_backlog", lambda f: f.overdue_backlog),
    ("wishes_received", lambda f: f.wishes.received),
    ("wishes_fulfilled", lambda f: f.wishes.fulfilled),
    ("average_days_to_fulfil", lambda f: f.wishes.average_days_to_fulfil),
    ("volunteers", lambda f: f.volunteers.volunteers),
    ("hours", lambda f: f.volunteers.hours),
    ("consultations", lambda f: f.consultations.closed),
    ("turnout_share", lambda f: f.consultations.turnout_share),
    ("messages", lambda f: f.messages.received),
    ("messages_waiting", lambda f: f.messages.waiting),
    ("median_hours_to_answer", lambda f: f.messages.median_hours_to_answer),
)


def export_headers() -> list[str]:
    return [
        content.text("figures.label.scope"),
        *(_label(k) for k in TICKET_COLUMNS),
        *(_label(k) for k, _ in OTHER_COLUMNS),
    ]


def _ticket_cells(figures: TicketFigures) -> list[Any]:
    return [getattr(figures, key) for key in TICKET_COLUMNS]


def export_rows(overview: Overview) -> list[list[Any]]:
    """One row for the whole, one per community (a street office's), then the breakdowns' rows (their
    ticket figures only), each named by what it is: 类别 · 水电, 月份 · 2026年11月 ..."""
    rows = [[overview.scope.name, *_ticket_cells(overview.total.tickets), *_others(overview.total)]]
    rows += [[c.name, *_ticket_cells(c.tickets), *_others(c)] for c in overview.communities]
    t = overview.tickets
    for kind, breakdown in (
        ("category", t.by_category),
        ("month", t.by_month),
        ("grid", t.by_grid),
        ("building", t.by_building),
        ("handler", t.by_handler),
    ):
        rows += [[f"{_label(kind)} · {r.label}", *_ticket_cells(r.figures)] for r in breakdown]
    return rows


def _others(figures: Figures) -> list[Any]:
    return [value(figures) for _, value in OTHER_COLUMNS]
