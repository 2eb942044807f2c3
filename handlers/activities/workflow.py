"""Activities without any transport: staff create (and cancel) an activity; residents and volunteers sign
up, cancel, wait; staff check people in by their code; on the clock, those with a place are reminded the
day before.

Capacity: a sign-up and a cancellation each take the activity's row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite runs one transaction at a time) before counting the places taken, so however many sign
up at once exactly ``capacity`` are confirmed and the rest wait in the order they came. A cancelled place
goes to the first on the waiting list in the same transaction, and they are told through the outbox.

Attendance of a volunteer activity is written to the service record by the wishes slice's own writer
(``handlers.wishes.workflow.record_service``), so volunteer hours come from wishes and activities alike.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import content
from handlers.activities import queries
from handlers.activities.models import Activity, ActivityStatus, Audience, Signup, SignupStatus
from handlers.activities.rules import rules
from handlers.common.rules import Refusal
from handlers.wishes.rules import rules as wish_rules
from handlers.wishes.workflow import ServiceDone, record_service
from storage.models import Building, Community, Person
from storage.outbox import notify

A = ActivityStatus
S = SignupStatus
STANDING = (S.CONFIRMED, S.WAITING)


@dataclass(frozen=True)
class CreateActivity:
    community: Community | int
    by: Person
    title: str
    place: str
    starts_at: dt.datetime
    capacity: int
    ends_at: dt.datetime | None = None  # None: the usual length after the start
    description: str = ""
    audience: Audience = Audience.RESIDENTS
    buildings: tuple[int, ...] = ()
    signup_deadline: dt.datetime | None = None  # None: until the start
    volunteer_service: bool = False
    hours: float = 0.0  # service hours of an attendance (a volunteer activity)
    points: int | None = None  # None: the hours at the wishes' points per hour


@dataclass(frozen=True)
class CheckedIn:
    name: str
    activity: queries.ActivityView
    hours: float  # entered in the service record (0: not a volunteer activity)
    points: int


# -- staff -----------------------------------------------------------------------------------------------
async def publish(cmd: CreateActivity, now: dt.datetime) -> Activity:
    community_id = cmd.community if isinstance(cmd.community, int) else cmd.community.id
    await queries.require_organiser(cmd.by, community_id)
    title, place = cmd.title.strip()[:64], cmd.place.strip()[:128]
    if len(title) < 2:
        raise Refusal("activities.title_needed")
    if not place:
        raise Refusal("activities.place_needed")
    if cmd.starts_at <= now:
        raise Refusal("activities.starts_in_the_past")
    ends_at = cmd.ends_at or cmd.starts_at + rules().default_length
    if ends_at <= cmd.starts_at:
        raise Refusal("activities.ends_before_start")
    if not 1 <= cmd.capacity <= rules().max_capacity:
        raise Refusal("activities.capacity_range", most=rules().max_capacity)
    deadline = cmd.signup_deadline or cmd.starts_at
    if not now < deadline <= cmd.starts_at:
        raise Refusal("activities.deadline_range")
    if cmd.volunteer_service and not 0 < cmd.hours <= 24:
        raise Refusal("activities.hours_range")
    hours = cmd.hours if cmd.volunteer_service else 0.0
    points = cmd.points if cmd.points is not None else round(hours * wish_rules().points_per_hour)
    if not 0 <= points <= 1000:
        raise Refusal("activities.points_range")
    numbers = sorted(set(cmd.buildings)) if cmd.audience == Audience.BUILDINGS else []
    if cmd.audience == Audience.BUILDINGS and not numbers:
        raise Refusal("activities.buildings_needed")
    known = set(
        await Building.filter(community_id=community_id, number__in=numbers).values_list("number", flat=True)
    )
    if missing := [n for n in numbers if n not in known]:
        raise Refusal("activities.no_building", number=missing[0])
    return await Activity.create(
        community_id=community_id,
        title=title,
        description=cmd.description.strip()[:2000],
        place=place,
        starts_at=cmd.starts_at,
        ends_at=ends_at,
        capacity=cmd.capacity,
        audience=cmd.audience,
        buildings=numbers,
        signup_deadline=deadline,
        volunteer_service=cmd.volunteer_service,
        hours=hours,
        points=points if cmd.volunteer_service else 0,
        created_by=cmd.by,
        created_at=now,
    )


async def cancel_activity(activity_id: int, by: Person, reason: str, now: dt.datetime) -> Activity:
    """Call the activity off, with a reason everyone signed up (or waiting) is told."""
    a = await _activity(activity_id)
    await queries.require_organiser(by, a.community_id)
    if len(reason.strip()) < 2:
        raise Refusal("activities.reason_needed")
    if a.status != A.OPEN or now >= a.starts_at:
        raise Refusal("activities.not_cancellable", title=a.title)
    async with in_transaction():
        if not await Activity.filter(id=a.id, status=A.OPEN).update(
            status=A.CANCELLED, status_note=reason.strip()[:500]
        ):
            raise Refusal("activities.not_cancellable", title=a.title)
        signed = await Signup.filter(activity_id=a.id, status__in=STANDING).select_related("person")
        text = content.text("activities.told_cancelled", title=a.title, number=a.number, reason=reason)
        for s in signed:
            await notify(s.person, f"activity:{a.id}:cancelled:{s.person_id}", text, now=now)
    return await Activity.get(id=a.id)


async def check_in(activity_id: int, by: Person, code: str, now: dt.datetime) -> CheckedIn:
    """Staff check in the person whose sign-up has ``code``; a volunteer activity's attendance enters
    the service record (hours and points), confirmed by the staff member, once."""
    a = await _activity(activity_id)
    await queries.require_organiser(by, a.community_id)
    if a.status != A.OPEN:
        raise Refusal("activities.cancelled", title=a.title)
    if now < a.starts_at - rules().checkin_opens:
        raise Refusal("activities.checkin_not_yet", title=a.title)
    if now > a.ends_at + rules().checkin_closes:
        raise Refusal("activities.checkin_over", title=a.title)
    signup = await Signup.get_or_none(activity_id=a.id, code=code.strip()).select_related("person")
    if signup is None or signup.status == S.CANCELLED:
        raise Refusal("activities.no_such_code", code=code.strip())
    person = signup.person
    name = person.name or content.text("activities.a_resident")
    if signup.status == S.WAITING:
        raise Refusal("activities.checkin_waiting", name=name)
    view = await queries.view_of(a)
    async with in_transaction():
        if not await Signup.filter(id=signup.id, attended_at=None).update(attended_at=now, checked_in_by=by):
            raise Refusal("activities.already_checked_in", name=name)
        if a.volunteer_service:
            await record_service(
                ServiceDone(
                    community_id=a.community_id,
                    volunteer=person,
                    activity=f"{rules().service_label}：{a.title}",
                    served_on=a.starts_at.date(),
                    hours=a.hours,
                    points=a.points,
                    confirmed_by=by,
                    confirmed_as="checkin",
                    activity_ref=a.id,
                    reference=a.number,
                ),
                now,
            )
    return CheckedIn(name, view, a.hours if a.volunteer_service else 0.0, a.points)


# -- residents and volunteers ------------------------------------------------------------------------------
async def sign_up(activity_id: int, person: Person, now: dt.datetime) -> Signup:
    """A place while there is one, else the waiting list; Refusal when the person may not join, or has
    signed up already."""
    a = await _activity(activity_id)
    await queries.may_join(person, await queries.view_of(a), now)
    async with in_transaction():
        locked = await Activity.filter(id=a.id).select_for_update().get()
        if locked.status != A.OPEN:
            raise Refusal("activities.cancelled", title=a.title)
        existing = await Signup.get_or_none(activity_id=a.id, person_id=person.id)
        if existing is not None and existing.status in STANDING:
            raise Refusal("activities.already_signed_up", title=a.title, number=a.number)
        taken = await Signup.filter(activity_id=a.id, status=S.CONFIRMED).count()
        status = S.CONFIRMED if taken < locked.capacity else S.WAITING
        confirmed_at = now if status == S.CONFIRMED else None
        if existing is not None:  # signed up again after cancelling: the same code, a new place in line
            await Signup.filter(id=existing.id).update(
                status=status, queued_at=now, confirmed_at=confirmed_at, cancelled_at=None
            )
            return await Signup.get(id=existing.id)
        return await _new_signup(locked, person, status, confirmed_at, now)


async def _new_signup(
    a: Activity, person: Person, status: SignupStatus, confirmed_at: dt.datetime | None, now: dt.datetime
) -> Signup:
    """The sign-up with a fresh code (drawn again in the rare case it is taken in that activity)."""
    digits = rules().code_digits
    for _ in range(20):
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        if await Signup.exists(activity_id=a.id, code=code):
            continue
        try:
            async with in_transaction():  # a savepoint: a code taken meanwhile undoes only this insert
                return await Signup.create(
                    activity=a,
                    person=person,
                    status=status,
                    code=code,
                    queued_at=now,
                    confirmed_at=confirmed_at,
                )
        except IntegrityError:
            if await Signup.exists(activity_id=a.id, person_id=person.id):
                raise Refusal("activities.already_signed_up", title=a.title, number=a.number) from None
    raise Refusal("activities.try_again")


async def cancel(activity_id: int, person: Person, now: dt.datetime) -> Signup | None:
    """Cancel the person's sign-up before the start; a place given back goes to the first on the waiting
    list, who is told. Returns the sign-up promoted, if any."""
    a = await _activity(activity_id)
    if now >= a.starts_at:
        raise Refusal("activities.started", title=a.title)
    async with in_transaction():
        await Activity.filter(id=a.id).select_for_update().get()
        mine = await Signup.get_or_none(activity_id=a.id, person_id=person.id, status__in=STANDING)
        if mine is None:
            raise Refusal("activities.not_signed_up", title=a.title)
        await Signup.filter(id=mine.id).update(status=S.CANCELLED, cancelled_at=now)
        if mine.status != S.CONFIRMED or a.status != A.OPEN:
            return None
        return await _promote(a, now)


async def _promote(a: Activity, now: dt.datetime) -> Signup | None:
    """The first on the waiting list takes the place given back (inside the caller's transaction, the
    activity's row held), and is told with their code."""
    first = await Signup.filter(activity_id=a.id, status=S.WAITING).order_by("queued_at", "id").first()
    if first is None:
        return None
    await Signup.filter(id=first.id).update(status=S.CONFIRMED, confirmed_at=now)
    view = await queries.view_of(a)
    await notify(
        await Person.get(id=first.person_id),
        f"activity:{a.id}:promoted:{first.id}:{now.timestamp():.0f}",
        content.text(
            "activities.told_promoted",
            title=a.title,
            number=a.number,
            when=queries.when(view),
            place=a.place,
            code=first.code,
        ),
        now=now,
        template="service_update",
        template_data={"title": a.title, "status": content.text("activities.status.confirmed")},
    )
    return await Signup.get(id=first.id)


# -- the clock -----------------------------------------------------------------------------------------
async def sweep(now: dt.datetime) -> int:
    """The periodic round: the day before an activity, remind everyone with a place (once, whichever
    worker is first). Returns how many were reminded."""
    told = 0
    due = await Activity.filter(
        status=A.OPEN, reminded_at=None, starts_at__gt=now, starts_at__lte=now + rules().remind_before
    )
    for a in due:
        async with in_transaction():
            if not await Activity.filter(id=a.id, reminded_at=None).update(reminded_at=now):
                continue
            view = await queries.view_of(a)
            signed = await Signup.filter(activity_id=a.id, status=S.CONFIRMED).select_related("person")
            for s in signed:
                await notify(
                    s.person,
                    f"activity:{a.id}:reminder:{s.person_id}",
                    content.text(
                        "activities.told_reminder",
                        title=a.title,
                        when=queries.when(view),
                        place=a.place,
                        code=s.code,
                    ),
                    now=now,
                    template="service_update",
                    template_data={"title": a.title, "status": content.text("activities.status.confirmed")},
                )
                told += 1
    return told


async def _activity(activity_id: int) -> Activity:
    a = await Activity.get_or_none(id=activity_id)
    if a is None:
        raise Refusal("activities.no_such_activity")
    return a
