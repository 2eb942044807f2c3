"""The committee's lists of consultations and proposals for the staff console (its pages and their exports):
a community's consultations with the turnout of the open ones, one consultation of the community, the
buildings the launch form offers, a proposal to launch from. Who took part (never how) is
``queries.participants``; results and the log's check are ``queries``' too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from handlers.common.rules import Refusal
from handlers.register.register_queries import building_choices
from handlers.votes import queries
from handlers.votes.models import Consultation, Proposal
from handlers.votes.queries import ConsultationView, ProposalView, proposal_view, view_of
from storage.pages import PageSlice, page_slice

__all__ = ["building_choices"]

EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Listed:
    """A consultation in the committee's list: how many took part so far (open ones) or in the end."""

    consultation: ConsultationView
    turnout: int | None
    eligible: int | None


def _consultations(
    community_id: int, status: str, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[Consultation]:
    """The community's, of a status (or all), closed in [since, until) when given (what a figure links)."""
    return _of_street([community_id], StreetFilter(status, since, until))


async def _with_turnout(community_id: int, views: list[ConsultationView]) -> list[Listed]:
    """Each with its turnout: the open ones' counted now (``queries.running``), the closed ones' result."""
    running = (
        {r.consultation.id: r for r in await queries.running(community_id)}
        if any(c.status == queries.ConsultationStatus.OPEN for c in views)
        else {}
    )
    out = []
    for c in views:
        now = running.get(c.id)
        if now is not None:
            out.append(Listed(c, now.turnout, now.eligible))
        elif c.result is not None:
            out.append(Listed(c, c.result.turnout, c.result.eligible))
        else:
            out.append(Listed(c, None, None))
    return out


async def consultation_page(
    community_id: int,
    status: str,
    page: int,
    per_page: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> PageSlice[Listed]:
    """A page of the community's consultations, newest first: two statements, and the open ones' turnout
    in four more."""
    query = _consultations(community_id, status, since, until)
    listed = await page_slice(query, page, per_page, "-created_at", "-id")
    views = [view_of(c) for c in listed.rows]
    return PageSlice(await _with_turnout(community_id, views), page, per_page, listed.total)


async def consultation_rows(
    community_id: int, status: str, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[Listed]:
    """The whole filtered list in the page's order (the export)."""
    query = _consultations(community_id, status, since, until)
    rows = await query.order_by("-created_at", "-id").limit(EXPORT_LIMIT)
    return await _with_turnout(community_id, [view_of(c) for c in rows])


# -- a street office's: its communities' consultations, read only ----------------------------------------
@dataclass(frozen=True)
class StreetFilter:
    status: str = ""  # a ConsultationStatus value, or "" for every one
    since: dt.datetime | None = None  # closed (counted) at or after
    until: dt.datetime | None = None  # closed before


def _of_street(community_ids: Sequence[int], filters: StreetFilter) -> QuerySet[Consultation]:
    query = Consultation.filter(community_id__in=list(community_ids))
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.since is not None:
        query = query.filter(closed_at__gte=filters.since)
    if filters.until is not None:
        query = query.filter(closed_at__lt=filters.until)
    return query


def _published(views: list[ConsultationView]) -> list[Listed]:
    """Each with the turnout its result published (the open ones' is counted on the community's page)."""
    return [
        Listed(c, c.result.turnout, c.result.eligible) if c.result else Listed(c, None, None) for c in views
    ]


async def street_consultation_page(
    community_ids: Sequence[int], filters: StreetFilter, page: int, per_page: int
) -> PageSlice[Listed]:
    """A page of the consultations of a street office's communities, newest first: two statements."""
    listed = await page_slice(_of_street(community_ids, filters), page, per_page, "-created_at", "-id")
    return PageSlice(_published([view_of(c) for c in listed.rows]), page, per_page, listed.total)


async def street_consultation_rows(community_ids: Sequence[int], filters: StreetFilter) -> list[Listed]:
    """The whole filtered list in the page's order (the export): one statement."""
    query = _of_street(community_ids, filters).order_by("-created_at", "-id").limit(EXPORT_LIMIT)
    return _published([view_of(c) for c in await query])


async def of_community(community_id: int, consultation_id: int) -> Listed:
    """The consultation, when it is the community's (else not found), with its turnout."""
    c = await queries.find(consultation_id)
    if c is None or c.community_id != community_id:
        raise Refusal("votes.no_such_consultation")
    [listed] = await _with_turnout(community_id, [c])
    return listed


def _proposals(community_id: int, status: str) -> QuerySet[Proposal]:
    query = Proposal.filter(community_id=community_id)
    return query.filter(status=status) if status else query


async def proposal_page(community_id: int, status: str, page: int, per_page: int) -> PageSlice[ProposalView]:
    """A page of the community's proposals, the oldest unanswered first: two statements."""
    listed = await page_slice(_proposals(community_id, status), page, per_page, "created_at", "id")
    return PageSlice([proposal_view(p) for p in listed.rows], page, per_page, listed.total)


async def proposal_rows(community_id: int, status: str) -> list[ProposalView]:
    rows = await _proposals(community_id, status).order_by("created_at", "id").limit(EXPORT_LIMIT)
    return [proposal_view(p) for p in rows]


async def proposal_of(community_id: int, proposal_id: int) -> ProposalView:
    """The community's proposal (a consultation is launched from it); else not found."""
    found = await Proposal.get_or_none(id=proposal_id, community_id=community_id)
    if found is None:
        raise Refusal("votes.no_such_proposal")
    return proposal_view(found)
