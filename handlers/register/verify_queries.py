"""Reads of verified homes: whether a community's register is in force, who on the register a binding
matches, how a person's home in use stands (verified, waiting, unchecked) read now from the bindings and
the register, the pending bindings a staff member may decide, and what the votes slice counts.

Nothing here caches a standing: a resident who leaves the register (``Resident.active`` false, their
binding ended by the import) loses what needed it on their next request."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tortoise.expressions import Q

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.register.models import (
    Binding,
    BindingMethod,
    BindingStatus,
    GridBuilding,
    GridStaff,
    Household,
    Resident,
)
from handlers.residents.queries import HomeAddress
from storage.models import OVERSEERS, Community, Home, Person, Role, RoleName
from storage.pages import PageSlice, page_slice

__all__ = [
    "ACTIVE",
    "BindingMethod",
    "BindingStatus",
    "BindingView",
    "HomeStatus",
    "Member",
    "Standing",
    "binding_number",
]

HomeStatus = Literal["verified", "pending", "unverified", "unchecked"]
ACTIVE = (BindingStatus.PENDING, BindingStatus.VERIFIED)
DECIDERS = OVERSEERS  # decide every binding of their community
_NUMBER = re.compile(r"^\s*[Bb]\s*(\d{1,9})\s*$")


def binding_number(binding_id: int) -> str:
    """How a binding is named to staff and residents: B12."""
    return f"B{binding_id}"


def parse_number(text: str) -> int | None:
    found = _NUMBER.match(text)
    return int(found.group(1)) if found else None


# -- the register ----------------------------------------------------------------------------------------
def in_force(community: Community) -> bool:
    """The community's register is in force (from its first import)."""
    return community.register_at is not None


async def register_community(community_id: int | None) -> Community | None:
    """The community when its register is in force, else None."""
    if community_id is None:
        return None
    found = await Community.get_or_none(id=community_id)
    return found if found is not None and in_force(found) else None


async def home_at(address: HomeAddress) -> Home | None:
    return await Home.get_or_none(building=address.building, unit=address.unit, room=address.room)


async def check_on_register(address: HomeAddress) -> Home | None:
    """In a community whose register is in force, the home as the register has it; a room not on the
    register raises Refusal. None in a community without a register."""
    if not in_force(address.community):
        return None
    home = await home_at(address)
    if home is None:
        raise Refusal("verify.not_on_register", address=address.home())
    return home


async def match(home: Home, name: str, phone: str) -> tuple[Resident, BindingMethod] | None:
    """The active register member of the home's household(s) the phone (first) or the name stands for."""
    members = await Resident.filter(household__home_id=home.id, active=True).order_by("id")
    if phone:
        found = [m for m in members if m.phone == phone]
        if found:
            return found[0], BindingMethod.PHONE
    name = name.strip()
    if name:
        found = [m for m in members if m.name == name]
        if len(found) == 1:
            return found[0], BindingMethod.NAME
    return None


async def claimed_by_other(resident: Resident, person: Person) -> bool:
    """Someone else already holds a verified binding as this register member."""
    return await (
        Binding.filter(resident=resident, status=BindingStatus.VERIFIED).exclude(person_id=person.id).exists()
    )


async def unbound_member(home_id: int, name: str) -> Resident | None:
    """The only active member of that name at the home nobody is bound as (for a confirmation)."""
    if not name.strip():
        return None
    found = await Resident.filter(household__home_id=home_id, active=True, name=name.strip(), person_id=None)
    return found[0] if len(found) == 1 else None


async def member_of(home_id: int, resident_id: int | None = None, name: str = "") -> Resident | None:
    """The active register member of the home with that id (or, failing an id, that name)."""
    query = Resident.filter(household__home_id=home_id, active=True)
    if resident_id is not None:
        return await query.get_or_none(id=resident_id)
    found = await query.filter(name=name.strip())
    return found[0] if len(found) == 1 else None


# -- a person's bindings ---------------------------------------------------------------------------------
async def binding_at(person: Person, home_id: int) -> Binding | None:
    """The person's pending or verified binding of that home."""
    return (
        await Binding.filter(person=person, home_id=home_id, status__in=ACTIVE)
        .select_related("resident")
        .order_by("-id")
        .first()
    )


async def active_bindings(person: Person) -> list[Binding]:
    """The person's pending and verified bindings, oldest first, with their homes."""
    return list(
        await Binding.filter(person=person, status__in=ACTIVE)
        .select_related("home__building", "community")
        .order_by("id")
    )


def address_of(binding: Binding) -> HomeAddress:
    """The home of a binding read with ``home__building`` and ``community``."""
    home = binding.home
    return HomeAddress(binding.community, home.building, home.unit, home.room)


@dataclass(frozen=True)
class Place:
    """One of a person's homes, for 切换住址."""

    binding_id: int
    address: str
    pending: bool
    current: bool


async def places_of(person: Person) -> list[Place]:
    return [
        Place(b.id, address_of(b).describe(), b.status == BindingStatus.PENDING, b.home_id == person.home_id)
        for b in await active_bindings(person)
    ]


# -- how the home in use stands ------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    """How a person's home in use stands against its community's register, read now."""

    register: bool = False  # the community's register is in force
    status: BindingStatus | None = None  # of the binding of the home in use
    verified: bool = False  # matched the register (phone, name) or confirmed by staff
    household_id: int | None = None  # the registered household it votes as
    owner: bool = False  # 业主 on the register (of the verified entry)
    household_votes: bool = False  # the community's settings, in force with the register
    owner_votes: bool = False
    wishes: bool = False

    def refusal(self, what: str) -> Refusal | None:
        """Why ``what`` (household_vote, owner_vote, wish) is not open to this home yet, or None."""
        needed = {"household_vote": self.household_votes, "owner_vote": self.owner_votes, "wish": self.wishes}
        if not needed[what] or self.verified:
            return None
        done = content.text(f"verify.what.{what}")
        if self.status == BindingStatus.PENDING:
            return Refusal("verify.waiting", what=done)
        return Refusal("verify.unverified", what=done)


def checked(binding: Binding | None) -> bool:
    """A verified binding checked against the register (not merely recorded as said), whose register
    member, when it has one, is still on the register."""
    return (
        binding is not None
        and binding.status == BindingStatus.VERIFIED
        and binding.method != BindingMethod.UNCHECKED
        and (binding.resident is None or binding.resident.active)
    )


async def standing(person: Person, home: Home | None = None) -> Standing:
    """Three statements at most: the home's community (none when ``home``, the home in use, is given
    read with its community), the binding with its register member, the home's households."""
    if person.home_id is None:
        return Standing()
    if home is None or home.id != person.home_id:
        home = await Home.filter(id=person.home_id).select_related("community").get()
    community = home.community
    if not in_force(community):
        return Standing()
    binding = await binding_at(person, home.id)
    verified = checked(binding)
    resident = binding.resident if binding is not None and verified else None
    household = resident.household_id if resident is not None else await only_household(home.id)
    return Standing(
        register=True,
        status=binding.status if binding is not None else None,
        verified=verified,
        household_id=household,
        owner=bool(resident is not None and resident.is_owner),
        household_votes=community.verify_household_votes,
        owner_votes=community.verify_owner_votes,
        wishes=community.verify_wishes,
    )


async def only_household(home_id: int) -> int | None:
    """The home's registered household when it has exactly one."""
    found: list[Any] = await Household.filter(home_id=home_id, active=True).values_list("id", flat=True)
    return int(found[0]) if len(found) == 1 else None


async def require(person: Person, what: str) -> None:
    """Refusal unless the person's home in use is verified, when ``what`` needs it in its community."""
    refusal = (await standing(person)).refusal(what)
    if refusal is not None:
        raise refusal


async def home_status(person: Person) -> HomeStatus | None:
    """For the mini-program: verified, pending or unverified in a community with a register, unchecked
    without one; None without a home."""
    if person.home_id is None:
        return None
    found = await standing(person)
    if not found.register:
        return "unchecked"
    if found.verified:
        return "verified"
    return "pending" if found.status == BindingStatus.PENDING else "unverified"


# -- what the votes slice counts -------------------------------------------------------------------------
@dataclass(frozen=True)
class Roll:
    """A community's register as consultations count it, read in three statements."""

    owners: set[int]  # people verified as an owner (业主) on the register, at their home in use
    household_of: dict[int, int]  # person id -> the registered household they vote as
    households: list[tuple[int, int, bool]]  # (household id, building number, has an owner), active


async def roll(community: Community, people: Sequence[Person]) -> Roll | None:
    """None when the community's register is not in force."""
    if not in_force(community):
        return None
    bindings = await Binding.filter(
        community_id=community.id, status=BindingStatus.VERIFIED, person_id__in=[p.id for p in people]
    ).select_related("resident")
    home_of = {p.id: p.home_id for p in people}
    owners: set[int] = set()
    household_of: dict[int, int] = {}
    for b in bindings:
        if b.home_id != home_of.get(b.person_id) or not checked(b) or b.resident is None:
            continue
        household_of[b.person_id] = b.resident.household_id
        if b.resident.is_owner:
            owners.add(b.person_id)
    rows = await Household.filter(community_id=community.id, active=True).values_list(
        "id", "home_id", "home__building__number"
    )
    with_owner = set(
        await Resident.filter(community_id=community.id, active=True, is_owner=True).values_list(
            "household_id", flat=True
        )
    )
    per_home = Counter(int(home) for _, home, _ in rows)
    single = {int(home): int(hid) for hid, home, _ in rows if per_home[int(home)] == 1}
    for p in people:  # the home's one household, when the person's own is not known
        if p.id not in household_of and p.home_id in single:
            household_of[p.id] = single[p.home_id]
    households = [(int(hid), int(number), hid in with_owner) for hid, _, number in rows]
    return Roll(owners, household_of, households)


def slot_key(person_id: int, home_id: int | None, household_of: dict[int, int]) -> str:
    """The vote slot of a household vote: the registered household when known, else the home."""
    household = household_of.get(person_id)
    return f"hh:{household}" if household is not None else f"h:{home_id}"


# -- pending bindings, for staff -------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    id: int
    name: str
    bound: bool


@dataclass(frozen=True)
class BindingView:
    id: int
    number: str
    status: BindingStatus
    method: BindingMethod
    community_code: str
    address: str
    said_name: str
    said_phone: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str
    resident_id: int | None
    members: list[Member]

    @property
    def who(self) -> str:
        parts = [p for p in (self.said_name, self.said_phone) if p]
        return " ".join(parts) or content.text("verify.who_unknown")

    def pending_line(self) -> str:
        names = "、".join(m.name for m in self.members)
        members = content.text("verify.members", names=names) if names else content.text("verify.no_members")
        return content.text(
            "verify.pending_line",
            number=self.number,
            address=self.address,
            who=self.who,
            when=formats.day_time(self.requested_at, weekday=False),
            members=members,
        )


async def views(rows: Iterable[Binding]) -> list[BindingView]:
    """Rows read with ``home__building`` and ``community``; their homes' register members in one more
    statement."""
    listed = list(rows)
    members: dict[int, list[Member]] = {}
    for r in await Resident.filter(household__home_id__in=[b.home_id for b in listed], active=True).order_by(
        "id"
    ):
        members.setdefault(r.home_id, []).append(Member(r.id, r.name, r.person_id is not None))
    return [
        BindingView(
            id=b.id,
            number=binding_number(b.id),
            status=b.status,
            method=b.method,
            community_code=b.community.code,
            address=address_of(b).describe(),
            said_name=b.said_name,
            said_phone=b.said_phone,
            requested_at=b.requested_at,
            decided_at=b.decided_at,
            reason=b.reason,
            resident_id=b.resident_id,
            members=members.get(b.home_id, []),
        )
        for b in listed
    ]


async def _decider_scope(viewer: Person) -> Q:
    """The bindings ``viewer`` may decide: every one of a community where they sit on the committee (or
    the street office), and those of the buildings of the grids they staff."""
    held = await Role.filter(person=viewer, role__in=[*DECIDERS, RoleName.GRID_WORKER]).values_list(
        "community_id", "role"
    )
    communities = [c for c, role in held if role in DECIDERS]
    working = [c for c, role in held if role == RoleName.GRID_WORKER]  # staff of a grid with the role
    buildings = await GridBuilding.filter(
        grid__staff__person_id=viewer.id, grid__community_id__in=working
    ).values_list("building_id", flat=True)
    return Q(community_id__in=communities) | Q(home__building_id__in=list(buildings))


async def may_decide(viewer: Person, binding: Binding) -> bool:
    return await Binding.filter(await _decider_scope(viewer), id=binding.id).exists()


async def pending_for(viewer: Person, limit: int = 20) -> list[BindingView]:
    """The pending bindings ``viewer`` may decide, oldest first."""
    rows = (
        await Binding.filter(await _decider_scope(viewer), status=BindingStatus.PENDING)
        .select_related("home__building", "community")
        .order_by("requested_at", "id")
        .limit(limit)
    )
    return await views(rows)


async def community_page(
    community: Community, viewer: Person, status: str | None, page: int, per_page: int
) -> PageSlice[BindingView]:
    """A community's bindings ``viewer`` may decide, oldest first: four statements and the scope's two."""
    query = Binding.filter(await _decider_scope(viewer), community_id=community.id)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query.select_related("home__building", "community"), page, per_page, "id")
    return PageSlice(await views(listed.rows), **listed.meta)


async def view(binding_id: int) -> BindingView:
    b = await Binding.filter(id=binding_id).select_related("home__building", "community").first()
    if b is None:
        raise Refusal("verify.no_such_binding")
    return (await views([b]))[0]


async def deciders(binding: Binding) -> list[Person]:
    """Whom a pending binding is told to: the committee and the grid staff of the building's grid (its
    worker; its deputies when it has no worker)."""
    home = await Home.get(id=binding.home_id)
    link = await GridBuilding.get_or_none(building_id=home.building_id)
    staff = (
        list(
            await GridStaff.filter(
                grid_id=link.grid_id,
                person__roles__community_id=binding.community_id,
                person__roles__role=RoleName.GRID_WORKER,
            ).select_related("person")
        )
        if link
        else []
    )
    workers = [s.person for s in staff if not s.deputy] or [s.person for s in staff]
    committee = [
        r.person
        for r in await Role.filter(community_id=binding.community_id, role=RoleName.COMMITTEE).select_related(
            "person"
        )
    ]
    people: dict[int, Person] = {}
    for p in [*workers, *committee]:
        people.setdefault(p.id, p)
    return list(people.values())
