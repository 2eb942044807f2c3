"""Verified homes, without any transport: bind a home (checked against the register when the community
has one), a move and a second home, switch the home in use, staff confirm or reject a pending binding,
and a phone WeChat itself proved.

In a community whose register is in force (``Community.register_at``) a binding is verified at once when
the phone (or the name) said matches an active member of that home on the register; otherwise it waits
for the committee or the building's grid worker, who are told through the outbox, and the resident is
told their answer. Without a register, a binding is recorded as said (method ``unchecked``), verified.

A binding is what rights read, now: ``handlers.register.verify_queries.standing``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.transactions import in_transaction

import content
from handlers.common.rules import Refusal
from handlers.register import verify_queries as queries
from handlers.register.models import Binding, BindingMethod, BindingStatus, Resident
from handlers.residents.queries import HomeAddress
from nlp.slots import extract_mobile
from storage.models import Home, Person, Role, RoleName
from storage.outbox import notify
from storage.roles import roles_of

S = BindingStatus


@dataclass(frozen=True)
class Bound:
    """What binding did: the binding, its home and its number."""

    binding: Binding
    home: Home
    address: HomeAddress

    @property
    def verified(self) -> bool:
        return self.binding.status == S.VERIFIED

    @property
    def number(self) -> str:
        return queries.binding_number(self.binding.id)


MOVES_ALLOWED = 3  # new homes a person may bind to in MOVES_WINDOW (a move, a second home, a mistake)
MOVES_WINDOW = dt.timedelta(days=30)


async def _moves_since(person: Person, since: dt.datetime) -> int:
    """New homes the person bound to since then (every binding is recorded: the history of their homes)."""
    return await Binding.filter(person=person, requested_at__gte=since).count()


async def _same_home(person: Person, address: HomeAddress) -> bool:
    home = await Home.get_or_none(building=address.building, unit=address.unit, room=address.room)
    return home is not None and await Binding.exists(person=person, home=home)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def bind(
    person: Person,
    address: HomeAddress,
    now: dt.datetime | None = None,
    *,
    name: str = "",
    phone: str = "",
    keep_others: bool = False,
) -> Bound:
    """Bind ``person`` to the home at ``address`` and make it their home in use. A move (the default)
    ends the binding of the home in use until now; ``keep_others`` adds a second home instead. In a
    community with a register the home must be on it (Refusal otherwise) and the binding is checked:
    ``phone`` (or the person's phone WeChat proved) or ``name`` matching a member verifies it, else it
    waits for staff."""
    now = now or _now()
    phone = (extract_mobile(phone) or "") if phone else ""
    registered = await queries.check_on_register(address)
    if await _moves_since(person, now - MOVES_WINDOW) >= MOVES_ALLOWED:
        already = await queries.binding_at(person, registered.id) if registered is not None else None
        if already is None and not await _same_home(person, address):
            raise Refusal("verify.too_many_moves", days=MOVES_WINDOW.days)
    async with in_transaction():
        if registered is None:
            home, _ = await Home.get_or_create(
                building=address.building,
                unit=address.unit,
                room=address.room,
                defaults={"community": address.community},
            )
        else:
            home = registered
        if not keep_others and person.home_id is not None and person.home_id != home.id:
            await _end_at(person, person.home_id, now)
        binding = await queries.binding_at(person, home.id)
        if registered is None:
            binding = binding or await Binding.create(
                person=person,
                community=address.community,
                home=home,
                status=S.VERIFIED,
                method=BindingMethod.UNCHECKED,
                requested_at=now,
                decided_at=now,
            )
        else:
            binding = await _checked(person, home, address, binding, name, phone, now)
        person.home = home
        person.community = address.community
        await person.save(update_fields=["home_id", "community_id", "phone"])
        await Role.get_or_create(person=person, community=address.community, role=RoleName.RESIDENT)
    return Bound(binding, home, address)


async def _checked(
    person: Person,
    home: Home,
    address: HomeAddress,
    binding: Binding | None,
    name: str,
    phone: str,
    now: dt.datetime,
) -> Binding:
    """The binding of a registered home: kept when checked already, else verified by what was said (or
    the proven phone), else pending (staff told once, when it is new or was only recorded as said)."""
    if binding is not None and queries.checked(binding):
        return binding
    fresh = binding is None or binding.status == S.VERIFIED  # recorded as said before the register
    if binding is not None and fresh:
        binding.status, binding.requested_at, binding.decided_at = S.PENDING, now, None
        await binding.save(update_fields=["status", "requested_at", "decided_at"])
    proven = person.phone if person.phone_verified_at is not None else ""
    found = await queries.match(home, name, phone) or (
        await queries.match(home, "", proven) if proven else None
    )
    if found is not None and await queries.claimed_by_other(found[0], person):
        found = None  # someone else is already bound as that member: staff decide
    if binding is None:
        binding = await Binding.create(
            person=person,
            community=address.community,
            home=home,
            status=S.PENDING,
            method=BindingMethod.UNCHECKED,
            said_name=name.strip()[:32],
            said_phone=phone,
            requested_at=now,
        )
    elif name.strip() or phone:
        binding.said_name = name.strip()[:32] or binding.said_name
        binding.said_phone = phone or binding.said_phone
        await binding.save(update_fields=["said_name", "said_phone"])
    if found is None and fresh:
        await _tell_deciders(binding, address, now)
    if found is not None:
        resident, method = found
        await _verify(binding, person, resident, method, now)
        if method == BindingMethod.PHONE and not person.phone_verified_at:
            person.phone = resident.phone
    return binding


async def _verify(
    binding: Binding,
    person: Person,
    resident: Resident | None,
    method: BindingMethod,
    now: dt.datetime,
    by: Person | None = None,
) -> None:
    binding.status, binding.method, binding.decided_at, binding.decided_by = S.VERIFIED, method, now, by
    binding.resident = resident
    await binding.save(update_fields=["status", "method", "decided_at", "decided_by_id", "resident_id"])
    if resident is not None:
        resident.person = person
        await resident.save(update_fields=["person_id"])
        if not person.name:
            person.name = resident.name
            await person.save(update_fields=["name"])


async def _end_at(person: Person, home_id: int, now: dt.datetime) -> None:
    """A move: the binding of the home left ends (its register member no longer points at the person)."""
    for old in await Binding.filter(person=person, home_id=home_id, status__in=queries.ACTIVE):
        old.status, old.ended_at = S.ENDED, now
        await old.save(update_fields=["status", "ended_at"])
        if old.resident_id is not None:
            await Resident.filter(id=old.resident_id, person_id=person.id).update(person_id=None)


async def _tell_deciders(binding: Binding, address: HomeAddress, now: dt.datetime) -> None:
    number = queries.binding_number(binding.id)
    who = " ".join(p for p in (binding.said_name, binding.said_phone) if p) or content.text(
        "verify.who_unknown"
    )
    text = content.text("verify.staff_new", number=number, address=address.describe(), who=who)
    for member in await queries.deciders(binding):
        await notify(member, f"binding:{binding.id}:new:{member.id}", text, now=now)


# -- the home in use -------------------------------------------------------------------------------------
async def switch(person: Person, binding_id: int) -> HomeAddress:
    """Make the home of one of the person's pending or verified bindings the home in use."""
    chosen = next((b for b in await queries.active_bindings(person) if b.id == binding_id), None)
    if chosen is None:
        raise Refusal("verify.no_such_binding")
    person.home_id, person.community_id = chosen.home_id, chosen.community_id
    await person.save(update_fields=["home_id", "community_id"])
    return queries.address_of(chosen)


# -- staff decide ----------------------------------------------------------------------------------------
async def _pending(binding_id: int, by: Person) -> Binding:
    binding = (
        await Binding.filter(id=binding_id).select_related("home__building", "community", "person").first()
    )
    if binding is None:
        raise Refusal("verify.no_such_binding")
    if not await queries.may_decide(by, binding):
        raise Refusal("verify.not_allowed")
    if binding.status != S.PENDING:
        raise Refusal("verify.not_pending", number=queries.binding_number(binding.id))
    return binding


async def confirm(
    binding_id: int, by: Person, now: dt.datetime, *, resident_id: int | None = None, name: str = ""
) -> Binding:
    """The committee (or the building's grid worker) confirms a pending binding, linked to the register
    member ``resident_id`` (or named ``name``, or else the only unbound member of the name the resident
    said, when there is one); the resident is told."""
    binding = await _pending(binding_id, by)
    if resident_id is not None or name.strip():
        resident = await queries.member_of(binding.home_id, resident_id, name)
        if resident is None:
            raise Refusal("verify.no_such_member")
        if await queries.claimed_by_other(resident, binding.person):
            raise Refusal("verify.member_taken", name=resident.name)  # one register member, one person
    else:
        resident = await queries.unbound_member(binding.home_id, binding.said_name)
    async with in_transaction():
        if not await Binding.filter(id=binding.id, status=S.PENDING).update(status=S.VERIFIED):
            raise Refusal("verify.not_pending", number=queries.binding_number(binding.id))
        await _verify(binding, binding.person, resident, BindingMethod.CONFIRMED, now, by)
        await _tell(binding, "confirmed", now)
    return binding


async def reject(binding_id: int, by: Person, reason: str, now: dt.datetime) -> Binding:
    """A pending binding refused, with the reason the resident is told; the home is no longer theirs in
    use (another binding's home is, when they have one)."""
    binding = await _pending(binding_id, by)
    if len(reason.strip()) < 2:
        raise Refusal("verify.reason_needed", number=queries.binding_number(binding.id))
    async with in_transaction():
        updated = await Binding.filter(id=binding.id, status=S.PENDING).update(
            status=S.REJECTED, reason=reason.strip()[:200], decided_at=now, decided_by_id=by.id
        )
        if not updated:
            raise Refusal("verify.not_pending", number=queries.binding_number(binding.id))
        binding.reason = reason.strip()[:200]
        person = binding.person
        if person.home_id == binding.home_id:
            others = await queries.active_bindings(person)
            person.home_id = others[-1].home_id if others else None
            if others:
                person.community_id = others[-1].community_id
            await person.save(update_fields=["home_id", "community_id"])
        await _tell(binding, "rejected", now)
    return binding


async def revoke(binding_id: int, by: Person, reason: str, now: dt.datetime) -> Binding:
    """The committee ends a binding that should not stand (someone took another family's home first, so
    that the real family hears "already voted"): it ends with the reason, the person is told, and the
    household votes they cast from that home in consultations still open are voided, so the family can
    vote. The log keeps every ballot; a voided one is not counted."""
    binding = (
        await Binding.filter(id=binding_id).select_related("home__building", "community", "person").first()
    )
    if binding is None:
        raise Refusal("verify.no_such_binding")
    if RoleName.COMMITTEE not in await roles_of(by, binding.community_id):
        raise Refusal("verify.not_allowed")
    if len(reason.strip()) < 2:
        raise Refusal("verify.reason_needed", number=queries.binding_number(binding.id))
    from handlers.votes.workflow import void_household_votes  # votes reads this slice: imported late

    async with in_transaction():
        updated = await Binding.filter(id=binding.id, status__in=[S.VERIFIED, S.PENDING]).update(
            status=S.ENDED, reason=reason.strip()[:200], ended_at=now, decided_by_id=by.id
        )
        if not updated:
            raise Refusal("verify.not_pending", number=queries.binding_number(binding.id))
        binding.reason = reason.strip()[:200]
        await Resident.filter(person_id=binding.person_id, home_id=binding.home_id).update(person_id=None)
        person = binding.person
        if person.home_id == binding.home_id:
            others = await queries.active_bindings(person)
            person.home_id = others[-1].home_id if others else None
            await person.save(update_fields=["home_id"])
        await void_household_votes(person, binding.home_id, by, now)
        await _tell(binding, "revoked", now)
    return binding


async def _tell(binding: Binding, outcome: str, now: dt.datetime) -> None:
    address = queries.address_of(binding).describe()
    number = queries.binding_number(binding.id)
    text = content.text(f"verify.told_{outcome}", address=address, number=number, reason=binding.reason)
    await notify(binding.person, f"binding:{binding.id}:{outcome}", text, now=now)


# -- a phone WeChat proved -------------------------------------------------------------------------------
async def prove_phone(person: Person, phone: str, now: dt.datetime) -> Person:
    """The mini-program's getPhoneNumber: the phone is the person's (proven now); a pending binding whose
    home has that phone on the register is verified; the roles granted to that phone become theirs."""
    from handlers.register.community_workflow import claim_phone_grants

    number = extract_mobile(phone)
    if number is None:
        raise Refusal("verify.phone_invalid")
    async with in_transaction():
        person.phone, person.phone_verified_at = number, now
        await person.save(update_fields=["phone", "phone_verified_at"])
        await claim_phone_grants(person, number)
        for binding in await Binding.filter(person=person, status=S.PENDING).select_related("home"):
            found = await queries.match(binding.home, "", number)
            if found is not None and not await queries.claimed_by_other(found[0], person):
                await _verify(binding, person, found[0], BindingMethod.PHONE, now)
    return person
