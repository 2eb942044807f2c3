"""The committee's lists of wishes (the console's wishes pages and their exports): a community's wishes by
state, each state in the order its work is done (the review queue oldest first, the board as the board
shows it, the claims lapsing soonest first...), a wish's history and claims, and the service record with
its filters. Who may see a resident's contact stays ``queries.wish_views``' rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.queryset import QuerySet

import content
from handlers.common.rules import Refusal
from handlers.wishes import board, queries
from handlers.wishes.models import ClaimStatus, ServiceRecord, Wish, WishClaim, WishEvent, WishStatus
from handlers.wishes.rules import rules
from storage.models import Person
from storage.pages import PageSlice, page_slice

__all__ = ["ClaimStatus", "WishStatus"]

EXPORT_LIMIT = 10_000
S = WishStatus
# each state's list in the order its work is done; "" is every state, newest first
ORDERS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: ("created_at", "id"),  # waiting longest first
    S.CHANGES: ("created_at", "id"),
    S.OPEN: ("-priority", "wanted_by", "-published_at", "-id"),  # back from a lapsed claim, then by date
    S.CLAIMED: ("-priority", "created_at", "id"),
    S.FULFILLED: ("fulfilled_at", "id"),  # waiting longest for the resident
    S.CONFIRMED: ("-confirmed_at", "-id"),
    "": ("-created_at", "-id"),
}
LAPSING_SOON = dt.timedelta(days=2)  # a claim not yet contacted this close to its end is shown as lapsing


@dataclass(frozen=True)
class WishFilter:
    status: str = ""  # a WishStatus value, or "" for every state
    category: str = ""
    since: dt.datetime | None = None  # posted at or after
    until: dt.datetime | None = None  # posted before


def _listed(community_id: int, filters: WishFilter) -> QuerySet[Wish]:
    return _of([community_id], filters)


def _of(community_ids: Sequence[int], filters: WishFilter) -> QuerySet[Wish]:
    query = Wish.filter(community_id__in=list(community_ids))
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.category:
        query = query.filter(category=filters.category)
    if filters.since is not None:
        query = query.filter(created_at__gte=filters.since)
    if filters.until is not None:
        query = query.filter(created_at__lt=filters.until)
    return query


async def wish_page(
    viewer: Person, community_id: int, filters: WishFilter, page: int, per_page: int
) -> PageSlice[queries.WishView]:
    """A page of the community's wishes as the committee sees them: six statements whatever its size."""
    order = ORDERS.get(filters.status, ORDERS[""])
    listed = await page_slice(_listed(community_id, filters), page, per_page, *order)
    return PageSlice(await queries.wish_views(viewer, listed.rows), page, per_page, listed.total)


async def wish_rows(viewer: Person, community_id: int, filters: WishFilter) -> list[queries.WishView]:
    """The whole filtered list in the page's order (the export): five statements."""
    order = ORDERS.get(filters.status, ORDERS[""])
    rows = await _listed(community_id, filters).order_by(*order).limit(EXPORT_LIMIT)
    return await queries.wish_views(viewer, rows)


async def street_wish_page(
    viewer: Person, community_ids: Sequence[int], filters: WishFilter, page: int, per_page: int
) -> PageSlice[queries.WishView]:
    """A page of the wishes of a street office's communities, in the community list's order: six
    statements whatever its size (``view.wish.community_id`` says whose)."""
    order = ORDERS.get(filters.status, ORDERS[""])
    listed = await page_slice(_of(community_ids, filters), page, per_page, *order)
    return PageSlice(await queries.wish_views(viewer, listed.rows), page, per_page, listed.total)


async def street_wish_rows(
    viewer: Person, community_ids: Sequence[int], filters: WishFilter
) -> list[queries.WishView]:
    """The whole filtered list in the page's order (the export): five statements."""
    order = ORDERS.get(filters.status, ORDERS[""])
    return await queries.wish_views(
        viewer, await _of(community_ids, filters).order_by(*order).limit(EXPORT_LIMIT)
    )


async def counts(community_id: int, filters: WishFilter | None = None) -> Counter[str]:
    """How many wishes the community has in each state (posted in the filter's days, when it has them): one
    statement."""
    days = WishFilter(since=filters.since, until=filters.until) if filters is not None else WishFilter()
    return Counter(str(s) for s in await _listed(community_id, days).values_list("status", flat=True))


def lapsing(view: queries.WishView, now: dt.datetime) -> bool:
    """An active claim nobody has acted on, about to lapse."""
    claim = view.claim
    return (
        claim is not None
        and claim.active
        and claim.contacted_at is None
        and claim.fulfilled_at is None
        and claim.contact_by - now <= LAPSING_SOON
    )


def sensitive(wish: Wish) -> bool:
    """Its words held a sensitive word when posted (personal data was masked already): the committee edits
    the public text before it can go on the board."""
    return any(str(flag).startswith("word:") for flag in wish.flags or [])


def categories() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in rules().categories.values()]


# -- one wish ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    at: dt.datetime
    actor: str
    action: str
    note: str


@dataclass(frozen=True)
class ClaimLine:
    claimer: str
    team: str
    status: str
    claimed_at: dt.datetime
    contact_by: dt.datetime
    contacted_at: dt.datetime | None
    ended_at: dt.datetime | None


async def history(wish_id: int) -> tuple[list[Step], list[ClaimLine]]:
    """The wish's steps and every claim of it, oldest first: three statements."""
    events = await WishEvent.filter(wish_id=wish_id).order_by("created_at", "id")
    claims = await WishClaim.filter(wish_id=wish_id).order_by("id")
    ids = {e.actor_id for e in events if e.actor_id} | {c.claimer_id for c in claims}
    names = dict(await Person.filter(id__in=ids).values_list("id", "name")) if ids else {}
    nobody = content.text("wishes.a_volunteer")
    system = content.text("wishes.console_system")
    steps = [
        Step(e.created_at, str(names.get(e.actor_id, "")) if e.actor_id else system, e.action, e.note)
        for e in events
    ]
    lines = [
        ClaimLine(
            str(names.get(c.claimer_id, "")) or nobody,
            c.team,
            str(c.status),
            c.claimed_at,
            c.contact_by,
            c.contacted_at,
            c.ended_at,
        )
        for c in claims
    ]
    return steps, lines


async def of_community(viewer: Person, community_id: int, wish_id: int) -> queries.WishView:
    """The wish, when it is the community's and the viewer (its committee) sees it; else not found."""
    view = await queries.visible(viewer, wish_id)
    if view.wish.community_id != community_id:
        raise Refusal("wishes.no_such_wish")
    return view


# -- the service record -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordFilter:
    volunteer: str = ""  # part of the name
    since: dt.date | None = None
    until: dt.date | None = None  # included


def _records(community_id: int, filters: RecordFilter) -> QuerySet[ServiceRecord]:
    return _records_of([community_id], filters)


def _records_of(community_ids: Sequence[int], filters: RecordFilter) -> QuerySet[ServiceRecord]:
    query = ServiceRecord.filter(community_id__in=list(community_ids))
    if filters.volunteer:
        query = query.filter(volunteer_name__icontains=filters.volunteer)
    if filters.since is not None:
        query = query.filter(served_on__gte=filters.since)
    if filters.until is not None:
        query = query.filter(served_on__lte=filters.until)
    return query


@dataclass(frozen=True)
class RecordTotals:
    records: int
    volunteers: int
    hours: float
    points: int


async def record_page(
    community_id: int, filters: RecordFilter, page: int, per_page: int
) -> tuple[PageSlice[board.RecordView], RecordTotals]:
    """A page of the record, newest first, and the filtered totals: four statements."""
    query = _records(community_id, filters)
    listed = await page_slice(query, page, per_page, "-served_on", "-id")
    totals = await _totals(query, listed.total)
    return PageSlice(await board.record_views(listed.rows), page, per_page, listed.total), totals


async def _totals(query: QuerySet[ServiceRecord], records: int) -> RecordTotals:
    """The filtered record's sums: one statement. Volunteers are people (as the figures count them), not
    names: two namesakes are two (a record whose person is gone: counted, as there, in no one)."""
    summed = await query.values_list("volunteer_id", "hours", "points")
    return RecordTotals(
        records=records,
        volunteers=len({person for person, _, _ in summed if person is not None}),
        hours=round(sum(float(h) for _, h, _ in summed), 2),
        points=sum(int(p) for _, _, p in summed),
    )


StreetRecord = tuple[int, int | None, board.RecordView]  # the community's id, the wish's id, the line


async def _street_records(records: Sequence[ServiceRecord]) -> list[StreetRecord]:
    views = await board.record_views(records)
    return [(r.community_id, r.wish_id, view) for r, view in zip(records, views, strict=True)]


async def street_record_page(
    community_ids: Sequence[int], filters: RecordFilter, page: int, per_page: int
) -> tuple[PageSlice[StreetRecord], RecordTotals]:
    """A page of the record of a street office's communities, newest first, and the filtered totals:
    four statements."""
    query = _records_of(community_ids, filters)
    listed = await page_slice(query, page, per_page, "-served_on", "-id")
    totals = await _totals(query, listed.total)
    return PageSlice(await _street_records(listed.rows), page, per_page, listed.total), totals


async def street_record_rows(community_ids: Sequence[int], filters: RecordFilter) -> list[StreetRecord]:
    """The filtered record in the page's order (the export): two statements."""
    rows = await _records_of(community_ids, filters).order_by("-served_on", "-id").limit(EXPORT_LIMIT)
    return await _street_records(rows)


async def record_rows(community_id: int, filters: RecordFilter) -> list[board.RecordView]:
    """The filtered record in the page's order (the export): two statements."""
    rows = await _records(community_id, filters).order_by("-served_on", "-id").limit(EXPORT_LIMIT)
    return await board.record_views(rows)
