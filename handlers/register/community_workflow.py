"""Setting up street offices (街道) and their communities: codes, names, offices and hours, the settings of
what needs a verified home, buildings, units and rooms; the street office's role in each of its communities;
staff named by phone number (a placeholder person and a one-time invite code until the number is proven).

Writers only; reads are in ``community_queries``. Refusals name their sentence in ``street.*``.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from handlers.common.rules import Refusal
from handlers.register import community_queries as queries
from handlers.register.community_spec import BuildingSpec, parse_buildings, parse_rooms
from nlp.slots import parse_mobile
from storage.models import (
    Building,
    Community,
    CommunityKind,
    Home,
    InviteCode,
    Person,
    PhoneGrant,
    Role,
    RoleName,
    StreetOffice,
)
from storage.people import is_placeholder, reassign, staff_by_phone

CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
PHONE_INVITE_LIFETIME = dt.timedelta(days=7)
NAMED_FROM = 1001  # lettered buildings' numbers: far from any numbered building's (3栋 is never A座)
STREET = RoleName.STREET_OFFICE


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _code(code: str) -> str:
    code = code.strip().lower()
    if not CODE.match(code):
        raise Refusal("street.bad_code", code=code)
    return code


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64:
        raise Refusal("street.bad_name")
    return name


def normalise_phone(phone: str) -> str:
    """A mobile number as the register keeps it (11 digits); ``street.bad_phone`` otherwise."""
    digits = parse_mobile(phone)
    if digits is None:
        raise Refusal("street.bad_phone", phone=phone)
    return digits


# -- street offices --------------------------------------------------------------------------------------
async def create_street(code: str, name: str, district: str = "", phone: str = "") -> StreetOffice:
    code = _code(code)
    if await StreetOffice.exists(code=code):
        raise Refusal("street.street_exists", code=code)
    try:
        return await StreetOffice.create(code=code, name=_name(name), district=district.strip(), phone=phone)
    except IntegrityError:  # created by someone else meanwhile
        raise Refusal("street.street_exists", code=code) from None


async def edit_street(
    street: StreetOffice, *, name: str | None = None, district: str | None = None, phone: str | None = None
) -> StreetOffice:
    if name is not None:
        street.name = _name(name)
    if district is not None:
        street.district = district.strip()
    if phone is not None:
        street.phone = phone.strip()
    await street.save()
    return street


async def street_by_code(code: str) -> StreetOffice:
    street = await queries.street(code)
    if street is None:
        raise Refusal("street.no_street", code=code)
    return street


# -- communities -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommunitySettings:
    """What may be set on a community after its creation; None leaves it as it is."""

    name: str | None = None
    district: str | None = None
    phone: str | None = None
    office: str | None = None
    hours: str | None = None
    verify_household_votes: bool | None = None
    verify_owner_votes: bool | None = None
    verify_wishes: bool | None = None

    def changes(self) -> dict[str, Any]:
        found = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        if "name" in found:
            found["name"] = _name(str(found["name"]))
        return {k: v.strip() if isinstance(v, str) else v for k, v in found.items()}


@dataclass(frozen=True)
class CreateCommunity:
    code: str
    name: str
    kind: CommunityKind = CommunityKind.URBAN
    street: str | None = None  # the street office's code
    settings: CommunitySettings = CommunitySettings()
    buildings: str = ""  # a spec: 1-6:2,7:1,8:0,A座:2 (a village: 1-5)
    rooms: Sequence[str] = ()  # specs: 1-6:6x2 (a village: 1-5:40)


async def create_community(cmd: CreateCommunity) -> Community:
    """The community with its buildings (and rooms); its street office's staff hold their role in it."""
    code = _code(cmd.code)
    street = await street_by_code(cmd.street) if cmd.street else None
    specs = parse_buildings(cmd.buildings, cmd.kind) if cmd.buildings.strip() else []
    rooms = [parse_rooms(spec, cmd.kind) for spec in cmd.rooms]
    if await Community.exists(code=code):
        raise Refusal("street.community_exists", code=code)
    values = cmd.settings.changes()
    values.pop("name", None)  # the command's own
    if not values.get("district"):
        values["district"] = street.district if street else ""
    try:
        async with in_transaction():
            community = await Community.create(
                code=code, name=_name(cmd.name), kind=cmd.kind, street_office=street, **values
            )
            await _place_buildings(community, specs)
            for spec in rooms:
                await _place_rooms(community, spec.buildings, spec.rooms())
            if street is not None:
                await _street_staff_join(street, community)
    except IntegrityError:
        raise Refusal("street.community_exists", code=code) from None
    return community


async def edit_community(
    community: Community,
    settings: CommunitySettings,
    *,
    kind: CommunityKind | None = None,
    street: str | None = None,
) -> Community:
    """New settings; a kind only while it has no buildings; a new street office moves the role with it."""
    async with in_transaction():
        if kind is not None and kind is not community.kind:
            if await Building.exists(community=community):
                raise Refusal("street.kind_has_buildings", community=community.name)
            community.kind = kind
        for name, value in settings.changes().items():
            setattr(community, name, value)
        await community.save()
        if street is not None:
            moved = await street_by_code(street)
            if moved.id != community.street_office_id:
                await Role.filter(community=community, role=STREET).delete()
                await PhoneGrant.filter(community=community, role=STREET, claimed_at=None).delete()
                community.street_office = moved
                await community.save(update_fields=["street_office_id"])
                await _street_staff_join(moved, community)
    return community


async def add_buildings(community: Community, spec: str, rooms: Sequence[str] = ()) -> list[Building]:
    """Buildings added (or their units corrected) and rooms created, the ones already there kept."""
    specs = parse_buildings(spec, community.kind) if spec.strip() else []
    room_specs = [parse_rooms(r, community.kind) for r in rooms]
    if not specs and not room_specs:
        raise Refusal("street.bad_buildings", item=spec, example="1-6:2")
    async with in_transaction():
        placed = await _place_buildings(community, specs)
        for room_spec in room_specs:
            await _place_rooms(community, room_spec.buildings, room_spec.rooms())
    return placed


async def _place_buildings(community: Community, specs: Sequence[BuildingSpec]) -> list[Building]:
    if not specs:
        return []
    existing = await Building.filter(community=community)
    by_label = {b.label: b for b in existing}
    taken = {b.number for b in existing}
    placed: list[Building] = []
    for spec in specs:
        building = by_label.get(spec.label)
        if building is not None:
            if building.units != spec.units:
                building.units = spec.units
                await building.save(update_fields=["units"])
            placed.append(building)
            continue
        number = spec.number
        if number is None or number in taken:
            if spec.number is not None:  # a numbered building whose number a lettered one holds
                raise Refusal("street.building_twice", building=spec.label)
            number = next(n for n in range(NAMED_FROM, NAMED_FROM + 10_000) if n not in taken)
        taken.add(number)
        placed.append(
            await Building.create(community=community, number=number, units=spec.units, name=spec.name)
        )
    return placed


async def _place_rooms(community: Community, specs: Sequence[BuildingSpec], rooms: Sequence[str]) -> int:
    """The homes of ``rooms`` in every unit of the buildings named (which must exist); returns how many
    were new. Three statements whatever the count."""
    labels = [s.label for s in specs]
    buildings = {b.label: b for b in await Building.filter(community=community)}
    missing = [label for label in labels if label not in buildings]
    if missing:
        raise Refusal("street.no_such_building", community=community.name, building=missing[0])
    chosen = [buildings[label] for label in labels]
    have = set(
        await Home.filter(building_id__in=[b.id for b in chosen]).values_list("building_id", "unit", "room")
    )
    new = [
        Home(community=community, building=b, unit=unit, room=room)
        for b in chosen
        for unit in (range(1, b.units + 1) if b.units else (0,))
        for room in rooms
        if (b.id, unit, room) not in have
    ]
    await Home.bulk_create(new, batch_size=1000)
    return len(new)


# -- the street office's role ------------------------------------------------------------------------------
async def _street_staff_join(street: StreetOffice, community: Community) -> None:
    """The street office's staff hold their role in ``community`` too (and their grants by phone)."""
    for person_id in await queries.street_staff_ids(street.id):
        await Role.get_or_create(person_id=person_id, community=community, role=STREET)
    pending = await PhoneGrant.filter(
        role=STREET, claimed_at=None, community__street_office_id=street.id
    ).exclude(community=community)
    for grant in {g.phone: g for g in pending}.values():
        await PhoneGrant.get_or_create(
            phone=grant.phone,
            community=community,
            role=STREET,
            defaults={"name": grant.name, "invite_id": grant.invite_id},
        )


async def grant_street(person: Person, street: StreetOffice, by: Person | None = None) -> int:
    """The street office's role in every one of its communities; how many were new."""
    communities = await queries.communities_of(street)
    if not communities:
        raise Refusal("street.no_communities", street=street.name)
    new = 0
    for community in communities:
        _, created = await Role.get_or_create(
            person=person, community=community, role=STREET, defaults={"granted_by": by}
        )
        new += created
    return new


async def revoke(
    person: Person | None, phone: str | None, role: RoleName, communities: Sequence[Community]
) -> bool:
    """``role`` taken back in ``communities`` from the person (named by phone: and the number's grants
    there, claimed or not, so proving the number later does not bring it back). False: nothing to take."""
    ids = [c.id for c in communities]
    async with in_transaction():
        removed = 0
        if person is not None:
            removed = await Role.filter(person=person, community_id__in=ids, role=role).delete()
        if phone:
            removed += await PhoneGrant.filter(
                phone=normalise_phone(phone), community_id__in=ids, role=role
            ).delete()
    return removed > 0


# -- staff by phone ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhoneGranted:
    person: Person
    communities: list[Community]
    role: RoleName
    new_roles: int
    invite: InviteCode | None  # None: the number is proven, the roles are theirs now


async def grant_by_phone(
    phone: str, name: str, role: RoleName, communities: Sequence[Community], now: dt.datetime
) -> PhoneGranted:
    """``role`` in ``communities`` for whoever the phone number turns out to be: the person who proved it,
    else its placeholder, with a one-time code they send in the chat ("加入 123456") to take it."""
    phone = normalise_phone(phone)
    if not communities:
        raise Refusal("street.no_communities", street="")
    async with in_transaction():
        person = await staff_by_phone(phone, name.strip())
        if person.community_id is None:
            person.community_id = communities[0].id
            await person.save(update_fields=["community_id"])
        new = 0
        grants = []
        for community in communities:
            _, created = await Role.get_or_create(person=person, community=community, role=role)
            new += created
            grant, _ = await PhoneGrant.get_or_create(
                phone=phone, community=community, role=role, defaults={"name": name.strip()}
            )
            grants.append(grant.id)
        if not is_placeholder(person):
            await PhoneGrant.filter(id__in=grants).update(claimed_by=person, claimed_at=now)
            return PhoneGranted(person, list(communities), role, new, None)
        invite = await _new_invite(person, communities[0], role, now)
        await PhoneGrant.filter(id__in=grants, claimed_at=None).update(invite=invite)
    return PhoneGranted(person, list(communities), role, new, invite)


async def _new_invite(
    placeholder: Person, community: Community, role: RoleName, now: dt.datetime
) -> InviteCode:
    for _ in range(5):
        try:
            async with in_transaction():  # a savepoint: a code already taken spoils only this try
                return await InviteCode.create(
                    code=f"{secrets.randbelow(10**8):08d}",  # as the chat's invite codes
                    community=community,
                    role=role,
                    created_by=placeholder,
                    expires_at=now + PHONE_INVITE_LIFETIME,
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free invite code")


async def claim_phone_grants(person: Person, phone: str, now: dt.datetime | None = None) -> list[PhoneGrant]:
    """``person`` is who ``phone`` stands for (WeChat proved the number, or they sent the invite code
    issued with its grant): its placeholder, with the roles granted to it, is merged into them, the phone's
    grants are marked claimed (their roles held, even when no placeholder is left) and the invite codes
    issued for them can no longer be used. Returns the grants claimed now."""
    now = now or _now()
    async with in_transaction():
        for placeholder in await Person.filter(phone=phone, openid=None, mp_openid=None).exclude(
            id=person.id
        ):
            await _drop_roles_held(placeholder, person)
            await reassign(placeholder, person)
            person.name = person.name or placeholder.name
            person.phone = person.phone or phone
            if person.community_id is None:
                person.community_id = placeholder.community_id
            await placeholder.delete()
            await person.save(update_fields=["name", "phone", "community_id"])
        grants = await PhoneGrant.filter(phone=phone, claimed_at=None)
        for grant in grants:
            await Role.get_or_create(person=person, community_id=grant.community_id, role=grant.role)
        if grants:
            await PhoneGrant.filter(id__in=[g.id for g in grants]).update(claimed_by=person, claimed_at=now)
            invites = {g.invite_id for g in grants if g.invite_id is not None}
            await InviteCode.filter(id__in=invites, used_by_id=None).update(used_by=person, used_at=now)
    return grants


async def _drop_roles_held(source: Person, target: Person) -> None:
    """The roles ``target`` already holds are not handed over twice: reassign counts on the table's
    uniqueness, which a SQLite database has lost for ``role`` (the table rebuilt when a later migration
    changed its role column, without the (person, community, role) index)."""
    held = set(await Role.filter(person=target).values_list("community_id", "role"))
    twice = [r.id for r in await Role.filter(person=source) if (r.community_id, r.role) in held]
    if twice:
        await Role.filter(id__in=twice).delete()


async def claim_invited_phone(person: Person, invite: InviteCode, now: dt.datetime) -> list[PhoneGrant]:
    """An invite code issued with a grant by phone was used: its holder is who the phone stands for."""
    phone = await queries.phone_of_invite(invite.id)
    return await claim_phone_grants(person, phone, now) if phone else []
