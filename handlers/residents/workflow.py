"""Transport-free operations on residents: bind a home, grant and revoke roles, invite codes."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from handlers.common.rules import Refusal
from nlp.slots import Address
from storage.models import STAFF_ROLES, Building, Community, Home, InviteCode, Person, Role, RoleName
from storage.roles import roles_of

INVITE_LIFETIME = dt.timedelta(hours=72)


@dataclass(frozen=True)
class HomeAddress:
    community: Community
    building: Building
    unit: int
    room: str

    def describe(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.community.name} {self.building.number}栋{unit}{self.room}"


async def communities() -> list[Community]:
    return await Community.all().order_by("id")


async def resolve_address(community: Community, address: Address) -> HomeAddress:
    """Check a spoken address against the community's buildings; what is missing raises Refusal."""
    if address.building is None:
        raise Refusal("residents.need_building")
    building = await Building.get_or_none(community=community, number=address.building)
    if building is None:
        raise Refusal("residents.no_such_building", community=community.name, building=address.building)
    unit = address.unit or 0
    if building.units > 0 and unit == 0:
        raise Refusal("residents.need_unit", building=building.number, units=building.units)
    if unit > building.units:
        raise Refusal("residents.no_such_unit", building=building.number, units=building.units)
    if not address.room:
        raise Refusal("residents.need_room")
    return HomeAddress(community, building, unit, address.room)


async def bind_home(person: Person, address: HomeAddress) -> Home:
    """Bind ``person`` to the home (created on first use) and make them a resident of its community."""
    async with in_transaction():
        home, _ = await Home.get_or_create(
            building=address.building,
            unit=address.unit,
            room=address.room,
            defaults={"community": address.community},
        )
        person.home = home
        person.community = address.community
        await person.save(update_fields=["home_id", "community_id"])
        await Role.get_or_create(person=person, community=address.community, role=RoleName.RESIDENT)
    return home


async def home_of(person: Person) -> HomeAddress | None:
    if person.home_id is None:
        return None
    home = await Home.get(id=person.home_id).prefetch_related("community", "building")
    return HomeAddress(home.community, home.building, home.unit, home.room)


async def grant_role(person: Person, community: Community, role: RoleName, by: Person | None = None) -> bool:
    """True when the role is new."""
    _, created = await Role.get_or_create(
        person=person, community=community, role=role, defaults={"granted_by": by}
    )
    return created


async def revoke_role(person: Person, community: Community, role: RoleName) -> bool:
    return await Role.filter(person=person, community=community, role=role).delete() > 0


async def create_invite(by: Person, community: Community, role: RoleName, now: dt.datetime) -> InviteCode:
    """A committee member invites someone into ``role`` in their community."""
    if RoleName.COMMITTEE not in await roles_of(by, community):
        raise Refusal("residents.invite_not_allowed")
    for _ in range(5):
        code = f"{secrets.randbelow(10**6):06d}"
        try:
            return await InviteCode.create(
                code=code, community=community, role=role, created_by=by, expires_at=now + INVITE_LIFETIME
            )
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free invite code")


async def redeem_invite(person: Person, code: str, now: dt.datetime) -> InviteCode:
    """Use a one-time invite code; exactly one person can ever use it."""
    async with in_transaction():
        invite = await InviteCode.get_or_none(code=code).prefetch_related("community")
        if invite is None or invite.expires_at <= now:
            raise Refusal("residents.invite_invalid")
        taken = await InviteCode.filter(id=invite.id, used_by_id=None).update(used_by=person, used_at=now)
        if taken == 0:
            raise Refusal("residents.invite_invalid")
        await grant_role(person, invite.community, invite.role, by=None)
        if invite.role in STAFF_ROLES and person.community_id is None:
            person.community = invite.community
            await person.save(update_fields=["community_id"])
    return invite
