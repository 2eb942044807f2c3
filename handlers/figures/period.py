"""The period figures are counted over: [start, end) in whole days of China time; this month by default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.common.rules import Refusal
from handlers.repairs.filters import midnight

LONGEST = dt.timedelta(days=3 * 366)  # the longest period asked at once (a three-year term)


@dataclass(frozen=True)
class Period:
    start: dt.date  # the first day
    end: dt.date  # the day after the last

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        first = day.replace(day=1)
        return cls(first, _next_month(first))

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return cls(first, _next_month(_next_month(_next_month(first))))

    @classmethod
    def year_of(cls, day: dt.date) -> Period:
        return cls(dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))

    def bounds(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The period as instants, from midnight of its first day to midnight after its last."""
        return midnight(self.start, now), midnight(self.end, now)

    def params(self) -> dict[str, str]:
        """The period as the console's lists take it: ``from`` its first day ``to`` its last."""
        return {"from": self.start.isoformat(), "to": (self.end - dt.timedelta(days=1)).isoformat()}

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period (its first and last may be
        partial): the month breakdown's buckets, in order."""
        out = []
        first = self.start.replace(day=1)
        while first < self.end:
            following = _next_month(first)
            out.append(Period(max(first, self.start), min(following, self.end)))
            first = following
        return out


def _day(query: Mapping[str, Any], name: str) -> dt.date | None:
    if name not in query:
        return None
    try:
        return dt.date.fromisoformat(query[name])
    except ValueError:
        raise ValueError(name) from None


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def chosen(query: Mapping[str, Any], today: dt.date) -> Period:
    """The period of the figures' parameters: ``start`` and ``end`` (YYYY-MM-DD, ``end`` excluded; one of
    them alone: its month, or from ``start`` to today), or ``year`` (a calendar year), or this month.
    ValueError (with the parameter's name) for a day that does not exist; ``figures.bad_period`` when the
    period is empty, backwards or longer than three years."""
    if "year" in query:
        return Period.year_of(dt.date(int(query["year"]), 1, 1))
    if "start" not in query and "end" not in query:
        return Period.month_of(today)
    start, end = _day(query, "start"), _day(query, "end")
    if start is None:
        assert end is not None
        start = Period.month_of(end - dt.timedelta(days=1)).start
    if end is None:
        end = max(Period.month_of(start).end, today + dt.timedelta(days=1))
    if not start < end or end - start > LONGEST:
        raise Refusal("figures.bad_period")
    return Period(start, end)
