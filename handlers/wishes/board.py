"""The read side of wishes: the public board, the public record (居务公开), the service record and rankings.

What the board shows of a wish is decided here and nowhere else: the masked public text, the category,
the name the resident allowed (or none), for self or for family, the wanted date. Never the resident, the
description as written, the relation, the address or a phone number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import content
from handlers.wishes.models import ClaimStatus, ServiceRecord, Wish, WishClaim, WishStatus
from handlers.wishes.rules import rules
from nlp.privacy import redact
from storage.models import Community
from storage.pages import page_slice

S = WishStatus
BOARD_LIMIT = 500  # a community's open wishes: tens, not thousands


@dataclass(frozen=True)
class PublicWish:
    id: int
    number: str
    category: str
    category_label: str
    text: str
    shown_as: str
    for_family: bool
    wanted_by: dt.date | None
    published_at: dt.datetime | None
    priority: bool
    overdue: bool


def public_view(wish: Wish, today: dt.date) -> PublicWish:
    return PublicWish(
        id=wish.id,
        number=wish.number,
        category=wish.category,
        category_label=rules().label(wish.category),
        text=wish.public_text,
        shown_as=wish.display_name or content.text("wishes.anonymous"),
        for_family=wish.beneficiary == "family",
        wanted_by=wish.wanted_by,
        published_at=wish.published_at,
        priority=wish.priority,
        overdue=wish.wanted_by is not None and wish.wanted_by < today,
    )


async def board(
    community_id: int, today: dt.date, *, category: str | None = None, sort: str = "urgent"
) -> list[PublicWish]:
    """Open wishes. ``urgent``: back from a lapsed claim first, then past their wanted date (the most
    overdue first), then the newest. ``newest``: by publication only."""
    query = Wish.filter(community_id=community_id, status=S.OPEN)
    if category:
        query = query.filter(category=category)
    shown = [public_view(w, today) for w in await query.order_by("-published_at", "-id").limit(BOARD_LIMIT)]
    if sort == "newest":
        return shown

    def rank(item: PublicWish) -> tuple[int, int, float]:
        published = item.published_at.timestamp() if item.published_at else 0.0
        if item.priority:
            return (0, 0, -published)
        if item.overdue and item.wanted_by is not None:
            return (1, item.wanted_by.toordinal(), 0.0)
        return (2, 0, -published)

    return sorted(shown, key=rank)


@dataclass
class VolunteerTotal:
    name: str
    wishes: int = 0
    hours: float = 0.0
    points: int = 0
    volunteer_id: int | None = None
    activities: int = 0  # volunteer activities attended (handlers/activities)


@dataclass(frozen=True)
class Story:
    number: str
    category_label: str
    text: str
    shown_as: str
    served_by: list[str]
    team: str
    thanks: str
    rating: int | None
    confirmed_on: dt.date | None


@dataclass
class Summary:
    received: int = 0
    in_review: int = 0
    on_board: int = 0
    in_progress: int = 0
    fulfilled: int = 0
    declined: int = 0
    withdrawn: int = 0
    average_days_to_fulfil: float | None = None
    volunteers: list[VolunteerTotal] = field(default_factory=list)
    total_hours: float = 0.0
    stories: list[Story] = field(default_factory=list)


async def summary(community_id: int, *, stories: int = 10) -> Summary:
    """居务公开: the numbers of a community's wishes, who served, and the stories residents let us tell."""
    counts: dict[str, int] = defaultdict(int)
    for status in await Wish.filter(community_id=community_id).values_list("status", flat=True):
        counts[str(status)] += 1
    out = Summary(
        received=sum(counts.values()),
        in_review=counts[S.SUBMITTED] + counts[S.CHANGES],
        on_board=counts[S.OPEN],
        in_progress=counts[S.CLAIMED] + counts[S.FULFILLED],
        fulfilled=counts[S.CONFIRMED],
        declined=counts[S.DECLINED],
        withdrawn=counts[S.WITHDRAWN],
    )
    done = await Wish.filter(community_id=community_id, status=S.CONFIRMED).order_by("-confirmed_at", "-id")
    spans = [(w.fulfilled_at - w.created_at).total_seconds() for w in done if w.fulfilled_at]
    if spans:
        out.average_days_to_fulfil = round(sum(spans) / len(spans) / 86400, 1)
    out.volunteers = await ranking(community_id)
    out.total_hours = round(sum(v.hours for v in out.volunteers), 1)
    told = [w for w in done if w.story_consent][:stories]
    served: dict[int, list[str]] = defaultdict(list)
    for wish_id, name in (
        await ServiceRecord.filter(wish_id__in=[w.id for w in told])
        .order_by("id")
        .values_list("wish_id", "volunteer_name")
    ):
        served[int(wish_id)].append(str(name))
    teams = {
        int(wish_id): str(team)
        for wish_id, team in await WishClaim.filter(
            wish_id__in=[w.id for w in told], status=ClaimStatus.DONE
        ).values_list("wish_id", "team")
    }
    for wish in told:
        out.stories.append(
            Story(
                number=wish.number,
                category_label=rules().label(wish.category),
                text=wish.public_text,
                shown_as=wish.display_name or content.text("wishes.anonymous"),
                served_by=served[wish.id],
                team=teams.get(wish.id, ""),
                thanks=redact(wish.thanks),
                rating=wish.rating,
                confirmed_on=wish.confirmed_at.date() if wish.confirmed_at else None,
            )
        )
    return out


async def ranking(community_id: int) -> list[VolunteerTotal]:
    """Volunteers by wishes fulfilled (confirmed service records; a claim counts for nothing), then hours."""
    totals: dict[object, VolunteerTotal] = {}
    for record in await ServiceRecord.filter(community_id=community_id).order_by("id"):
        key = record.volunteer_id or f"name:{record.volunteer_name}"
        total = totals.setdefault(
            key, VolunteerTotal(name=record.volunteer_name, volunteer_id=record.volunteer_id)
        )
        total.wishes += 1 if record.wish_id is not None else 0  # an activity attended is no wish
        total.activities += 1 if record.wish_id is None else 0
        total.hours = round(total.hours + record.hours, 2)
        total.points += record.points
    return sorted(totals.values(), key=lambda t: (-t.wishes, -t.hours, t.name))


@dataclass(frozen=True)
class RecordView:
    """One line of the service record, with the number of the wish served (or of the activity attended)."""

    id: int
    volunteer: str
    team: str
    wish_number: str  # empty for an activity
    activity_number: str  # empty for a wish
    activity: str
    served_on: dt.date
    hours: float
    points: int
    confirmed_as: str  # resident, or committee (for a resident)


async def record_views(records: Sequence[ServiceRecord]) -> list[RecordView]:
    """The records in their order, with their wishes' numbers: one statement whatever their number."""
    ids = list({r.wish_id for r in records if r.wish_id is not None})
    numbers = {w.id: w.number for w in await Wish.filter(id__in=ids).only("id", "created_at")} if ids else {}
    return [
        RecordView(
            id=r.id,
            volunteer=r.volunteer_name,
            team=r.team,
            wish_number=numbers.get(r.wish_id, "") if r.wish_id is not None else "",
            activity_number=r.reference if r.wish_id is None else "",
            activity=r.activity,
            served_on=r.served_on,
            hours=r.hours,
            points=r.points,
            confirmed_as=r.confirmed_as,
        )
        for r in records
    ]


@dataclass(frozen=True)
class Ledger:
    records: list[RecordView]  # newest first
    wishes: int
    hours: float
    points: int
    activities: int = 0  # volunteer activities attended


async def ledger_of(volunteer_id: int) -> Ledger:
    records = await ServiceRecord.filter(volunteer_id=volunteer_id).order_by("-served_on", "-id")
    return Ledger(
        records=await record_views(records),
        wishes=sum(1 for r in records if r.wish_id is not None),
        activities=sum(1 for r in records if r.wish_id is None),
        hours=round(sum(r.hours for r in records), 2),
        points=sum(r.points for r in records),
    )


async def records_of(
    community: Community, page: int, per_page: int
) -> tuple[list[RecordView], dict[str, int]]:
    """One page of a community's service record, newest first, and the page's numbers (``PageSlice.meta``)."""
    query = ServiceRecord.filter(community_id=community.id)
    listed = await page_slice(query, page, per_page, "-served_on", "-id")
    return await record_views(listed.rows), listed.meta


async def all_records_of(community: Community) -> list[RecordView]:
    """A community's whole service record, oldest first (the export)."""
    return await record_views(
        await ServiceRecord.filter(community_id=community.id).order_by("served_on", "id")
    )
