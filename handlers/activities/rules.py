"""The rules of community activities from content/activities.yaml, and how their numbers are written."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import content

# an activity as residents and staff write it: "A2612-001", "a2612-1", "2612-001" or "1"; the group is its id
NUMBER = r"(?:A?\d{4}-)?0*(\d{1,9})"
_WHOLE = re.compile(rf"^\s*{NUMBER}\s*$", re.I)


def parse_number(text: str) -> int | None:
    found = _WHOLE.match(text)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class ActivityRules:
    code_digits: int
    max_capacity: int
    checkin_opens: dt.timedelta
    checkin_closes: dt.timedelta
    remind_before: dt.timedelta
    default_length: dt.timedelta
    service_label: str


@functools.cache
def rules() -> ActivityRules:
    data = content.load_yaml("activities.yaml")
    return ActivityRules(
        code_digits=int(data["code_digits"]),
        max_capacity=int(data["max_capacity"]),
        checkin_opens=dt.timedelta(hours=float(data["checkin_opens_hours"])),
        checkin_closes=dt.timedelta(hours=float(data["checkin_closes_hours"])),
        remind_before=dt.timedelta(hours=float(data["remind_hours"])),
        default_length=dt.timedelta(hours=float(data["default_hours"])),
        service_label=str(data["service_label"]),
    )
