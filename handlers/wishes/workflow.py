"""Wishes without any transport: post, review, revise, withdraw, claim, contact, release, fulfil, confirm,
say it is not done; and on the clock, remind and lapse claims, remind residents to confirm.

Every change is one conditional update of the wish (so that of many people acting at once exactly one
wins), a ``WishEvent`` and the notifications it causes, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.common.rules import Refusal
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


@dataclass(frozen=True)
class Move:
    """One allowed change: from which states, to which, by whom."""

    to: WishStatus
    frm: tuple[WishStatus, ...]
    by: str  # resident, committee, claimer, volunteer, resident_or_committee, system
    values: dict[str, Any] = field(default_factory=dict)


MOVES: dict[str, Move] = {
    "approve": Move(S.OPEN, (S.SUBMITTED,), "committee"),
    "ask_changes": Move(S.CHANGES, (S.SUBMITTED,), "committee"),
    "decline": Move(S.DECLINED, (S.SUBMITTED, S.CHANGES), "committee"),
    "revise": Move(S.SUBMITTED, (S.SUBMITTED, S.CHANGES), "resident"),
    "withdraw": Move(S.WITHDRAWN, (S.SUBMITTED, S.CHANGES, S.OPEN, S.CLAIMED), "resident"),
    "claim": Move(S.CLAIMED, (S.OPEN,), "volunteer"),
    "contacted": Move(S.CLAIMED, (S.CLAIMED,), "claimer"),
    "release": Move(S.OPEN, (S.CLAIMED,), "claimer"),
    "fulfil": Move(S.FULFILLED, (S.CLAIMED,), "claimer"),
    "confirm": Move(S.CONFIRMED, (S.FULFILLED,), "resident_or_committee"),
    "not_done": Move(S.CLAIMED, (S.FULFILLED,), "resident"),
    "lapse": Move(S.OPEN, (S.CLAIMED,), "system"),
}


def status_label(status: WishStatus | str, *, resident: bool = True) -> str:
    """The state in words; for anyone but the wish's resident without "您" (a volunteer or the committee
    reading "待您确认" would think it is theirs to do)."""
    value = WishStatus(status).value
    seen = f"wishes.status_seen.{value}"
    return content.text(seen if not resident and seen in content.messages() else f"wishes.status.{value}")


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
        await _event(wish, cmd.resident, "submit", "", S.SUBMITTED, "", now)
        await _tell_committee(wish, "wishes.committee_new", now, text=formats.clip(public_text, 60))
    return wish


async def _tell_committee(wish: Wish, key: str, now: dt.datetime, **values: Any) -> None:
    members = await Role.filter(community_id=wish.community_id, role=RoleName.COMMITTEE).prefetch_related(
        "person"
    )
    text = content.text(key, number=wish.number, category=rules().label(wish.category), **values)
    for member in members:
        await notify(
            member.person, f"wish:{wish.id}:{key}:{now.timestamp():.0f}:{member.person.id}", text, now=now
        )


# -- moving ----------------------------------------------------------------------------------------
async def move(
    wish_id: int, action: str, actor: Person | None, now: dt.datetime, *, note: str = "", **values: Any
) -> Wish:
    """Apply ``action``; raise Refusal when it is not allowed now, or someone else was first."""
    spec = MOVES[action]
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    claim = await active_claim(wish)
    await _check_actor(spec, wish, claim, actor)
    if wish.status not in spec.frm:
        mine = actor is not None and actor.id == wish.resident_id
        raise Refusal("wishes.not_now", number=wish.number, status=status_label(wish.status, resident=mine))
    changes: dict[str, Any] = {"status": spec.to, **values}
    if action == "approve":
        changes |= {"published_at": now, "review_note": note}
    elif action in ("ask_changes", "decline"):
        if not note.strip():
            raise Refusal("wishes.reason_needed")
        changes |= {"review_note": note}
    elif action in ("lapse",):
        changes |= {"priority": True}
    elif action == "claim":
        changes |= {"priority": False}
    elif action == "fulfil":
        changes |= {"fulfilled_at": now, "confirm_reminded": False}
    elif action == "confirm":
        changes |= {"confirmed_at": now}
    elif action == "not_done":
        changes |= {"fulfilled_at": None}
    async with in_transaction():
        # the conditional update is the lock: of many people claiming at once, exactly one changes the row
        won = await Wish.filter(id=wish.id, status=wish.status).update(**changes)
        if not won:
            raise Refusal("wishes.someone_else", number=wish.number)
        await _event(wish, actor, action, wish.status, spec.to, note, now)
        wish = await Wish.get(id=wish.id)
        await _after(action, wish, claim, actor, note, now)
    return wish


async def _event(
    wish: Wish, actor: Person | None, action: str, frm: str, to: str, note: str, now: dt.datetime
) -> None:
    await WishEvent.create(
        wish_id=wish.id,
        actor=actor,
        action=action,
        from_status=frm,
        to_status=to,
        note=note[:2000],
        created_at=now,
    )


async def active_claim(wish: Wish) -> WishClaim | None:
    return await active_claim_of(wish.id)


async def active_claim_of(wish_id: int) -> WishClaim | None:
    return await WishClaim.get_or_none(wish_id=wish_id, status=ClaimStatus.ACTIVE)


async def _check_actor(spec: Move, wish: Wish, claim: WishClaim | None, actor: Person | None) -> None:
    if spec.by == "system":
        return
    if actor is None:
        raise Refusal("wishes.not_allowed")
    is_resident = actor.id == wish.resident_id
    if spec.by == "resident" and is_resident:
        return
    roles = await roles_in(actor, wish.community_id)
    if spec.by == "resident_or_committee" and (is_resident or RoleName.COMMITTEE in roles):
        return
    if spec.by == "committee" and RoleName.COMMITTEE in roles:
        return
    if spec.by == "claimer" and claim is not None and claim.claimer_id == actor.id:
        return
    if spec.by == "volunteer" and roles & set(CLAIMERS):
        if is_resident:
            raise Refusal("wishes.own_wish")
        return
    raise Refusal("wishes.not_allowed")


async def _after(
    action: str, wish: Wish, claim: WishClaim | None, actor: Person | None, note: str, now: dt.datetime
) -> None:
    """The claim's side of a move, and who is told."""
    resident = await Person.get(id=wish.resident_id)
    label = rules().label(wish.category)
    if action in ("approve", "ask_changes", "decline"):
        await _tell(resident, wish, action, now, note=formats.remark(note), category=label)
    elif action == "revise":
        await _tell_committee(wish, "wishes.committee_revised", now, text=formats.clip(wish.public_text, 60))
    elif action == "withdraw" and claim is not None:
        await WishClaim.filter(id=claim.id).update(status=ClaimStatus.ENDED, ended_at=now)
        await _tell(await Person.get(id=claim.claimer_id), wish, "withdrawn_claimer", now)
    elif action == "contacted" and claim is not None:
        await WishClaim.filter(id=claim.id).update(contacted_at=now)
    elif action in ("release", "lapse") and claim is not None:
        status = ClaimStatus.RELEASED if action == "release" else ClaimStatus.LAPSED
        await WishClaim.filter(id=claim.id).update(status=status, ended_at=now)
        await _tell(resident, wish, f"{action}_resident", now)
        if action == "lapse":
            await _tell(await Person.get(id=claim.claimer_id), wish, "lapse_claimer", now)
    elif action == "not_done" and claim is not None:
        await WishClaim.filter(id=claim.id).update(fulfilled_at=None)
        await _tell(
            await Person.get(id=claim.claimer_id), wish, "not_done_claimer", now, note=formats.remark(note)
        )


async def _tell(person: Person, wish: Wish, what: str, now: dt.datetime, **values: Any) -> None:
    await notify(
        person,
        f"wish:{wish.id}:{what}:{now.timestamp():.0f}:{person.id}",
        content.text(f"wishes.told_{what}", number=wish.number, **values),
        now=now,
        template="service_update",
        template_data={"title": wish.number, "status": status_label(wish.status)},
    )


# -- the resident ------------------------------------------------------------------------------------
async def revise(wish_id: int, resident: Person, description: str, now: dt.datetime) -> Wish:
    """The resident rewrites the wish (asked to by the committee, or before review): reviewed again."""
    description = description.strip()[:1000]
    if len(description) < 2:
        raise Refusal("wishes.too_short")
    public_text, flags = screen(description)
    return await move(
        wish_id,
        "revise",
        resident,
        now,
        description=description,
        public_text=public_text,
        flags=flags,
        category=rules().category_in_text(description).key,
    )


async def approve(wish_id: int, member: Person, now: dt.datetime, public_text: str = "") -> Wish:
    """Put the wish on the board, with the committee's edit of its public text if given. Refused while
    what would be shown still holds personal data or sensitive words."""
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    shown = public_text.strip()[:500] or wish.public_text
    found = inspect(shown, rules().sensitive_words)
    if not found.clean:
        names = [content.text(f"wishes.found.{kind}") for kind in found.personal] + list(found.words)
        raise Refusal("wishes.not_clean", found="、".join(names))
    return await move(wish_id, "approve", member, now, public_text=shown)


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
        await _tell(
            await Person.get(id=wish.resident_id),
            wish,
            "claimed",
            now,
            who=who,
            days=rules().contact_within.days,
        )
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
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    await _check_actor(MOVES["fulfil"], wish, await active_claim(wish), claimer)
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
        assert claim_row is not None  # move() checked the claimer holds the active claim
        await WishClaim.filter(id=claim_row.id).update(
            fulfilled_at=now,
            note=note.strip()[:500],
            hours=hours,
            served_by=people,
            contacted_at=claim_row.contacted_at or now,
        )
        await _tell(
            await Person.get(id=done.resident_id),
            done,
            "fulfilled",
            now,
            note=formats.remark(formats.clip(note, 100)),
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
    """The resident (or a committee member for them) confirms: the claim is done, and every person who
    served gets a service record (hours and points) confirmed by the actor."""
    if not 1 <= rating <= 5:
        raise Refusal("wishes.rating_range")
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    async with in_transaction():
        claim_row = await active_claim(wish)
        done = await move(
            wish_id,
            "confirm",
            actor,
            now,
            note=thanks,
            rating=rating,
            thanks=thanks.strip()[:500],
            story_consent=story_consent,
        )
        assert claim_row is not None  # a fulfilled wish has its claim
        await WishClaim.filter(id=claim_row.id).update(status=ClaimStatus.DONE, ended_at=now)
        confirmed_as = "resident" if actor.id == wish.resident_id else "committee"
        points = rules().points(claim_row.hours)
        activity = f"{rules().label(wish.category)}：{wish.public_text}"[:128]
        served_on = (claim_row.fulfilled_at or now).date()
        for person_id in claim_row.served_by or [claim_row.claimer_id]:
            person = await Person.get(id=person_id)
            await ServiceRecord.create(
                community_id=wish.community_id,
                volunteer=person,
                volunteer_name=person.name or content.text("wishes.a_volunteer"),
                team=claim_row.team,
                wish=wish,
                activity=activity,
                served_on=served_on,
                hours=claim_row.hours,
                points=points,
                confirmed_by=actor,
                confirmed_as=confirmed_as,
                created_at=now,
            )
            await _tell(
                person,
                done,
                "thanked",
                now,
                thanks=done.thanks or content.text("wishes.thanks_default"),
                hours=f"{claim_row.hours:g}",
                points=points,
            )
    return done


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
            await _tell(await Person.get(id=row.claimer_id), row.wish, "remind_contact", now, days=left)
            result.reminded += 1
    unconfirmed = await Wish.filter(
        status=S.FULFILLED,
        confirm_reminded=False,
        fulfilled_at__lt=now - rules().confirm_reminder_after,
    )
    for wish in unconfirmed:
        if await Wish.filter(id=wish.id, confirm_reminded=False).update(confirm_reminded=True):
            await _tell(await Person.get(id=wish.resident_id), wish, "remind_confirm", now)
            await _tell_committee(wish, "wishes.committee_unconfirmed", now)
            result.confirm_reminded += 1
    return result


def _reminders_due(row: WishClaim, now: dt.datetime) -> int:
    """How many reminders should have gone out by ``now``: one halfway, one a day before the end."""
    window = row.contact_by - row.claimed_at
    marks = [row.claimed_at + window / 2, row.contact_by - dt.timedelta(days=1)]
    return sum(1 for mark in sorted(set(marks)) if now >= mark)
