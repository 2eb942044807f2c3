"""Office hours from the actual schedule: the office's weekday / Saturday / Sunday hours and the holiday
calendar (content/calendar.yaml: public holidays, and the weekend days worked instead)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import content
from handlers.services.catalog import Office, Span


@dataclass(frozen=True)
class Calendar:
    holidays: dict[dt.date, str]  # date -> the holiday's name
    workdays: frozenset[dt.date]  # weekend days worked instead (调休)
    covered_until: dt.date


@functools.cache
def calendar() -> Calendar:
    data = content.load_yaml("calendar.yaml")
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
