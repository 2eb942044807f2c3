"""Office hours from the actual schedule: the office's weekday / Saturday / Sunday hours and the holiday
calendar (content/calendar.yaml: public holidays, and the weekend days worked instead)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import content
from handlers.services.catalog import Office, Span


@dataclass(frozen=True)
class Calendar:
    holidays: dict[dt.date, str]  # date -> the holiday's name
    workdays: frozenset[dt.date]  # weekend days worked instead (调休)
    covered_until: dt.date

    def known(self, day: dt.date) -> bool:
        """Is the holiday arrangement of ``day`` announced (in the file)?"""
        return day <= self.covered_until

    def periods(self, name: str) -> list[tuple[dt.date, dt.date]]:
        """The holiday's periods in the file, first day and last day, in order."""
        days = sorted(d for d, n in self.holidays.items() if n == name)
        found: list[tuple[dt.date, dt.date]] = []
        for day in days:
            if found and found[-1][1] + dt.timedelta(days=1) == day:
                found[-1] = (found[-1][0], day)
            else:
                found.append((day, day))
        return found

    def next_period(self, name: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """The holiday's period that is on or still to come; None when next year's is not announced yet."""
        return next(((a, b) for a, b in self.periods(name) if b >= today), None)


@functools.cache
def calendar() -> Calendar:
    return parse(content.load_yaml("calendar.yaml"))


def parse(data: dict[str, Any]) -> Calendar:
    """The calendar from content/calendar.yaml's data."""
    holidays: dict[dt.date, str] = {}
    for spec in data["holidays"]:
        day = _date(spec["from"])
        while day <= _date(spec["to"]):
            holidays[day] = str(spec["name"])
            day += dt.timedelta(days=1)
    return Calendar(holidays, frozenset(_date(d) for d in data["workdays"]), _date(data["covered_until"]))


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def spans_on(office: Office, day: dt.date, cal: Calendar | None = None) -> tuple[Span, ...]:
    """The office's opening hours on ``day`` (none on a public holiday; weekday hours on a 调休 day)."""
    cal = cal or calendar()
    if day in cal.holidays:
        return ()
    if day in cal.workdays or day.weekday() < 5:
        return office.hours.get("weekdays", ())
    return office.hours.get("saturday" if day.weekday() == 5 else "sunday", ())


@dataclass(frozen=True)
class Status:
    open_now: bool
    today: tuple[Span, ...]
    next_open: dt.datetime | None  # when closed: the next opening within two weeks
    holiday: str  # today's holiday, if any


def status(office: Office, now: dt.datetime, cal: Calendar | None = None) -> Status:
    cal = cal or calendar()
    today = spans_on(office, now.date(), cal)
    clock = now.time()
    open_now = any(start <= clock < end for start, end in today)
    next_open = None
    if not open_now:
        for ahead in range(15):
            day = now.date() + dt.timedelta(days=ahead)
            for start, _ in spans_on(office, day, cal):
                at = dt.datetime.combine(day, start, tzinfo=now.tzinfo)
                if at > now:
                    next_open = at
                    break
            if next_open:
                break
    return Status(open_now, today, next_open, cal.holidays.get(now.date(), ""))


def describe_spans(spans: tuple[Span, ...]) -> str:
    if not spans:
        return content.text("services.hours_closed_all_day")
    return "、".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans)
