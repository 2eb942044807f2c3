"""What a ticket *is* as a filter, said once: done (办结), on time, responded, rated, satisfied, reopened,
overdue, received in a period, in a building, a grid, a handler's. The tickets list filters with these,
and the figures (``handlers.figures``) count with the very same conditions, so a figure and the list its
link opens cannot disagree.

A list's filter travels as query parameters (``TicketFilter.params`` / ``TicketFilter.from_params``):

=================  ===========================================================================================
``status``         one status (submitted, accepted, in_progress, resolved, closed, reopened, rejected, ...)
``state``          ``open`` (submitted, accepted, in progress, reopened), ``done`` (办结: resolved or closed)
``category``       a category's key (content/repair_categories.yaml)
``building``       a building's number, or ``none`` (no building given)
``grid``           a grid's code, or ``none`` (no building, or a building in no grid)
``handler``        the assignee's person id, or ``none`` (nobody's yet)
``start``, ``end`` received on or after ``start`` and before ``end`` (days, YYYY-MM-DD, in China time)
``overdue``        ``true``: open and past its time to respond or to resolve, now
``responded``      ``true``: accepted, or rejected / marked a duplicate (a handler answered it)
``responded_on_time``  ``true``: that answer came at or before ``respond_by``
``on_time``        ``true``: done, resolved at or before ``resolve_by``
``rated``          ``true``: the reporter gave stars
``satisfied``      ``true``: rated 4 or 5
``reopened``       ``true``: reopened at least once (没修好)
``ever_resolved``  ``true``: resolved at least once (done now, or reopened since)
=================  ===========================================================================================
``false`` (or leaving a flag out) does not filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from tortoise.expressions import F, Q, Subquery

from handlers.register.models import GridBuilding
from handlers.repairs.models import OPEN_STATUSES, TicketStatus

S = TicketStatus
DONE = (S.RESOLVED, S.CLOSED)  # 办结: resolved, confirmed by the reporter or not
ANSWERS = (S.REJECTED, S.DUPLICATE)  # a handler's answer without accepting it
SATISFIED_FROM = 4  # stars that count as satisfied (满意): 4 or 5
NONE: Literal["none"] = "none"  # a building, grid or handler parameter: tickets without one

Maybe = int | Literal["none"] | None


# -- the conditions ---------------------------------------------------------------------------------------
def received_between(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(created_at__gte=start, created_at__lt=end)


def done() -> Q:
    return Q(status__in=DONE)


def on_time() -> Q:
    """Done, resolved at or before the promised time (a reopened ticket: its last resolve counts)."""
    return Q(status__in=DONE, resolved_at__lte=F("resolve_by"))


def responded() -> Q:
    """A handler answered it: accepted it, or rejected it, or marked it a duplicate."""
    return Q(accepted_at__not_isnull=True) | Q(status__in=ANSWERS)


def responded_on_time() -> Q:
    """Answered at or before ``respond_by`` (a reopened ticket accepted again: that last acceptance)."""
    return Q(accepted_at__lte=F("respond_by")) | Q(status__in=ANSWERS, closed_at__lte=F("respond_by"))


def rated() -> Q:
    return Q(rating__not_isnull=True)


def satisfied() -> Q:
    return Q(rating__gte=SATISFIED_FROM)


def reopened() -> Q:
    return Q(reopen_count__gt=0)


def ever_resolved() -> Q:
    """Resolved at least once: resolved now, or reopened since (a reopen clears ``resolved_at``)."""
    return Q(resolved_at__not_isnull=True) | Q(reopen_count__gt=0)


def overdue_filter(now: dt.datetime) -> Q:
    """Open and overdue now: waiting for an answer past ``respond_by``, or open past ``resolve_by``
    (``queries.is_overdue`` for one row)."""
    return Q(status__in=(S.SUBMITTED, S.REOPENED), respond_by__lt=now) | Q(
        status__in=OPEN_STATUSES, resolve_by__lt=now
    )


def in_grid(community_id: int, code: str) -> Q:
    """In a building of the community's grid ``code``; ``none``: no building, or a building in no grid."""
    if code == NONE:
        gridded = GridBuilding.filter(grid__community_id=community_id).values("building_id")
        return Q(building_id=None) | ~Q(building_id__in=Subquery(gridded))
    mine = GridBuilding.filter(grid__community_id=community_id, grid__code=code).values("building_id")
    return Q(building_id__in=Subquery(mine))


FLAGS = {
    "overdue": None,  # needs the time: see ``TicketFilter.q``
    "responded": responded,
    "responded_on_time": responded_on_time,
    "on_time": on_time,
    "rated": rated,
    "satisfied": satisfied,
    "reopened": reopened,
    "ever_resolved": ever_resolved,
}


# -- the list's filter, and its query parameters ----------------------------------------------------------
@dataclass(frozen=True)
class TicketFilter:
    status: TicketStatus | None = None
    category: str | None = None
    building: Maybe = None  # its number
    overdue: bool = False
    state: Literal["open", "done"] | None = None
    grid: str | None = None  # its code, or "none"
    handler: Maybe = None  # the assignee's person id
    start: dt.date | None = None
    end: dt.date | None = None
    responded: bool = False
    responded_on_time: bool = False
    on_time: bool = False
    rated: bool = False
    satisfied: bool = False
    reopened: bool = False
    ever_resolved: bool = False

    def q(self, community_id: int, now: dt.datetime) -> Q:
        """The filter as a condition on the tickets of ``community_id`` (days in ``now``'s time zone)."""
        parts: list[Q] = []
        if self.status is not None:
            parts.append(Q(status=self.status))
        if self.state is not None:
            parts.append(Q(status__in=OPEN_STATUSES) if self.state == "open" else done())
        if self.category is not None:
            parts.append(Q(category=self.category))
        if self.building is not None:
            parts.append(Q(building_id=None) if self.building == NONE else Q(building__number=self.building))
        if self.grid is not None:
            parts.append(in_grid(community_id, self.grid))
        if self.handler is not None:
            parts.append(Q(assignee_id=None if self.handler == NONE else self.handler))
        if self.start is not None:
            parts.append(Q(created_at__gte=midnight(self.start, now)))
        if self.end is not None:
            parts.append(Q(created_at__lt=midnight(self.end, now)))
        if self.overdue:
            parts.append(overdue_filter(now))
        for flag, condition in FLAGS.items():
            if condition is not None and getattr(self, flag):
                parts.append(condition())
        return Q(*parts) if parts else Q()

    def params(self) -> dict[str, str]:
        """The query parameters that give this filter back (``from_params``), the unset ones left out."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value is False:
                continue
            if value is True:
                out[f.name] = "true"
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out

    @classmethod
    def from_params(cls, query: Mapping[str, Any]) -> TicketFilter:
        """The filter of a list's query parameters (already checked against ``PARAMS``); ValueError, with
        the parameter's name, for a day that does not exist (2026-02-30)."""
        flags = {name: query.get(name) == "true" for name in FLAGS}
        return cls(
            status=TicketStatus(query["status"]) if query.get("status") else None,
            state=query.get("state"),
            category=query.get("category"),
            building=_maybe_int(query.get("building")),
            grid=query.get("grid"),
            handler=_maybe_int(query.get("handler")),
            start=_day(query, "start"),
            end=_day(query, "end"),
            **flags,
        )


def _day(query: Mapping[str, Any], name: str) -> dt.date | None:
    if not query.get(name):
        return None
    try:
        return dt.date.fromisoformat(query[name])
    except ValueError:
        raise ValueError(name) from None


def _maybe_int(raw: Any) -> Maybe:
    if raw is None or raw == "":
        return None
    return NONE if raw == NONE else int(raw)


def midnight(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The start of ``day`` in the time zone of ``now`` (China time)."""
    return dt.datetime.combine(day, dt.time(), now.tzinfo)


DAY = r"^\d{4}-\d{2}-\d{2}$"
_TRUE = {"type": "string", "enum": ["true", "false"]}
# the list's query parameters: name -> (JSON schema, description)
PARAMS: dict[str, tuple[dict[str, Any], str]] = {
    "status": ({"type": "string", "enum": [s.value for s in TicketStatus]}, "one status"),
    "state": ({"type": "string", "enum": ["open", "done"]}, "open, or done (办结: resolved or closed)"),
    "category": ({"type": "string", "pattern": r"^[a-z_]{1,32}$"}, "a category's key"),
    "building": ({"type": "string", "pattern": r"^([1-9][0-9]{0,2}|none)$"}, "its number, or none"),
    "grid": ({"type": "string", "pattern": r"^[^\s]{1,32}$"}, "a grid's code, or none (in no grid)"),
    "handler": ({"type": "string", "pattern": r"^([1-9][0-9]{0,8}|none)$"}, "the assignee's id, or none"),
    "start": ({"type": "string", "pattern": DAY}, "received on or after this day"),
    "end": ({"type": "string", "pattern": DAY}, "received before this day"),
    "overdue": (_TRUE, "open and overdue now"),
    "responded": (_TRUE, "accepted, rejected or marked a duplicate"),
    "responded_on_time": (_TRUE, "answered at or before its time to respond"),
    "on_time": (_TRUE, "done, resolved at or before its promised time"),
    "rated": (_TRUE, "rated by the reporter"),
    "satisfied": (_TRUE, f"rated {SATISFIED_FROM} or 5"),
    "reopened": (_TRUE, "reopened at least once"),
    "ever_resolved": (_TRUE, "resolved at least once (done now, or reopened since)"),
}
