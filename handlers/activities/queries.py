"""Every read of activities the chat and the API need: who may join which (decided here once, for the
sign-up, the chat's list and the API alike), what is open to a person, their sign-ups, a roster for staff.

Views are built in batch: a list of N activities is a constant number of statements (the activities, one
grouped count of their sign-ups, the caller's own sign-ups). The edges import no models: the enums they
need are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count

import content
from handlers.activities.models import Activity, ActivityStatus, Audience, Signup, SignupStatus
from handlers.common import formats
from handlers.common.rules import Refusal
from storage.models import Community, Home, Person, Role, RoleName
from storage.pages import PageSlice, page_slice

__all__ = ["ActivityStatus", "Audience", "SignupStatus"]

A = ActivityStatus
ORGANISERS = frozenset({RoleName.COMMITTEE, RoleName.GRID_WORKER, RoleName.STREET_OFFICE})
SERVING = frozenset({RoleName.VOLUNTEER, RoleName.PARTY_MEMBER})
LIST_LIMIT = 30  # a community's upcoming activities: a handful, not hundreds


@dataclass(frozen=True)
class ActivityView:
    id: int
    number: str
    community_id: int
    title: str
    description: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    audience: Audience
    buildings: tuple[int, ...]
    signup_deadline: dt.datetime
    volunteer_service: bool
    hours: float
    points: int
    status: ActivityStatus
    status_note: str
    confirmed: int  # places taken
    waiting: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.confirmed)


@dataclass(frozen=True)
class SignupView:
    activity: ActivityView
    status: SignupStatus
    code: str
    position: int | None  # on the waiting list, 1-based
    attended: bool


@dataclass(frozen=True)
class RosterLine:
    name: str
    status: SignupStatus
    code: str
    attended: bool


def _view(a: Activity, counts: dict[tuple[int, str], int]) -> ActivityView:
    return ActivityView(
        id=a.id,
        number=a.number,
        community_id=a.community_id,
        title=a.title,
        description=a.description,
        place=a.place,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        capacity=a.capacity,
        audience=Audience(a.audience),
        buildings=tuple(a.buildings or ()),
        signup_deadline=a.signup_deadline,
        volunteer_service=a.volunteer_service,
        hours=a.hours,
        points=a.points,
        status=A(a.status),
        status_note=a.status_note,
        confirmed=counts.get((a.id, SignupStatus.CONFIRMED.value), 0),
        waiting=counts.get((a.id, SignupStatus.WAITING.value), 0),
    )


async def views(activities: Sequence[Activity]) -> list[ActivityView]:
    """The activities with their places taken and waiting: one grouped statement whatever their number."""
    if not activities:
        return []
    rows = (
        await Signup.filter(activity_id__in=[a.id for a in activities])
        .exclude(status=SignupStatus.CANCELLED)
        .annotate(n=Count("id"))
        .group_by("activity_id", "status")
        .values_list("activity_id", "status", "n")
    )
    counts = {(int(aid), str(status)): int(n) for aid, status, n in rows}
    return [_view(a, counts) for a in activities]


async def view_of(a: Activity) -> ActivityView:
    [found] = await views([a])
    return found


async def find(activity_id: int) -> ActivityView:
    """The activity; Refusal (not found) when there is none."""
    a = await Activity.get_or_none(id=activity_id)
    if a is None:
        raise Refusal("activities.no_such_activity")
    return await view_of(a)


# -- who may join ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JoinerPlace:
    """Where a person stands for activities: their home's community and building, and their roles by
    community."""

    community_id: int | None
    building: int | None
    roles: dict[int, frozenset[RoleName]]

    def communities(self) -> set[int]:
        """The communities whose activities they may hear of: their home's, and where they serve."""
        found = {cid for cid, roles in self.roles.items() if roles & SERVING}
        return found | ({self.community_id} if self.community_id is not None else set())


async def place_of(person: Person) -> JoinerPlace:
    """Two statements: the roles, and the home's building (when bound)."""
    roles: dict[int, set[RoleName]] = {}
    for cid, role in await Role.filter(person_id=person.id).values_list("community_id", "role"):
        roles.setdefault(int(cid), set()).add(RoleName(str(role)))
    building = None
    if person.home_id is not None:
        home = await Home.filter(id=person.home_id).select_related("building").first()
        building = home.building.number if home is not None else None
    return JoinerPlace(
        person.community_id if person.home_id is not None else None,
        building,
        {cid: frozenset(r) for cid, r in roles.items()},
    )


async def belongs_somewhere(person: Person) -> bool:
    """Bound to a home, or serving (volunteer, party member) in some community: activities to show."""
    return bool((await place_of(person)).communities())


def refusal_for(a: ActivityView, place: JoinerPlace, now: dt.datetime) -> Refusal | None:
    """Why the person at ``place`` may not sign up for ``a`` now, or None when they may."""
    if a.status == A.CANCELLED:
        return Refusal("activities.cancelled", title=a.title)
    if now >= a.starts_at:
        return Refusal("activities.started", title=a.title)
    if now >= a.signup_deadline:
        return Refusal("activities.deadline_passed", title=a.title)
    roles = place.roles.get(a.community_id, frozenset())
    resident = place.community_id == a.community_id
    if a.audience == Audience.RESIDENTS and not (resident or roles & SERVING):
        return Refusal("activities.not_your_community")
    if a.audience == Audience.VOLUNTEERS and not roles & SERVING:
        return Refusal("activities.volunteers_only")
    if a.audience == Audience.PARTY_MEMBERS and RoleName.PARTY_MEMBER not in roles:
        return Refusal("activities.party_members_only")
    if a.audience == Audience.BUILDINGS and not (resident and place.building in a.buildings):
        return Refusal("activities.not_in_buildings", buildings=describe_audience(a))
    return None


async def may_join(person: Person, a: ActivityView, now: dt.datetime) -> None:
    refusal = refusal_for(a, await place_of(person), now)
    if refusal is not None:
        raise refusal


async def may_organise(person: Person, community_id: int) -> bool:
    found = await Role.filter(person_id=person.id, community_id=community_id, role__in=list(ORGANISERS))
    return bool(found)


async def require_organiser(person: Person, community_id: int) -> None:
    if not await may_organise(person, community_id):
        raise Refusal("activities.staff_only")


async def organiser_community(person: Person) -> int:
    """The community a staff member organises in from the chat: their own, else the one they serve in."""
    rows: list[Any] = await Role.filter(person_id=person.id, role__in=list(ORGANISERS)).values_list(
        "community_id", flat=True
    )
    ids = sorted({int(cid) for cid in rows})
    if not ids:
        raise Refusal("activities.staff_only")
    own = person.community_id
    return own if own is not None and own in ids else ids[0]


# -- lists -------------------------------------------------------------------------------------------------
async def open_to(person: Person, now: dt.datetime) -> list[tuple[ActivityView, SignupStatus | None]]:
    """The activities the person may still sign up for (or has), soonest first, with their own sign-up's
    status: five statements however many there are."""
    place = await place_of(person)
    communities = place.communities()
    if not communities:
        return []
    found = await views(
        await Activity.filter(
            community_id__in=list(communities), status=A.OPEN, signup_deadline__gt=now, starts_at__gt=now
        )
        .order_by("starts_at", "id")
        .limit(LIST_LIMIT)
    )
    mine = await _my_statuses(person, [a.id for a in found])
    return [(a, mine.get(a.id)) for a in found if refusal_for(a, place, now) is None]


async def _my_statuses(person: Person, activity_ids: list[int]) -> dict[int, SignupStatus]:
    rows = await Signup.filter(person_id=person.id, activity_id__in=activity_ids).values_list(
        "activity_id", "status"
    )
    return {int(aid): SignupStatus(str(s)) for aid, s in rows if str(s) != SignupStatus.CANCELLED}


async def my_signups(person: Person, now: dt.datetime) -> list[SignupView]:
    """The person's sign-ups that still stand, for activities not over, soonest first: four statements."""
    rows = await Signup.filter(
        person_id=person.id,
        status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING],
        activity__ends_at__gt=now,
        activity__status=A.OPEN,
    ).select_related("activity")
    activities = await views([s.activity for s in rows])
    by_id = {a.id: a for a in activities}
    waiting = [s for s in rows if s.status == SignupStatus.WAITING]
    positions = await _positions(waiting)
    out = [
        SignupView(
            activity=by_id[s.activity_id],
            status=SignupStatus(s.status),
            code=s.code,
            position=positions.get(s.id),
            attended=s.attended_at is not None,
        )
        for s in rows
    ]
    return sorted(out, key=lambda v: (v.activity.starts_at, v.activity.id))


async def _positions(waiting: Sequence[Signup]) -> dict[int, int]:
    """Each waiting sign-up's place on its activity's waiting list: one statement."""
    if not waiting:
        return {}
    queue = (
        await Signup.filter(
            activity_id__in=list({s.activity_id for s in waiting}), status=SignupStatus.WAITING
        )
        .order_by("queued_at", "id")
        .values_list("id", "activity_id")
    )
    seen: dict[int, int] = {}
    positions: dict[int, int] = {}
    for sid, aid in queue:
        seen[int(aid)] = seen.get(int(aid), 0) + 1
        positions[int(sid)] = seen[int(aid)]
    return positions


async def signup_of(person: Person, activity_id: int) -> SignupView | None:
    """The person's standing sign-up for the activity (with its place on the waiting list), or None."""
    s = await Signup.get_or_none(
        person_id=person.id,
        activity_id=activity_id,
        status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING],
    ).select_related("activity")
    if s is None:
        return None
    positions = await _positions([s]) if s.status == SignupStatus.WAITING else {}
    return SignupView(
        activity=await view_of(s.activity),
        status=SignupStatus(s.status),
        code=s.code,
        position=positions.get(s.id),
        attended=s.attended_at is not None,
    )


async def community_page(
    community: Community, upcoming_from: dt.datetime | None, page: int, per_page: int
) -> PageSlice[ActivityView]:
    """A community's activities, soonest first (only those not over, when ``upcoming_from``): three
    statements."""
    query = Activity.filter(community_id=community.id)
    if upcoming_from is not None:
        query = query.filter(ends_at__gt=upcoming_from, status=A.OPEN)
    listed = await page_slice(query, page, per_page, "starts_at", "id")
    return PageSlice(await views(listed.rows), **listed.meta)


async def roster(activity_id: int, viewer: Person) -> tuple[ActivityView, list[RosterLine]]:
    """Who signed up (with places first, then the waiting list in order), for the activity's organisers:
    three statements."""
    a = await find(activity_id)
    await require_organiser(viewer, a.community_id)
    rows = (
        await Signup.filter(activity_id=a.id)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("person")
        .order_by("queued_at", "id")
    )
    ordered = sorted(rows, key=lambda s: s.status != SignupStatus.CONFIRMED)
    return a, [
        RosterLine(
            name=s.person.name or content.text("activities.a_resident"),
            status=SignupStatus(s.status),
            code=s.code,
            attended=s.attended_at is not None,
        )
        for s in ordered
    ]


# -- words -----------------------------------------------------------------------------------------------
def describe_audience(a: ActivityView) -> str:
    if a.audience == Audience.BUILDINGS:
        return "、".join(f"{n}栋" for n in a.buildings)
    return content.text(f"activities.audience.{a.audience.value}")


def when(a: ActivityView) -> str:
    """12月5日（周六） 14:00-16:00"""
    end = f"{a.ends_at:%H:%M}" if a.ends_at.date() == a.starts_at.date() else formats.day_time(a.ends_at)
    return f"{formats.day_time(a.starts_at)}-{end}"


def places_label(a: ActivityView) -> str:
    if a.left:
        return content.text("activities.places_left", left=a.left, capacity=a.capacity)
    return content.text("activities.full", waiting=a.waiting)


def service_label(a: ActivityView) -> str:
    if not a.volunteer_service:
        return ""
    return content.text("activities.service_line", hours=f"{a.hours:g}", points=a.points)
