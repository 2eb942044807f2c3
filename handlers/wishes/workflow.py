"""Wishes without any transport: post, review, revise, withdraw, claim, contact, release, fulfil, confirm,
say it is not done; and on the clock, remind and lapse claims, remind residents to confirm.

Every change is one step of ``STATES`` through ``handlers.common.transitions.transition`` (as tickets): the
conditional update of the wish (so that of many people acting at once exactly one wins), a ``WishEvent``,
the claim's side of the step and the notifications it causes, in one transaction. The columns a step sets
besides the status are the step's own or its operation's (``revise``, ``approve``, ``confirm``), never a
caller's ``**values``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.common.transitions import SYSTEM, Notice, StateTable, Step, transition
from handlers.register import verify_queries
from handlers.residents.workflow import roles_of as roles_in
from handlers.wishes.models import (
    Beneficiary,
    ClaimStatus,
    ServiceRecord,
    Wish,
    WishClaim,
    WishEvent,
    WishPhoto,
    WishStatus,
)
from handlers.wishes.rules import rules
from nlp.privacy import inspect, redact
from storage.db import once
from storage.models import Community, Person, Role, RoleName
from storage.outbox import notify

S = WishStatus
CLAIMERS = (RoleName.VOLUNTEER, RoleName.PARTY_MEMBER)


@dataclass(frozen=True)
class PostWish:
    resident: Person
    community: Community
    description: str
    source_key: str
    category: str = ""  # empty: from the words
    beneficiary: Beneficiary = Beneficiary.SELF
    relation: str = ""
    wanted_by: dt.date | None = None
    display_name: str = ""  # empty: anonymous on the board


# by: resident; committee; claimer (holds the active claim); volunteer (a volunteer or party member of the
# community, not the wish's resident); resident_or_committee; system (the clock)
MOVES: dict[str, Step[WishStatus]] = {
    "approve": Step(S.OPEN, (S.SUBMITTED,), "committee"),
    "ask_changes": Step(S.CHANGES, (S.SUBMITTED,), "committee"),
    "decline": Step(S.DECLINED, (S.SUBMITTED, S.CHANGES), "committee"),
    "revise": Step(S.SUBMITTED, (S.SUBMITTED, S.CHANGES), "resident"),
    "withdraw": Step(S.WITHDRAWN, (S.SUBMITTED, S.CHANGES, S.OPEN, S.CLAIMED), "resident"),
    "claim": Step(S.CLAIMED, (S.OPEN,), "volunteer"),
    "contacted": Step(S.CLAIMED, (S.CLAIMED,), "claimer"),
    "release": Step(S.OPEN, (S.CLAIMED,), "claimer"),
    "fulfil": Step(S.FULFILLED, (S.CLAIMED,), "claimer"),
    "confirm": Step(S.CONFIRMED, (S.FULFILLED,), "resident_or_committee"),
    "not_done": Step(S.CLAIMED, (S.FULFILLED,), "resident"),
    "lapse": Step(S.OPEN, (S.CLAIMED,), SYSTEM),
}


def status_label(status: WishStatus | str, *, resident: bool = True) -> str:
    """The state in words; for anyone but the wish's resident without "您" (a volunteer or the committee
    reading "待您确认" would think it is theirs to do)."""
    value = WishStatus(status).value
    seen = f"wishes.status_seen.{value}"
    return content.text(seen if not resident and seen in content.messages() else f"wishes.status.{value}")


async def active_claim(wish: Wish) -> WishClaim | None:
    return await active_claim_of(wish.id)


async def active_claim_of(wish_id: int) -> WishClaim | None:
    return await WishClaim.get_or_none(wish_id=wish_id, status=ClaimStatus.ACTIVE)


async def _authorise(wish: Wish, by: str, actor: Person | None) -> None:
    if by == SYSTEM:
        return
    if actor is None:
        raise Refusal("wishes.not_allowed")
    is_resident = actor.id == wish.resident_id
    if by == "resident" and is_resident:
        return
    if by == "claimer":
        claim = await active_claim(wish)
        if claim is not None and claim.claimer_id == actor.id:
            return
        raise Refusal("wishes.not_allowed")
    roles = await roles_in(actor, wish.community_id)
    if by == "resident_or_committee" and (is_resident or RoleName.COMMITTEE in roles):
        return
    if by == "committee" and RoleName.COMMITTEE in roles:
        return
    if by == "volunteer" and roles & set(CLAIMERS):
        if is_resident:
            raise Refusal("wishes.own_wish")
        return
    raise Refusal("wishes.not_allowed")


STATES: StateTable[Wish, WishStatus] = StateTable(
    model=Wish,
    events=WishEvent,
    owner="wish_id",
    steps=MOVES,
    authorise=_authorise,
    label=status_label,
    missing="wishes.no_such_wish",
    not_now="wishes.not_now",
    lost="wishes.someone_else",
)


# -- who is told -----------------------------------------------------------------------------------------
def _notice(person: Person, wish: Wish, what: str, now: dt.datetime, **values: Any) -> Notice:
    """``wishes.told_<what>`` for one person, as a service update."""
    return Notice(
        person,
        f"wish:{wish.id}:{what}:{now.timestamp():.0f}:{person.id}",
        content.text(f"wishes.told_{what}", number=wish.number, **values),
        "service_update",
        {"title": wish.number, "status": status_label(wish.status)},
    )


async def _committee(wish: Wish, key: str, now: dt.datetime, **values: Any) -> list[Notice]:
    """``key`` for every committee member of the wish's community."""
    members = await Role.filter(community_id=wish.community_id, role=RoleName.COMMITTEE).prefetch_related(
        "person"
    )
    text = content.text(key, number=wish.number, category=rules().label(wish.category), **values)
    return [
        Notice(m.person, f"wish:{wish.id}:{key}:{now.timestamp():.0f}:{m.person.id}", text) for m in members
    ]


async def _send(notices: Iterable[Notice], now: dt.datetime) -> None:
    """Record notices outside a step (a step's own go through ``transition``)."""
    for n in notices:
        await notify(n.person, n.key, n.text, now=now, template=n.template, template_data=n.template_data)


# -- posting ---------------------------------------------------------------------------------------
def screen(text: str) -> tuple[str, list[str]]:
    """(the text the board may show, what was found): personal data masked; sensitive words flagged."""
    found = inspect(text, rules().sensitive_words)
    return redact(text).strip()[:500], [*found.personal, *(f"word:{w}" for w in found.words)]


async def post(cmd: PostWish, now: dt.datetime) -> Wish:
    """File a wish (once per source message) for the committee's review."""
    return await once(Wish, cmd.source_key, lambda: _post(cmd, now))


async def _post(cmd: PostWish, now: dt.datetime) -> Wish:
    description = cmd.description.strip()[:1000]
    if len(description) < 2:
        raise Refusal("wishes.too_short")
    if cmd.wanted_by is not None and cmd.wanted_by < now.date():
        raise Refusal("wishes.date_past")
    await verify_queries.require(cmd.resident, "wish")  # a home verified, where the community asks it
    category = cmd.category or rules().category_in_text(description).key
    if category not in rules().categories:
        raise Refusal("wishes.no_category")
    public_text, flags = screen(description)
    async with in_transaction():
        wish = await Wish.create(
            community=cmd.community,
            resident=cmd.resident,
            category=category,
            description=description,
            public_text=public_text,
            beneficiary=cmd.beneficiary,
            relation=cmd.relation[:16],
            wanted_by=cmd.wanted_by,
            display_name=cmd.display_name[:16],
            flags=flags,
            source_key=cmd.source_key,
            created_at=now,
        )
        await WishEvent.create(
            wish=wish, actor=cmd.resident, action="submit", to_status=S.SUBMITTED, created_at=now
        )
        await _send(
            await _committee(wish, "wishes.committee_new", now, text=formats.clip(public_text, 60)), now
        )
    return wish


# -- moving ----------------------------------------------------------------------------------------
def _columns(action: str, now: dt.datetime, note: str) -> dict[str, Any]:
    """What a step records besides the status."""
    if action == "approve":
        return {"published_at": now, "review_note": note}
    if action in ("ask_changes", "decline"):
        return {"review_note": note}
    if action == "lapse":
        return {"priority": True}  # back on the board first in line
    if action == "claim":
        return {"priority": False}
    if action == "fulfil":
        return {"fulfilled_at": now, "confirm_reminded": False}
    if action == "confirm":
        return {"confirmed_at": now}
    if action == "not_done":
        return {"fulfilled_at": None}
    return {}


async def _step(
    wish_id: int,
    action: str,
    actor: Person | None,
    now: dt.datetime,
    note: str = "",
    operands: Mapping[str, Any] | None = None,
) -> Wish:
    """Take step ``action``; ``operands``: the columns of its operation (revise, approve, confirm)."""
    wish = await STATES.load(wish_id)
    claim = await active_claim(wish)

    async def reason() -> None:
        """Sending a wish back or declining it says why (checked after the state)."""
        if action in ("ask_changes", "decline") and not note.strip():
            raise Refusal("wishes.reason_needed")

    return await transition(
        STATES,
        wish,
        action,
        actor,
        now,
        note=note,
        changes=_columns(action, now, note) | dict(operands or {}),
        guard=reason,
        then=lambda fresh: _after(action, fresh, claim, actor, note, now),
    )


async def move(wish_id: int, action: str, actor: Person | None, now: dt.datetime, *, note: str = "") -> Wish:
    """Take step ``action``; raise Refusal when it is not allowed now, or someone else was first. The steps
    with operands have their own operations: ``revise``, ``approve``, ``claim``, ``fulfil``, ``confirm``."""
    return await _step(wish_id, action, actor, now, note)


async def _after(
    action: str, wish: Wish, claim: WishClaim | None, actor: Person | None, note: str, now: dt.datetime
) -> list[Notice]:
    """The claim's side of a step, and who is told."""
    resident = await Person.get(id=wish.resident_id)
    label = rules().label(wish.category)
    if action in ("approve", "ask_changes", "decline"):
        return [_notice(resident, wish, action, now, note=formats.remark(note), category=label)]
    if action == "revise":
        return await _committee(
            wish, "wishes.committee_revised", now, text=formats.clip(wish.public_text, 60)
        )
    if action == "fulfil":
        return [_notice(resident, wish, "fulfilled", now, note=formats.remark(formats.clip(note, 100)))]
    if claim is None:
        return []
    if action == "withdraw":
        await WishClaim.filter(id=claim.id).update(status=ClaimStatus.ENDED, ended_at=now)
        return [_notice(await Person.get(id=claim.claimer_id), wish, "withdrawn_claimer", now)]
    if action == "contacted":
        await WishClaim.filter(id=claim.id).update(contacted_at=now)
        return []
    if action in ("release", "lapse"):
        status = ClaimStatus.RELEASED if action == "release" else ClaimStatus.LAPSED
        await WishClaim.filter(id=claim.id).update(status=status, ended_at=now)
        told = [_notice(resident, wish, f"{action}_resident", now)]
        if action == "lapse":
            told.append(_notice(await Person.get(id=claim.claimer_id), wish, "lapse_claimer", now))
        return told
    if action == "not_done":
        await WishClaim.filter(id=claim.id).update(fulfilled_at=None)
        return [
            _notice(
                await Person.get(id=claim.claimer_id),
                wish,
                "not_done_claimer",
                now,
                note=formats.remark(note),
            )
        ]
    if action == "confirm":
        return await _confirmed(wish, claim, actor, now)
    return []


async def _confirmed(wish: Wish, claim: WishClaim, actor: Person | None, now: dt.datetime) -> list[Notice]:
    """The claim is done, and every person who served gets a service record (hours and points) confirmed
    by the actor, and is thanked."""
    await WishClaim.filter(id=claim.id).update(status=ClaimStatus.DONE, ended_at=now)
    confirmed_as = "resident" if actor is not None and actor.id == wish.resident_id else "committee"
    points = rules().points(claim.hours)
    activity = f"{rules().label(wish.category)}：{wish.public_text}"[:128]
    served_on = (claim.fulfilled_at or now).date()
    told = []
    for person_id in claim.served_by or [claim.claimer_id]:
        person = await Person.get(id=person_id)
        await record_service(
            ServiceDone(
                community_id=wish.community_id,
                volunteer=person,
                activity=activity,
                served_on=served_on,
                hours=claim.hours,
                points=points,
                confirmed_by=actor,
                confirmed_as=confirmed_as,
                team=claim.team,
                wish_id=wish.id,
                reference=wish.number,
            ),
            now,
        )
        thanks = wish.thanks or content.text("wishes.thanks_default")
        told.append(
            _notice(person, wish, "thanked", now, thanks=thanks, hours=f"{claim.hours:g}", points=points)
        )
    return told


@dataclass(frozen=True)
class ServiceDone:
    """One person's service, for the service record: a wish fulfilled (``wish_id``) or a volunteer activity
    attended (``activity_ref``, the activity's id in handlers/activities)."""

    community_id: int
    volunteer: Person
    activity: str  # what was done, as the record shows it
    served_on: dt.date
    hours: float
    points: int
    confirmed_by: Person | None
    confirmed_as: str  # resident, committee (for a resident), checkin (staff at the venue)
    team: str = ""
    wish_id: int | None = None
    activity_ref: int | None = None
    reference: str = ""  # the wish's or the activity's number


async def record_service(done: ServiceDone, now: dt.datetime) -> ServiceRecord:
    """The one writer of the service record (志愿服务记录), for wishes and activities alike: a record per
    person and wish (or activity), never changed afterwards; a second call for the same returns the first."""
    if done.activity_ref is not None:
        found = await ServiceRecord.get_or_none(activity_ref=done.activity_ref, volunteer=done.volunteer)
        if found is not None:
            return found
    return await ServiceRecord.create(
        community_id=done.community_id,
        volunteer=done.volunteer,
        volunteer_name=done.volunteer.name or content.text("wishes.a_volunteer"),
        team=done.team[:32],
        wish_id=done.wish_id,
        activity_ref=done.activity_ref,
        reference=done.reference[:16],
        activity=done.activity[:128],
        served_on=done.served_on,
        hours=done.hours,
        points=done.points,
        confirmed_by=done.confirmed_by,
        confirmed_as=done.confirmed_as,
        created_at=now,
    )


# -- the resident ------------------------------------------------------------------------------------
async def revise(wish_id: int, resident: Person, description: str, now: dt.datetime) -> Wish:
    """The resident rewrites the wish (asked to by the committee, or before review): reviewed again."""
    description = description.strip()[:1000]
    if len(description) < 2:
        raise Refusal("wishes.too_short")
    public_text, flags = screen(description)
    category = rules().category_in_text(description).key
    return await _step(
        wish_id,
        "revise",
        resident,
        now,
        operands={
            "description": description,
            "public_text": public_text,
            "flags": flags,
            "category": category,
        },
    )


async def approve(wish_id: int, member: Person, now: dt.datetime, public_text: str = "") -> Wish:
    """Put the wish on the board, with the committee's edit of its public text if given. Refused while
    what would be shown still holds personal data or sensitive words."""
    wish = await STATES.load(wish_id)
    shown = public_text.strip()[:500] or wish.public_text
    found = inspect(shown, rules().sensitive_words)
    if not found.clean:
        names = [content.text(f"wishes.found.{kind}") for kind in found.personal] + list(found.words)
        raise Refusal("wishes.not_clean", found="、".join(names))
    return await _step(wish_id, "approve", member, now, operands={"public_text": shown})


# -- volunteers ----------------------------------------------------------------------------------------
async def claim(wish_id: int, claimer: Person, now: dt.datetime, team: str = "") -> WishClaim:
    """Claim an open wish; exactly one of many simultaneous claimers wins (the others: Refusal)."""
    active = await WishClaim.filter(claimer=claimer, status=ClaimStatus.ACTIVE).count()
    if active >= rules().max_active_claims:
        raise Refusal("wishes.too_many_claims", limit=rules().max_active_claims)
    async with in_transaction():
        wish = await move(wish_id, "claim", claimer, now)
        claimed = await WishClaim.create(
            wish=wish,
            claimer=claimer,
            team=team.strip()[:32],
            claimed_at=now,
            contact_by=now + rules().contact_within,
            served_by=[claimer.id],
        )
        who = team.strip()[:32] or claimer.name or content.text("wishes.a_volunteer")
        resident = await Person.get(id=wish.resident_id)
        days = rules().contact_within.days
        await _send([_notice(resident, wish, "claimed", now, who=who, days=days)], now)
    return claimed


async def fulfil(
    wish_id: int,
    claimer: Person,
    now: dt.datetime,
    *,
    note: str,
    hours: float,
    served_by: list[int] | None = None,
) -> Wish:
    """Mark done: what was done, how long, and (a group claim) who served. The resident is asked to
    confirm; the service is recorded only then."""
    if not 0 < hours <= 24:
        raise Refusal("wishes.hours_range")
    wish = await STATES.load(wish_id)
    await _authorise(wish, MOVES["fulfil"].by, claimer)
    people = list(dict.fromkeys(served_by or [claimer.id]))
    if claimer.id not in people:
        people.insert(0, claimer.id)
    for person_id in people:
        person = await Person.get_or_none(id=person_id)
        if person is None or not (await roles_in(person, wish.community_id)) & set(CLAIMERS):
            raise Refusal("wishes.not_a_volunteer")
    async with in_transaction():
        claim_row = await active_claim(wish)
        done = await move(wish_id, "fulfil", claimer, now, note=note)
        assert claim_row is not None  # the step checked the claimer holds the active claim
        await WishClaim.filter(id=claim_row.id).update(
            fulfilled_at=now,
            note=note.strip()[:500],
            hours=hours,
            served_by=people,
            contacted_at=claim_row.contacted_at or now,
        )
    return done


async def confirm(
    wish_id: int,
    actor: Person,
    now: dt.datetime,
    *,
    rating: int,
    thanks: str = "",
    story_consent: bool = False,
) -> Wish:
    """The resident (or a committee member for them) confirms with a rating: the claim is done, and every
    person who served gets a service record (hours and points) confirmed by the actor."""
    if not 1 <= rating <= 5:
        raise Refusal("wishes.rating_range")
    columns = {"rating": rating, "thanks": thanks.strip()[:500], "story_consent": story_consent}
    return await _step(wish_id, "confirm", actor, now, thanks, columns)


async def add_photo(
    wish_id: int,
    claimer: Person,
    now: dt.datetime,
    *,
    media_id: str = "",
    data: bytes | None = None,
    content_type: str = "",
) -> int:
    """A photo of the service by the wish's active claimer: sent in the chat (its media id; the photo is
    downloaded later) or uploaded (its bytes). Returns the photo's id."""
    row = await active_claim_of(wish_id)
    if row is None or row.claimer_id != claimer.id:
        raise Refusal("wishes.not_your_claim")
    photo = await WishPhoto.create(
        wish_id=wish_id, media_id=media_id, data=data, content_type=content_type, created_at=now
    )
    return photo.id


# -- the clock -----------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    reminded: int = 0
    lapsed: int = 0
    confirm_reminded: int = 0


async def sweep(now: dt.datetime) -> SweepResult:
    """The periodic round: remind claimers who have not contacted the resident (halfway, then the day
    before), lapse the claims past their time (the wish returns to the board first in line), remind
    residents who have not confirmed a fulfilled wish. Safe with several workers: each step is conditional."""
    result = SweepResult()
    waiting = await WishClaim.filter(
        status=ClaimStatus.ACTIVE, contacted_at=None, fulfilled_at=None
    ).prefetch_related("wish")
    for row in waiting:
        if now >= row.contact_by:
            try:
                await move(row.wish_id, "lapse", None, now)
                result.lapsed += 1
            except Refusal:
                pass  # withdrawn, fulfilled or lapsed by another worker meanwhile
            continue
        due = _reminders_due(row, now)
        if due > row.reminders and await WishClaim.filter(id=row.id, reminders=row.reminders).update(
            reminders=due
        ):
            left = max(1, (row.contact_by - now).days)
            claimer = await Person.get(id=row.claimer_id)
            await _send([_notice(claimer, row.wish, "remind_contact", now, days=left)], now)
            result.reminded += 1
    unconfirmed = await Wish.filter(
        status=S.FULFILLED,
        confirm_reminded=False,
        fulfilled_at__lt=now - rules().confirm_reminder_after,
    )
    for wish in unconfirmed:
        if await Wish.filter(id=wish.id, confirm_reminded=False).update(confirm_reminded=True):
            resident = await Person.get(id=wish.resident_id)
            told = [_notice(resident, wish, "remind_confirm", now)]
            await _send(told + await _committee(wish, "wishes.committee_unconfirmed", now), now)
            result.confirm_reminded += 1
    return result


def _reminders_due(row: WishClaim, now: dt.datetime) -> int:
    """How many reminders should have gone out by ``now``: one halfway, one a day before the end."""
    window = row.contact_by - row.claimed_at
    marks = [row.claimed_at + window / 2, row.contact_by - dt.timedelta(days=1)]
    return sum(1 for mark in sorted(set(marks)) if now >= mark)
