"""What a ticket *is* as a filter, said once: done (办结), on time, answered, rated, satisfied, reopened,
overdue, received in a period, in a building, a grid, a handler's. The tickets lists (the console's page, the
API) filter with these, and the figures (``handlers.figures``) count with the very same conditions, so a
figure and the list its link opens cannot disagree.

A list's filter travels as query parameters (``TicketFilter.params`` / ``TicketFilter.from_params``), the
console tickets page's names:

=====================  ======================================================================================
``status``             a status (submitted, accepted, in_progress, resolved, closed, ...), ``open``
                       (submitted, accepted, in progress, reopened), ``done`` (办结: resolved or closed)
``category``           a category's key (content/repair_categories.yaml)
``building``           a building's number, or ``none`` (no building given)
``grid``               a grid's id, or ``none`` (no building, or a building in no grid)
``handler``            the assignee's person id, or ``none`` (nobody's yet)
``role``               the pool: property_staff, grid_worker or mediator
``from``, ``to``       received on ``from`` or later and on ``to`` or earlier (days, YYYY-MM-DD, China time)
``overdue``            ``1``: open and past its time to respond or to resolve, now
``responded``          ``1``: a handler answered it (accepted it, or rejected it, or marked it a duplicate)
``responded_on_time``  ``1``: that answer came at or before ``respond_by``
``on_time``            ``1``: done, resolved at or before ``resolve_by``
``rated``              ``1``: the reporter gave stars
``satisfied``          ``1``: rated 4 or 5
``reopened``           ``1``: reopened at least once (没修好)
``ever_resolved``      ``1``: resolved at least once (done now, or reopened since)
=====================  ======================================================================================
A flag is set by ``1`` (or ``true``); ``0``, ``false`` or leaving it out does not filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tortoise.expressions import F, Q, Subquery
from tortoise.queryset import QuerySet

from handlers.register.models import GridBuilding
from handlers.repairs.models import OPEN_STATUSES, Ticket, TicketStatus
from storage.models import RoleName

S = TicketStatus
DONE = (S.RESOLVED, S.CLOSED)  # 办结: resolved, confirmed by the reporter or not
ANSWERS = (S.REJECTED, S.DUPLICATE)  # a handler's answer without accepting it
SATISFIED_FROM = 4  # stars that count as satisfied (满意): 4 or 5
NONE: Literal["none"] = "none"  # a building, grid or handler parameter: tickets without one
POOLS = (RoleName.PROPERTY_STAFF, RoleName.GRID_WORKER, RoleName.MEDIATOR)

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


def in_grid(grid: int | Literal["none"]) -> Q:
    """In a building of the grid; ``none``: no building, or a building in no grid."""
    if grid == NONE:
        return Q(building_id=None) | ~Q(building_id__in=Subquery(GridBuilding.all().values("building_id")))
    return Q(building_id__in=Subquery(GridBuilding.filter(grid_id=grid).values("building_id")))


FLAGS: dict[str, Callable[[], Q]] = {
    "responded": responded,
    "responded_on_time": responded_on_time,
    "on_time": on_time,
    "rated": rated,
    "satisfied": satisfied,
    "reopened": reopened,
    "ever_resolved": ever_resolved,
}


# -- the lists' filter, and its query parameters ------------------------------------------------------------
@dataclass(frozen=True)
class TicketFilter:
    status: TicketStatus | None = None
    category: str | None = None
    building: Maybe = None  # its number
    overdue: bool = False
    still_open: bool = False  # any of the open statuses
    done: bool = False  # 办结: resolved or closed
    grid: Maybe = None  # a grid's id: the tickets of its buildings
    assignee: Maybe = None  # the handler's person id
    role: RoleName | None = None  # the pool it is in
    since: dt.datetime | None = None  # received at or after
    until: dt.datetime | None = None  # received before
    responded: bool = False
    responded_on_time: bool = False
    on_time: bool = False
    rated: bool = False
    satisfied: bool = False
    reopened: bool = False
    ever_resolved: bool = False

    def q(self, now: dt.datetime) -> Q:
        """The filter as one condition (``now``: what overdue is measured against)."""
        parts: list[Q] = []
        if self.status is not None:
            parts.append(Q(status=self.status))
        if self.still_open:
            parts.append(Q(status__in=OPEN_STATUSES))
        if self.done:
            parts.append(done())
        if self.category is not None:
            parts.append(Q(category=self.category))
        if self.building is not None:
            parts.append(Q(building_id=None) if self.building == NONE else Q(building__number=self.building))
        if self.grid is not None:
            parts.append(in_grid(self.grid))
        if self.assignee is not None:
            parts.append(Q(assignee_id=None if self.assignee == NONE else self.assignee))
        if self.role is not None:
            parts.append(Q(handler_role=self.role.value))
        if self.since is not None:
            parts.append(Q(created_at__gte=self.since))
        if self.until is not None:
            parts.append(Q(created_at__lt=self.until))
        if self.overdue:
            parts.append(overdue_filter(now))
        parts += [condition() for flag, condition in FLAGS.items() if getattr(self, flag)]
        return Q(*parts) if parts else Q()

    def params(self) -> dict[str, str]:
        """The query parameters that give this filter back (``from_params``), the unset ones left out; the
        period in whole days (``since`` and ``until`` at midnight, as ``from_params`` makes them)."""
        out: dict[str, str] = {}
        status = "open" if self.still_open else "done" if self.done else self.status
        for name, value in (
            ("status", status),
            ("category", self.category),
            ("building", self.building),
            ("grid", self.grid),
            ("handler", self.assignee),
            ("role", self.role),
            ("from", self.since.date() if self.since else None),
            ("to", (self.until - dt.timedelta(days=1)).date() if self.until else None),
        ):
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        for flag in ("overdue", *FLAGS):
            if getattr(self, flag):
                out[flag] = "1"
        return out

    @classmethod
    def from_params(cls, query: Mapping[str, Any], now: dt.datetime) -> TicketFilter:
        """The filter of a list's query parameters (checked against ``PARAMS``; days in ``now``'s time
        zone); ValueError, with the parameter's name, for a day that does not exist (2026-02-30)."""
        status = query.get("status") or None
        role = query.get("role") or None
        until = _day(query, "to", now)
        return cls(
            status=TicketStatus(status) if status not in (None, "open", "done") else None,
            still_open=status == "open",
            done=status == "done",
            category=query.get("category") or None,
            building=_maybe_int(query.get("building")),
            grid=_maybe_int(query.get("grid")),
            assignee=_maybe_int(query.get("handler")),
            role=RoleName(role) if role else None,
            since=_day(query, "from", now),
            until=until + dt.timedelta(days=1) if until else None,
            overdue=_flag(query, "overdue"),
            **{flag: _flag(query, flag) for flag in FLAGS},
        )


def filtered(query: QuerySet[Ticket], filters: TicketFilter, now: dt.datetime) -> QuerySet[Ticket]:
    """``query`` narrowed by ``filters`` (every list of tickets, the API's and the console's)."""
    return query.filter(filters.q(now))


def _flag(query: Mapping[str, Any], name: str) -> bool:
    return str(query.get(name, "")).lower() in ("1", "true")


def _day(query: Mapping[str, Any], name: str, now: dt.datetime) -> dt.datetime | None:
    if not query.get(name):
        return None
    try:
        return midnight(dt.date.fromisoformat(query[name]), now)
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
_FLAG = {"type": "string", "enum": ["1", "0", "true", "false"]}
_ID_OR_NONE = {"type": "string", "pattern": r"^([1-9][0-9]{0,8}|none)$"}
# the lists' query parameters: name -> (JSON schema, description)
PARAMS: dict[str, tuple[dict[str, Any], str]] = {
    "status": (
        {"type": "string", "enum": [*(s.value for s in TicketStatus), "open", "done"]},
        "a status, open, or done (办结: resolved or closed)",
    ),
    "category": ({"type": "string", "pattern": r"^[a-z_]{1,32}$"}, "a category's key"),
    "building": ({"type": "string", "pattern": r"^([1-9][0-9]{0,2}|none)$"}, "its number, or none"),
    "grid": (_ID_OR_NONE, "a grid's id, or none (no building, or a building in no grid)"),
    "handler": (_ID_OR_NONE, "the assignee's person id, or none (nobody's yet)"),
    "role": ({"type": "string", "enum": [r.value for r in POOLS]}, "the pool it is in"),
    "from": ({"type": "string", "pattern": DAY}, "received on this day or later"),
    "to": ({"type": "string", "pattern": DAY}, "received on this day or earlier"),
    "overdue": (_FLAG, "open and overdue now"),
    "responded": (_FLAG, "accepted, rejected or marked a duplicate"),
    "responded_on_time": (_FLAG, "answered at or before its time to respond"),
    "on_time": (_FLAG, "done, resolved at or before its promised time"),
    "rated": (_FLAG, "rated by the reporter"),
    "satisfied": (_FLAG, f"rated {SATISFIED_FROM} or 5"),
    "reopened": (_FLAG, "reopened at least once"),
    "ever_resolved": (_FLAG, "resolved at least once (done now, or reopened since)"),
}
