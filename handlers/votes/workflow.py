"""Consultations without any transport: launch (and announce), who may vote, cast and change a ballot
(oneself, or recorded by a grid worker for someone), comment, extend, cancel, propose a topic; on the clock,
close, count and publish.

Authorisation lives here: the committee's changes, and a vote recorded for a resident by a grid worker
(``cast_for``: the role, the resident and the ballot in one transaction). Who may vote where is decided
once, in ``handlers.votes.queries``, for the cast and the lists alike.

Integrity: a vote slot per person or household, unique in the database, is what refuses a second vote from
one household however many try at once; ballots are only ever added (the newest of a slot counts); counts
exist nowhere until the close, when ``tally`` counts the log once and the result is stored with the digest
of the log (``handlers.votes.tally``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.common.requests import RequestItem
from handlers.common.rules import Refusal
from handlers.register.models import Household
from handlers.residents import workflow as residents
from handlers.votes import queries
from handlers.votes.models import (
    VOID,
    Ballot,
    Comment,
    Consultation,
    ConsultationStatus,
    PassRule,
    Per,
    Proposal,
    VoteSlot,
    Who,
)
from handlers.votes.queries import PROXIES, VoterPlace, close_label, describe_outcome, status_label, view_of
from handlers.votes.tally import TallyResult, count
from nlp.privacy import redact
from nlp.slots import Address
from storage.db import once
from storage.models import Building, Community, Home, Person, Role, RoleName
from storage.outbox import notify
from storage.roles import roles_of as roles_in

S = ConsultationStatus
MAX_OPTIONS = 10
COMMENT_MIN = 2  # characters of an opinion


@dataclass(frozen=True)
class LaunchConsultation:
    community: Community | int  # the community, or its id
    by: Person
    title: str
    options: tuple[str, ...]
    closes_at: dt.datetime
    background: str = ""
    max_choices: int = 1
    buildings: tuple[int, ...] = ()
    who: Who = Who.RESIDENTS
    per: Per = Per.PERSON
    opens_at: dt.datetime | None = None  # None: now
    quorum: float = 0.0
    rule: PassRule = PassRule.MAJORITY
    approve_option: int | None = None
    proposal_id: int | None = None


@dataclass(frozen=True)
class ProxyVote:
    """代为登记: ``by`` (a grid worker or committee member of the consultation's community) records the vote
    of the resident named ``name`` at ``address``, who is recorded now if nobody of that name lives there."""

    by: Person
    consultation_id: int
    address: Address
    name: str
    choices: tuple[int, ...]
    source_key: str


_committee = queries.require_committee


# -- launching -------------------------------------------------------------------------------------------
async def launch(cmd: LaunchConsultation, now: dt.datetime) -> Consultation:
    community_id = cmd.community if isinstance(cmd.community, int) else cmd.community.id
    await _committee(cmd.by, community_id)
    options = tuple(o.strip()[:32] for o in cmd.options if o.strip())
    opens_at = cmd.opens_at or now
    if not cmd.title.strip():
        raise Refusal("votes.title_needed")
    if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
        raise Refusal("votes.options_range", most=MAX_OPTIONS)
    if not 1 <= cmd.max_choices <= len(options):
        raise Refusal("votes.max_choices_range")
    if cmd.closes_at <= max(now, opens_at):
        raise Refusal("votes.closes_in_the_past")
    if not 0 <= cmd.quorum <= 1:
        raise Refusal("votes.quorum_range")
    if cmd.approve_option is not None and (
        cmd.max_choices != 1 or not 0 <= cmd.approve_option < len(options)
    ):
        raise Refusal("votes.approve_option_range")
    numbers = sorted(set(cmd.buildings))
    known = set(
        await Building.filter(community_id=community_id, number__in=numbers).values_list("number", flat=True)
    )
    if missing := [n for n in numbers if n not in known]:
        raise Refusal("votes.no_building", number=missing[0])
    async with in_transaction():
        consultation = await Consultation.create(
            community_id=community_id,
            title=cmd.title.strip()[:64],
            background=cmd.background.strip()[:4000],
            options=list(options),
            max_choices=cmd.max_choices,
            buildings=numbers,
            who=cmd.who,
            per=cmd.per,
            opens_at=opens_at,
            closes_at=cmd.closes_at,
            quorum=cmd.quorum,
            rule=cmd.rule,
            approve_option=cmd.approve_option,
            created_by=cmd.by,
            proposal_id=cmd.proposal_id,
            created_at=now,
        )
        if cmd.proposal_id is not None:
            proposal = await Proposal.get_or_none(id=cmd.proposal_id, community_id=community_id)
            if proposal is None:
                raise Refusal("votes.no_such_proposal")
            if not await Proposal.filter(id=proposal.id, status="new").update(status="adopted"):
                raise Refusal("votes.proposal_done")  # answered or adopted already: the launch rolls back
            await _tell(
                await Person.get(id=proposal.person_id),
                f"proposal:{proposal.id}:adopted",
                "votes.told_proposal_adopted",
                now,
                number=proposal.number,
                title=consultation.title,
            )
        await announce(consultation, "votes.told_launched", now, when=describe_window(consultation))
    return consultation


def describe_window(c: Consultation) -> str:
    return queries.describe_window(view_of(c))


async def announce(c: Consultation, key: str, now: dt.datetime, **values: Any) -> int:
    """Tell every eligible resident (through the outbox); returns how many."""
    people = await eligible_people(c)
    text = content.text(key, title=c.title, number=c.number, **values)
    for person in people:
        await notify(
            person,
            f"consultation:{c.id}:{key}:{now.timestamp():.0f}:{person.id}",
            text,
            now=now,
            template="service_update",
            template_data={"title": c.title, "status": status_label(view_of(c), now)},
        )
    return len(people)


async def _tell(person: Person, key: str, sentence: str, now: dt.datetime, **values: Any) -> None:
    await notify(
        person, f"{key}:{now.timestamp():.0f}:{person.id}", content.text(sentence, **values), now=now
    )


# -- who may take part -----------------------------------------------------------------------------------
async def eligible_people(c: Consultation) -> list[Person]:
    """Bound residents of the community (in its buildings, when limited; owners, when only owners)."""
    return await queries.eligible_people(view_of(c))


async def electorate(c: Consultation) -> int:
    """How many may take part: people, or households (registered households in a community with a
    register, else homes with an eligible resident)."""
    view = view_of(c)
    return queries.electorate_size(view, await queries.residents_of(view.community_id))


async def check_eligible(c: Consultation, person: Person, now: dt.datetime) -> VoterPlace:
    """Where the voter votes from, when they may vote in ``c`` now; else Refusal saying why (naming
    nobody)."""
    view = view_of(c)
    place = await queries.place_of(person, owner_needed=view.who == Who.OWNERS)
    refusal = queries.refusal_for(view, place, now)
    if refusal is not None:
        raise refusal
    return place


# -- voting ----------------------------------------------------------------------------------------------
def valid_choices(c: Consultation, choices: list[int]) -> list[int]:
    picked = sorted(set(choices))
    if not picked or len(picked) != len(choices) or not all(0 <= i < len(c.options) for i in picked):
        raise Refusal("votes.bad_choice", count=len(c.options))
    if len(picked) > c.max_choices:
        raise Refusal("votes.too_many_choices", most=c.max_choices)
    return picked


async def cast(
    consultation_id: int,
    voter: Person,
    choices: list[int],
    now: dt.datetime,
    *,
    source_key: str,
    proxy_by: Person | None = None,
) -> Ballot:
    """Record ``voter``'s ballot (a newer one replaces theirs: the newest counts). ``proxy_by``: the grid
    worker or committee member who records it for the voter (代为登记). A delivery seen before is the
    ballot it made."""
    return await once(
        Ballot, source_key, lambda: _cast(consultation_id, voter, choices, now, source_key, proxy_by)
    )


async def _cast(
    consultation_id: int,
    voter: Person,
    choices: list[int],
    now: dt.datetime,
    source_key: str,
    proxy_by: Person | None,
) -> Ballot:
    c = await _consultation(consultation_id)
    if proxy_by is not None:
        await check_proxy(proxy_by, c.community_id)
    return await _record(c, voter, choices, now, source_key, proxy_by)


async def _consultation(consultation_id: int) -> Consultation:
    c = await Consultation.get_or_none(id=consultation_id)
    if c is None:
        raise Refusal("votes.no_such_consultation")
    return c


async def _record(
    c: Consultation,
    voter: Person,
    choices: list[int],
    now: dt.datetime,
    source_key: str,
    proxy_by: Person | None,
    review: bool = False,
) -> Ballot:
    place = await check_eligible(c, voter, now)
    picked = valid_choices(c, choices)
    key = place.household_key if c.per == Per.HOUSEHOLD else f"p:{voter.id}"
    async with in_transaction():
        if (
            c.per == Per.HOUSEHOLD
            and await VoteSlot.filter(consultation=c, holder=voter)
            .exclude(key=key)
            .exclude(key__startswith=VOID)
            .exists()
        ):
            # one person never counts for two households (binding to another home and voting again); a
            # slot the committee voided counts for nobody, so it holds nobody back
            raise Refusal("votes.voted_for_another_home")
        slot = await _slot(c, key, voter, now)
        if proxy_by is not None:
            newest = await Ballot.filter(slot=slot).order_by("-id").first()
            if newest is not None and newest.proxy_by_id is None:
                # the resident's own vote stands: a proxy never replaces it (their own may replace a proxy's)
                raise Refusal("votes.voted_themselves")
        return await Ballot.create(
            consultation=c,
            slot=slot,
            voter=voter,
            proxy_by=proxy_by,
            choices=picked,
            source_key=source_key,
            cast_at=now,
            review=review,
        )


async def _slot(c: Consultation, key: str, voter: Person, now: dt.datetime) -> VoteSlot:
    """The voter's slot: taken now, or already theirs. Another member's household slot is refused."""
    try:
        async with in_transaction():  # a savepoint: losing the race undoes only this insert
            return await VoteSlot.create(consultation=c, key=key, holder=voter, created_at=now)
    except IntegrityError:
        pass
    slot = await VoteSlot.get(consultation=c, key=key)
    if slot.holder_id != voter.id:
        raise Refusal("votes.household_voted")
    return slot


async def void_household_votes(person: Person, home_id: int, by: Person, now: dt.datetime) -> int:
    """The household votes ``person`` cast from the home in consultations still open, voided (the committee
    ended their binding there): an empty ballot closes each such slot in the log, uncounted, and the slot
    gives its household key back so that the family may vote. Returns how many were voided."""
    keys = {f"h:{home_id}"} | {
        f"hh:{hid}" for hid in await Household.filter(home_id=home_id).values_list("id", flat=True)
    }
    slots = await VoteSlot.filter(
        holder=person, key__in=list(keys), consultation__status=S.OPEN, consultation__per=Per.HOUSEHOLD
    )
    for slot in slots:
        await Ballot.create(
            consultation_id=slot.consultation_id,
            slot=slot,
            voter=person,
            proxy_by=by,
            choices=[],
            source_key=f"void:{slot.id}:{now.timestamp():.0f}",
            cast_at=now,
            review=True,
        )
        await VoteSlot.filter(id=slot.id).update(key=f"{VOID}{slot.id}")
    return len(slots)


async def check_proxy(by: Person, community_id: int | None) -> None:
    """May ``by`` record votes for residents of the community (a grid worker or a committee member)?"""
    if community_id is None or not (await roles_in(by, community_id)) & PROXIES:
        raise Refusal("votes.proxy_not_allowed")


async def cast_for(cmd: ProxyVote, now: dt.datetime) -> Ballot:
    """代为登记 as one call: check ``cmd.by``'s role in the consultation's community, find (or record) the
    resident and cast their ballot, in one transaction (a refused ballot records nobody). A delivery seen
    before is the ballot it made."""
    return await once(Ballot, cmd.source_key, lambda: _cast_for(cmd, now))


async def _cast_for(cmd: ProxyVote, now: dt.datetime) -> Ballot:
    c = await _consultation(cmd.consultation_id)
    await check_proxy(cmd.by, c.community_id)
    community = await Community.get(id=c.community_id)
    async with in_transaction():
        voter, review = await resident_at(community, cmd.address, cmd.name, c)
        ballot = await _record(c, voter, list(cmd.choices), now, cmd.source_key, cmd.by, review)
        if review:
            await _ask_review(c, ballot, cmd, now)
        return ballot


async def comment(consultation_id: int, person: Person, text: str, now: dt.datetime) -> Comment:
    c = await _consultation(consultation_id)
    await check_eligible(c, person, now)
    if len(text.strip()) < COMMENT_MIN:
        raise Refusal("votes.comment_too_short")
    return await Comment.create(consultation=c, person=person, text=text.strip()[:500], created_at=now)


# -- the committee ---------------------------------------------------------------------------------------
async def extend(
    consultation_id: int, by: Person, closes_at: dt.datetime, reason: str, now: dt.datetime
) -> Consultation:
    c = await _open_for_change(consultation_id, by, reason, now)
    if closes_at <= c.closes_at:
        raise Refusal("votes.extend_later")
    async with in_transaction():
        if not await Consultation.filter(id=c.id, status=S.OPEN).update(
            closes_at=closes_at, status_note=reason
        ):
            raise Refusal("votes.closed", title=c.title)
        c = await Consultation.get(id=c.id)
        await announce(c, "votes.told_extended", now, when=describe_window(c), reason=reason)
    return c


async def cancel(consultation_id: int, by: Person, reason: str, now: dt.datetime) -> Consultation:
    c = await _open_for_change(consultation_id, by, reason, now)
    async with in_transaction():
        if not await Consultation.filter(id=c.id, status=S.OPEN).update(
            status=S.CANCELLED, status_note=reason, closed_at=now
        ):
            raise Refusal("votes.closed", title=c.title)
        c = await Consultation.get(id=c.id)
        await announce(c, "votes.told_cancelled", now, reason=reason)
    return c


async def _open_for_change(consultation_id: int, by: Person, reason: str, now: dt.datetime) -> Consultation:
    c = await _consultation(consultation_id)
    await _committee(by, c.community_id)
    if c.status != S.OPEN or now >= c.closes_at:
        raise Refusal("votes.closed", title=c.title)
    if len(reason.strip()) < 2:
        raise Refusal("votes.reason_needed")
    return c


# -- the close -------------------------------------------------------------------------------------------
async def close(c: Consultation, now: dt.datetime) -> Consultation | None:
    """Count, publish and tell those who took part; None when another worker closed it first."""
    counted: TallyResult = await count(c, await electorate(c))
    comments = await Comment.filter(consultation=c).order_by("id").values_list("text", flat=True)
    result = counted.with_comments([redact(str(text)) for text in comments])  # no names, no phone numbers
    async with in_transaction():
        if not await Consultation.filter(id=c.id, status=S.OPEN).update(
            status=S.CLOSED, closed_at=now, result=result.to_json()
        ):
            return None
        c = await Consultation.get(id=c.id)
        voters = await Ballot.filter(consultation=c).distinct().values_list("voter_id", flat=True)
        view = view_of(c)
        text = content.text("votes.told_result", title=c.title, outcome=describe_outcome(view))
        for person in await Person.filter(id__in=list(voters)):
            await notify(
                person,
                f"consultation:{c.id}:result:{person.id}",
                text,
                now=now,
                template="service_update",
                template_data={"title": c.title, "status": status_label(view, now)},
            )
    return c


REMIND_BEFORE = dt.timedelta(days=1)


async def sweep(now: dt.datetime) -> int:
    """The periodic round: remind those yet to vote a day before the close, then close and publish every
    consultation whose time is up. Returns how many were closed."""
    for c in await Consultation.filter(
        status=S.OPEN,
        reminded_at=None,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + REMIND_BEFORE,
    ):
        await remind(c, now)
    due = await Consultation.filter(status=S.OPEN, closes_at__lte=now)
    closed = 0
    for c in due:
        if await close(c, now) is not None:
            closed += 1
    return closed


async def remind(c: Consultation, now: dt.datetime) -> int:
    """Once per consultation (whichever worker is first): tell the eligible who have not taken part (in
    household voting: whose household has not) that it closes soon. Returns how many were told."""
    async with in_transaction():
        if not await Consultation.filter(id=c.id, reminded_at=None).update(reminded_at=now):
            return 0
        taken = set(await VoteSlot.filter(consultation=c).values_list("key", flat=True))
        view = view_of(c)
        text = content.text("votes.told_reminder", title=c.title, close=close_label(view))
        told = 0
        electorate = await queries.residents_of(c.community_id)
        for person in queries.eligible(view, electorate):
            if queries.slot_key(view, person, electorate) in taken:
                continue
            await notify(person, f"consultation:{c.id}:reminder:{person.id}", text, now=now)
            told += 1
    return told


# -- proposals -------------------------------------------------------------------------------------------
async def add_to_proposal(proposal_id: int, person: Person, words: str) -> Proposal | None:
    """A line the resident adds to their suggestion while the committee has not decided on it."""
    proposal = await Proposal.get_or_none(id=proposal_id, person=person, status="new")
    if proposal is None:
        return None
    proposal.text = formats.added(proposal.text, words, 1500)
    await proposal.save(update_fields=["text"])
    return proposal


async def propose(person: Person, text: str, source_key: str, now: dt.datetime) -> Proposal:
    return await once(Proposal, source_key, lambda: _propose(person, text, source_key, now))


async def _propose(person: Person, text: str, source_key: str, now: dt.datetime) -> Proposal:
    if person.community_id is None:
        raise Refusal("votes.bind_first")
    if len(text.strip()) < 4:
        raise Refusal("votes.proposal_too_short")
    async with in_transaction():
        proposal = await Proposal.create(
            community_id=person.community_id,
            person=person,
            text=text.strip()[:1000],
            source_key=source_key,
            created_at=now,
        )
        for member in await Role.filter(
            community_id=person.community_id, role=RoleName.COMMITTEE
        ).prefetch_related("person"):
            await _tell(
                member.person,
                f"proposal:{proposal.id}:new",
                "votes.committee_new_proposal",
                now,
                number=proposal.number,
                text=formats.clip(proposal.text, 60),
            )
    return proposal


async def dismiss(proposal_id: int, by: Person, reason: str, now: dt.datetime) -> Proposal:
    proposal = await Proposal.get_or_none(id=proposal_id)
    if proposal is None:
        raise Refusal("votes.no_such_proposal")
    await _committee(by, proposal.community_id)
    if len(reason.strip()) < 2:
        raise Refusal("votes.reason_needed")
    async with in_transaction():
        if not await Proposal.filter(id=proposal.id, status="new").update(status="dismissed"):
            raise Refusal("votes.proposal_done")
        await _tell(
            await Person.get(id=proposal.person_id),
            f"proposal:{proposal.id}:dismissed",
            "votes.told_proposal_dismissed",
            now,
            number=proposal.number,
            reason=reason,
        )
    return await Proposal.get(id=proposal.id)


# -- 代为登记: a resident without a phone ------------------------------------------------------------------
async def resident_at(
    community: Community, address: Address, name: str, c: Consultation
) -> tuple[Person, bool]:
    """The resident named ``name`` at ``address`` a grid worker records a vote for, and whether the
    committee must review it. Never someone invented: with a register, an active member of that home's
    household (recorded now as a person without WeChat if they have none); without one, the bound person
    of that name, or (for the committee to review) a new name at a home of the community's buildings from
    which nobody has voted in ``c``."""
    place = await residents.resolve_address(community, address)
    home = await Home.get_or_none(building=place.building, unit=place.unit, room=place.room)
    name = name.strip()[:32]
    if community.register_at is not None:
        member = await queries.register_member(home.id, name) if home is not None else None
        if member is None:
            raise Refusal("votes.proxy_not_on_register", name=name, home=place.home())
        if member.person_id is not None:
            # the person the register member is bound as, whatever name they go by in the chat: their own
            # vote stands against a proxy's, and nobody is recorded a second time in their place
            bound = await Person.get(id=member.person_id)
            if bound.home_id != member.home_id:
                raise Refusal("votes.proxy_member_elsewhere", name=name, home=place.home())
            return bound, False
    if home is not None:
        # a WeChat identity before someone recorded without one, should both bear the name
        same_name = await Person.filter(home=home, name=name).order_by("id")
        found = next((p for p in same_name if p.openid or p.mp_openid), same_name[0] if same_name else None)
        if found is not None:
            return found, False
    review = community.register_at is None
    if review and home is not None and await Ballot.filter(consultation=c, voter__home_id=home.id).exists():
        raise Refusal("votes.proxy_home_voted", home=place.home())
    person = await Person.create(name=name, openid=None, following=False)
    await residents.bind_home(person, place)
    return person, review


async def _ask_review(c: Consultation, ballot: Ballot, cmd: ProxyVote, now: dt.datetime) -> None:
    """Tell the committee of a proxy ballot for a name no register vouches for."""
    for member in await queries.committee_members(c.community_id):
        await notify(
            member,
            f"ballot:{ballot.id}:review:{member.id}",
            content.text(
                "votes.proxy_review",
                title=c.title,
                name=cmd.name.strip(),
                home=cmd.address.describe(),
                by=cmd.by.name or content.text("votes.a_staff_member"),
            ),
            now=now,
        )


async def requests_of(person: Person, limit: int) -> tuple[int, list[RequestItem]]:
    """The person's proposals for "my requests", newest first."""
    query = Proposal.filter(person=person)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    return await query.count(), [
        RequestItem(
            "proposal",
            p.id,
            p.number,
            p.text,
            p.status,
            content.text(f"votes.proposal_status.{p.status}"),
            p.created_at,
        )
        for p in rows
    ]
