"""Whose figures (a community, or a street office's communities), for whom (staff, with links to the rows,
or the public, without), and the links themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.figures.period import Period
from handlers.figures.views import Link, Links, ListName
from handlers.repairs.filters import TicketFilter
from storage.models import Community

# a ticket figure -> what its rows are, beside the row's own filter (a rate: its numerator's rows)
_TICKET_ROWS: dict[str, dict[str, Any]] = {
    "received": {},
    "done": {"done": True},
    "done_rate": {"done": True},
    "responded": {"responded": True},
    "responded_on_time": {"responded_on_time": True},
    "response_rate": {"responded_on_time": True},
    "on_time": {"on_time": True},
    "on_time_rate": {"on_time": True},
    "rated": {"rated": True},
    "average_rating": {"rated": True},
    "satisfied": {"satisfied": True},
    "satisfied_share": {"satisfied": True},
    "reopened": {"reopened": True},
    "ever_resolved": {"ever_resolved": True},
    "reopen_rate": {"reopened": True},
    "median_hours_to_resolve": {"done": True},
    "overdue_open": {"overdue": True},
}
# the same as the lists' query parameters
TICKET_ROWS = {figure: TicketFilter(**rows).params() for figure, rows in _TICKET_ROWS.items()}
# the distinct rows, each with the figures whose rows they are (a rate and its numerator share a link)
_SHARED: dict[tuple[tuple[str, str], ...], list[str]] = {}
for _figure, _params in TICKET_ROWS.items():
    _SHARED.setdefault(tuple(sorted(_params.items())), []).append(_figure)


@dataclass(frozen=True)
class Where:
    communities: Mapping[int, Community]  # id -> community, in the order shown
    period: Period
    now: dt.datetime
    linked: bool = True  # staff: every figure links to its rows; the public: no links
    by_place: bool = True  # broken down by grid and handler (a street office's overview page: per community)

    @property
    def ids(self) -> list[int]:
        return list(self.communities)

    @property
    def single(self) -> str | None:
        """The community's code when the figures are one community's."""
        return next(iter(self.communities.values())).code if len(self.communities) == 1 else None

    def code_of(self, community_id: int | None) -> str | None:
        if community_id is None:
            return self.single
        return self.communities[community_id].code

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return self.period.bounds(self.now)

    def ticket_links(self, community_id: int | None, row: TicketFilter | None = None) -> Links:
        """The links of a ticket figures' block: the period, the row's filter and each figure's own."""
        if not self.linked:
            return {}
        start, end = self.bounds()
        base = dataclasses.replace(row or TicketFilter(), since=start, until=end).params()
        code = self.code_of(community_id)
        shared: Links = {}  # one link for the figures of the same rows (a street office's year: thousands)
        for extra, figures in _SHARED.items():
            # validated: pydantic 2 builds a small model faster this way than by model_construct
            link = Link(list="tickets", community=code, params={**base, **dict(extra)})
            shared |= dict.fromkeys(figures, link)
        return {figure: shared[figure] for figure in TICKET_ROWS}

    def links(self, name: ListName, community_id: int | None, rows: Mapping[str, Mapping[str, str]]) -> Links:
        """Links to another list than tickets: figure -> that list's parameters, with the period's."""
        if not self.linked:
            return {}
        code = self.code_of(community_id)
        return {
            figure: Link(list=name, community=code, params={**params, **self.period.params()})
            for figure, params in rows.items()
        }

    def backlog_links(self, community_id: int | None) -> Links:
        """The overdue backlog's link: every ticket open and overdue now, whenever received."""
        if not self.linked:
            return {}
        code = self.code_of(community_id)
        return {
            "overdue_backlog": Link(
                list="tickets", community=code, params=TicketFilter(overdue=True).params()
            )
        }


def ratio(part: int, whole: int, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None
