"""Every read of consultations the chat and the API need, in views built in batch: who may vote where
(decided here once, for the cast, the chat's list and the API alike), what is open to a person, lists,
results, the anonymous ballot log, who took part, proposals.

A list is a constant number of SQL statements whatever its length: one statement per table, never one per
row. The edges (``dialog.py``, ``committee_dialog.py``, ``api.py``) import no models: the enums they need
are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.register import verify_queries
from handlers.register.models import Resident
from handlers.register.verify_queries import Standing
from handlers.residents.workflow import HomeAddress, resolve_address
from handlers.votes import tally
from handlers.votes.models import (
    VOID,
    Ballot,
    Consultation,
    ConsultationStatus,
    PassRule,
    Per,
    Proposal,
    VoteSlot,
    Who,
)
from handlers.votes.tally import TallyResult
from nlp.slots import Address
from storage.models import Community, Home, Person, Role, RoleName
from storage.pages import PageSlice, page_slice
from storage.roles import roles_of

__all__ = ["ConsultationStatus", "PassRule", "Per", "TallyResult", "Who"]

S = ConsultationStatus
PROXIES = frozenset({RoleName.GRID_WORKER, RoleName.COMMITTEE})


# -- views -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsultationView:
    id: int
    number: str
    community_id: int
    title: str
    background: str
    options: tuple[str, ...]
    max_choices: int
    buildings: tuple[int, ...]
    who: Who
    per: Per
    opens_at: dt.datetime
    closes_at: dt.datetime
    quorum: float
    rule: PassRule
    approve_option: int | None
    status: ConsultationStatus
    status_note: str
    created_at: dt.datetime
    result: TallyResult | None  # only once closed
    closed_at: dt.datetime | None = None  # when it was closed (counted) or cancelled


def view_of(c: Consultation) -> ConsultationView:
    return ConsultationView(
        id=c.id,
        number=c.number,
        community_id=c.community_id,
        title=c.title,
        background=c.background,
        options=tuple(c.options),
        max_choices=c.max_choices,
        buildings=tuple(c.buildings),
        who=Who(c.who),
        per=Per(c.per),
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        quorum=c.quorum,
        rule=PassRule(c.rule),
        approve_option=c.approve_option,
        status=S(c.status),
        status_note=c.status_note,
        created_at=c.created_at,
        result=TallyResult.from_json(c.result) if c.result else None,
        closed_at=c.closed_at,
    )


@dataclass(frozen=True)
class ProposalView:
    id: int
    number: str
    text: str
    status: str
    created_at: dt.datetime


def proposal_view(p: Proposal) -> ProposalView:
    return ProposalView(id=p.id, number=p.number, text=p.text, status=p.status, created_at=p.created_at)


@dataclass(frozen=True)
class Participant:
    name: str
    address: str
    recorded_by: str | None  # the name of whoever recorded it for them (代为登记), if anyone


@dataclass(frozen=True)
class Running:
    """One open consultation in the committee's overview: how many took part of how many may."""

    consultation: ConsultationView
    turnout: int
    eligible: int


@dataclass(frozen=True)
class PublicLog:
    items: list[dict[str, object]]
    digest: str


# -- formatting ------------------------------------------------------------------------------------------
def close_label(c: ConsultationView) -> str:
    return content.text("votes.closes", when=formats.day_time(c.closes_at, weekday=False))  # in brackets


def describe_window(c: ConsultationView) -> str:
    close = close_label(c)
    return f"{formats.day_time(c.opens_at)}起，{close}" if c.opens_at > c.created_at else close


def describe_scope(c: ConsultationView) -> str:
    if not c.buildings:
        return content.text("votes.scope_all")
    return "、".join(f"{n}栋" for n in c.buildings)


def status_label(c: ConsultationView, now: dt.datetime) -> str:
    if c.status == S.OPEN:
        key = "not_yet" if now < c.opens_at else "counting" if now >= c.closes_at else "open"
    else:
        key = c.status.value
    return content.text(f"votes.status.{key}")


def unit_label(c: ConsultationView) -> str:
    return content.text("votes.unit_households" if c.per == Per.HOUSEHOLD else "votes.unit_people")


def describe_outcome(c: ConsultationView) -> str:
    """One line: passed or not, the leading option, the turnout against the quorum."""
    r = c.result
    turnout = content.text(
        "votes.turnout", turnout=r.turnout if r else 0, eligible=r.eligible if r else 0, unit=unit_label(c)
    )
    if r is None or not r.quorum_met:
        return content.text("votes.outcome_no_quorum", turnout=turnout)
    if r.passed and r.winner is not None:
        return content.text("votes.outcome_passed", option=c.options[r.winner], turnout=turnout)
    return content.text("votes.outcome_not_passed", turnout=turnout)


# -- who may vote ----------------------------------------------------------------------------------------
class Scope(Protocol):
    """Who a consultation (or a survey, handlers/surveys) is for, and how they take part."""

    @property
    def buildings(self) -> tuple[int, ...]: ...

    @property
    def who(self) -> Who: ...

    @property
    def per(self) -> Per: ...


@dataclass(frozen=True)
class VoterPlace:
    """Where a person votes from: their home's community and building, whether they are an owner, the
    household they vote as (the registered household, else the home) and how their home stands against
    the community's register."""

    community_id: int | None  # None: not bound to a home
    building: int | None
    home_id: int | None
    owner: bool
    household_key: str = ""
    standing: Standing = field(default_factory=Standing)


async def place_of(person: Person, *, owner_needed: bool = True) -> VoterPlace:
    """One statement for the home (two more for how it stands, when its community has a register; one
    for the roles, when an owners-only rule needs them)."""
    if person.home_id is None:
        return VoterPlace(None, None, None, False)
    home = await Home.filter(id=person.home_id).select_related("building", "community").get()
    standing = await verify_queries.standing(person, home)
    if standing.register and standing.owner_votes:
        owner = standing.owner  # 业主 as the register has it, for a verified home only
    else:
        owner = owner_needed and (
            standing.owner or RoleName.OWNER in await roles_of(person, home.community_id)
        )
    household = f"hh:{standing.household_id}" if standing.household_id else f"h:{home.id}"
    return VoterPlace(home.community_id, home.building.number, home.id, owner, household, standing)


def refusal_for(c: ConsultationView, place: VoterPlace, now: dt.datetime) -> Refusal | None:
    """Why the voter at ``place`` may not vote in ``c`` now (naming nobody), or None when they may."""
    if c.status == S.CANCELLED:
        return Refusal("votes.cancelled", title=c.title)
    if c.status == S.CLOSED or now >= c.closes_at:
        return Refusal("votes.closed", title=c.title)
    if now < c.opens_at:
        return Refusal("votes.not_yet", title=c.title, when=formats.day_time(c.opens_at))
    if place.community_id is None:
        return Refusal("votes.bind_first")
    if place.community_id != c.community_id:
        return Refusal("votes.not_your_community")
    if c.buildings and place.building not in c.buildings:
        return Refusal("votes.not_in_scope", buildings=describe_scope(c))
    unchecked = (c.per == Per.HOUSEHOLD and place.standing.refusal("household_vote")) or (
        c.who == Who.OWNERS and place.standing.refusal("owner_vote")
    )
    if unchecked:
        return unchecked
    if c.who == Who.OWNERS and not place.owner:
        return Refusal("votes.owners_only")
    return None


def _waits_for_home(refusal: Refusal | None) -> bool:
    """Refused only until the home is verified: listed, and the resident told why when they pick it."""
    return refusal is not None and refusal.key.startswith("verify.")


async def may_vote(person: Person, c: ConsultationView, now: dt.datetime) -> None:
    """Refusal saying why the person may not vote in ``c`` now."""
    refusal = refusal_for(c, await place_of(person, owner_needed=c.who == Who.OWNERS), now)
    if refusal is not None:
        raise refusal


async def _open_at(community_id: int | None, place: VoterPlace, now: dt.datetime) -> list[ConsultationView]:
    if community_id is None:
        return []
    found = [
        view_of(c)
        for c in await Consultation.filter(
            community_id=community_id, status=S.OPEN, closes_at__gt=now
        ).order_by("closes_at", "id")
    ]
    return [c for c in found if (r := refusal_for(c, place, now)) is None or _waits_for_home(r)]


async def open_in(community_id: int | None, now: dt.datetime) -> list[ConsultationView]:
    """The community's open consultations, whoever may vote in them: one statement (a message is checked
    against their titles before anyone's eligibility is)."""
    if community_id is None:
        return []
    found = await Consultation.filter(community_id=community_id, status=S.OPEN, closes_at__gt=now).order_by(
        "closes_at", "id"
    )
    return [view_of(c) for c in found]


async def open_to(person: Person, now: dt.datetime) -> list[ConsultationView]:
    """The consultations of the person's community they may vote in now, soonest close first: three
    statements however many there are."""
    return await _open_at(person.community_id, await place_of(person), now)


async def open_to_resident_at(
    community_id: int, address: Address, name: str, now: dt.datetime
) -> list[ConsultationView]:
    """What the resident named ``name`` at ``address`` may vote in now (for a grid worker recording their
    vote): the bound person of that name, or one who would be recorded there (not an owner)."""
    community = await Community.get(id=community_id)
    place = await resolve_address(community, address)
    home = await Home.get_or_none(building=place.building, unit=place.unit, room=place.room)
    found = await Person.get_or_none(home=home, name=name.strip()) if home is not None else None
    if found is not None:
        return await open_to(found, now)
    return await _open_at(community_id, VoterPlace(community_id, place.building.number, None, False), now)


async def my_choices(person: Person, consultation_ids: Sequence[int]) -> dict[int, list[int]]:
    """The person's counted (newest) choices in each of the consultations they voted in: one statement."""
    newest: dict[int, list[int]] = {}
    for ballot in await Ballot.filter(voter=person, consultation_id__in=list(consultation_ids)).order_by(
        "id"
    ):
        newest[ballot.consultation_id] = list(ballot.choices)
    return newest


async def has_voted(person: Person, consultation_id: int) -> bool:
    return await Ballot.filter(voter=person, consultation_id=consultation_id).exists()


@dataclass(frozen=True)
class Electorate:
    """A community's bound residents (with their home and building), who among them counts as an owner,
    and its register as consultations count it (None without a register in force)."""

    people: list[Person]
    owners: set[int]
    register: verify_queries.Roll | None


async def residents_of(community_id: int) -> Electorate:
    """Two statements, and four more when the community has a register: its owners are those the register
    says (for a verified home), its households the registered ones."""
    people = list(
        await Person.filter(home__community_id=community_id).select_related("home__building").order_by("id")
    )
    listed: list[Any] = await Role.filter(community_id=community_id, role=RoleName.OWNER).values_list(
        "person_id", flat=True
    )
    owners = {int(i) for i in listed}
    community = await Community.get(id=community_id)
    register = await verify_queries.roll(community, people)
    if register is not None:
        owners = register.owners if community.verify_owner_votes else owners | register.owners
    return Electorate(people, owners, register)


def eligible(c: Scope, electorate: Electorate) -> list[Person]:
    """Those who may take part in ``c`` (in its buildings, when limited; owners, when only owners)."""
    return [
        p
        for p in electorate.people
        if p.home is not None
        and (not c.buildings or p.home.building.number in c.buildings)
        and (c.who != Who.OWNERS or p.id in electorate.owners)
    ]


def electorate_size(c: Scope, electorate: Electorate) -> int:
    """How many may take part: people, or households: the registered households (in its buildings; with
    an owner, when only owners) in a community with a register, else homes with an eligible resident."""
    if c.per == Per.HOUSEHOLD and electorate.register is not None:
        return sum(
            1
            for _, building, has_owner in electorate.register.households
            if (not c.buildings or building in c.buildings) and (c.who != Who.OWNERS or has_owner)
        )
    people = eligible(c, electorate)
    if c.per == Per.HOUSEHOLD:
        return len({p.home_id for p in people})
    return len(people)


def slot_key(c: Scope, person: Person, electorate: Electorate) -> str:
    """The vote slot a person's ballot takes in ``c`` (for who has taken part)."""
    if c.per != Per.HOUSEHOLD:
        return f"p:{person.id}"
    household_of = electorate.register.household_of if electorate.register is not None else {}
    return verify_queries.slot_key(person.id, person.home_id, household_of)


async def eligible_people(c: ConsultationView) -> list[Person]:
    return eligible(c, await residents_of(c.community_id))


# -- one consultation, lists -----------------------------------------------------------------------------
async def find(consultation_id: int) -> ConsultationView | None:
    c = await Consultation.get_or_none(id=consultation_id)
    return view_of(c) if c is not None else None


async def consultation(consultation_id: int) -> ConsultationView:
    """The consultation; Refusal (not found) when there is none."""
    c = await find(consultation_id)
    if c is None:
        raise Refusal("votes.no_such_consultation")
    return c


async def last_voted(person: Person, remembered: int | None, now: dt.datetime) -> ConsultationView | None:
    """The consultation the person last voted in (``remembered``, or failing that their newest ballot's),
    while it is still open."""
    c = await find(remembered) if remembered else None
    if c is None:
        newest = await Ballot.filter(voter=person).order_by("-id").first()
        c = await find(newest.consultation_id) if newest else None
    if c is None or c.status != S.OPEN or now >= c.closes_at:
        return None
    return c


async def latest_result(community_id: int | None) -> ConsultationView | None:
    """The community's most recently closed consultation with its published result."""
    c = (
        await Consultation.filter(community_id=community_id, status=S.CLOSED)
        .order_by("-closed_at", "-id")
        .first()
        if community_id is not None
        else None
    )
    return view_of(c) if c is not None and c.result else None


async def community_page(
    community: Community, status: str | None, page: int, per_page: int
) -> PageSlice[ConsultationView]:
    """A community's consultations, newest first: two statements (the count and the page)."""
    query = Consultation.filter(community=community)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query, page, per_page, "-created_at", "-id")
    return PageSlice([view_of(c) for c in listed.rows], **listed.meta)


async def running(community_id: int | None) -> list[Running]:
    """The community's open consultations, soonest close first, with turnout and electorate: four
    statements however many there are."""
    if community_id is None:
        return []
    views = [
        view_of(c)
        for c in await Consultation.filter(community_id=community_id, status=S.OPEN).order_by("closes_at")
    ]
    if not views:
        return []
    slots: list[Any] = await (
        VoteSlot.filter(consultation_id__in=[c.id for c in views])
        .exclude(key__startswith=VOID)
        .values_list("consultation_id", flat=True)
    )
    turnout = Counter(int(cid) for cid in slots)  # a slot is taken with its first ballot
    electorate = await residents_of(community_id)
    return [Running(c, turnout.get(c.id, 0), electorate_size(c, electorate)) for c in views]


async def is_committee(person: Person) -> bool:
    """On the committee of their own community."""
    if person.community_id is None:
        return False
    return RoleName.COMMITTEE in await roles_of(person, person.community_id)


async def committee_members(community_id: int) -> list[Person]:
    return await Person.filter(roles__community_id=community_id, roles__role=RoleName.COMMITTEE).distinct()


async def register_member(home_id: int, name: str) -> Resident | None:
    """An active member of the register at that home with that name (a proxy vote is only for them)."""
    return await Resident.filter(home_id=home_id, name=name, active=True).first()


async def require_committee(person: Person, community_id: int) -> None:
    """Refusal unless ``person`` is on the committee of the community."""
    if RoleName.COMMITTEE not in await roles_of(person, community_id):
        raise Refusal("votes.committee_only")


async def participants(consultation_id: int, viewer: Person) -> list[Participant]:
    """Who took part (their newest ballot, never its choices) and who recorded it for them, for the
    committee: five statements however many took part."""
    c = await consultation(consultation_id)
    await require_committee(viewer, c.community_id)
    newest: dict[int, Ballot] = {}
    for ballot in await Ballot.filter(consultation_id=c.id).order_by("id"):
        newest[ballot.slot_id] = ballot
    ids = {b.voter_id for b in newest.values()} | {b.proxy_by_id for b in newest.values() if b.proxy_by_id}
    people = {
        p.id: p
        for p in await Person.filter(id__in=list(ids)).select_related("home__building", "home__community")
    }
    out = []
    for ballot in newest.values():
        if not ballot.choices:
            continue  # voided by the committee
        voter = people[ballot.voter_id]
        proxy = people.get(ballot.proxy_by_id) if ballot.proxy_by_id else None
        out.append(
            Participant(
                name=voter.name or content.text("wishes.the_resident"),
                address=_address(voter),
                recorded_by=(proxy.name or content.text("votes.a_staff_member")) if proxy else None,
            )
        )
    return out


def _address(person: Person) -> str:
    home = person.home
    if home is None:
        return ""
    return HomeAddress(home.community, home.building, home.unit, home.room).describe()


async def public_log(consultation_id: int) -> PublicLog:
    """The ballot log without names, once closed (sealed until then)."""
    c = await Consultation.get_or_none(id=consultation_id)
    if c is None:
        raise Refusal("votes.no_such_consultation")
    if c.status != S.CLOSED:
        raise Refusal("votes.sealed")
    log = await tally.public_log(c)
    return PublicLog(log, tally.digest(log))


async def verify(consultation_id: int) -> tuple[bool, str]:
    """Does the published result still match the ballot log? And the published digest."""
    c = await Consultation.get_or_none(id=consultation_id)
    if c is None:
        raise Refusal("votes.no_such_consultation")
    if c.status != S.CLOSED or not c.result:
        raise Refusal("votes.sealed")
    return await tally.verify(c), str(c.result["digest"])


# -- proposals -------------------------------------------------------------------------------------------
async def waiting_proposals(community_id: int | None, limit: int) -> list[ProposalView]:
    """The community's proposals not yet answered, oldest first."""
    rows = await Proposal.filter(community_id=community_id, status="new").order_by("created_at").limit(limit)
    return [proposal_view(p) for p in rows]


async def proposals_page(
    community: Community, status: str | None, page: int, per_page: int
) -> PageSlice[ProposalView]:
    """A community's proposals, newest first: two statements (the count and the page)."""
    query = Proposal.filter(community=community)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query, page, per_page, "-created_at", "-id")
    return PageSlice([proposal_view(p) for p in listed.rows], **listed.meta)
