"""Transport-free operations on residents: bind a home, grant and revoke roles, invite codes."""

from __future__ import annotations

import datetime as dt
import secrets

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from handlers.common.rules import Refusal
from handlers.register.community_workflow import claim_invited_phone
from handlers.residents.queries import HomeAddress, communities, home_of, roles_of
from nlp.slots import Address
from storage.kv import Store
from storage.models import STAFF_ROLES, Building, Community, Home, InviteCode, Person, Role, RoleName
from storage.people import reassign

# the reads other slices use from here (they live in handlers.residents.queries)
__all__ = ["HomeAddress", "communities", "home_of", "roles_of"]

INVITE_LIFETIME = dt.timedelta(hours=72)
LINK_TTL = 600


async def resolve_address(community: Community, address: Address) -> HomeAddress:
    """Check a written address against the community's buildings (a village's groups); what is missing
    or wrong raises Refusal. A building with a single unit needs no unit ("7栋101")."""
    buildings = await Building.filter(community=community).order_by("number")
    village = any(b.is_group for b in buildings)
    if not address.has_building:
        raise Refusal("residents.need_group" if village else "residents.need_building")
    building = next((b for b in buildings if _written_as(b, address)), None)
    if building is None:
        written = (
            f"{address.letter}座" if address.letter else f"{address.building}{'组' if village else '栋'}"
        )
        raise Refusal("residents.no_such_building", community=community.name, building=written)
    unit = address.unit or 0
    if building.units == 1 and unit == 0:
        unit = 1  # the only unit goes without saying
    if building.units > 1 and unit == 0:
        raise Refusal("residents.need_unit", building=building.label, units=building.units)
    if unit > building.units:
        raise Refusal("residents.no_such_unit", building=building.label, units=building.units)
    if not address.room:
        raise Refusal("residents.need_house" if building.is_group else "residents.need_room")
    return HomeAddress(community, building, unit, address.room)


async def communities_with(address: Address) -> list[Community]:
    """The communities where ``address`` is a home (3栋2单元502: not a village without units)."""
    fits = []
    for community in await communities():
        try:
            await resolve_address(community, address)
        except Refusal:
            continue
        fits.append(community)
    return fits


def _written_as(building: Building, address: Address) -> bool:
    if address.letter is not None:
        return building.letter == address.letter
    return building.letter is None and building.number == address.building


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


async def grant_role(person: Person, community: Community, role: RoleName, by: Person | None = None) -> bool:
    """True when the role is new."""
    _, created = await Role.get_or_create(
        person=person, community=community, role=role, defaults={"granted_by": by}
    )
    return created


async def revoke_role(person: Person, community: Community, role: RoleName) -> bool:
    return await Role.filter(person=person, community=community, role=role).delete() > 0


async def revoke_role_by_id(role_id: int, community: Community) -> bool:
    """False when the community has no such role."""
    return await Role.filter(id=role_id, community=community).delete() > 0


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
        await claim_invited_phone(person, invite, now)  # a code issued with a grant by phone number
        if invite.role in STAFF_ROLES and person.community_id is None:
            person.community = invite.community
            await person.save(update_fields=["community_id"])
    return invite


# -- the mini-program's identity ---------------------------------------------------------------------
async def person_for_login(mp_openid: str, unionid: str | None) -> Person:
    """The same person when the mini-program openid or the unionid is known; a new one otherwise."""
    person = await Person.get_or_none(mp_openid=mp_openid)
    if person is None and unionid:
        person = await Person.get_or_none(unionid=unionid)
        if person is not None:
            person.mp_openid = mp_openid
            await person.save(update_fields=["mp_openid"])
    if person is None:
        person = await Person.create(openid=None, mp_openid=mp_openid, unionid=unionid)
    return person


async def new_link_code(store: Store, person: Person) -> str:
    """A one-time code the chat gives a follower to link the mini-program (10 minutes)."""
    for _ in range(5):
        code = f"{secrets.randbelow(10**6):06d}"
        if await store.set_if_absent(f"link:{code}", str(person.id), LINK_TTL):
            return code
    raise RuntimeError("no free link code")


async def merge_into(source: Person, target: Person) -> Person:
    """The mini-program-only person becomes part of the Official Account follower; returns the follower."""
    async with in_transaction():
        await reassign(source, target)  # roles, messages, notifications, tickets, wishes...
        mp_openid, unionid = source.mp_openid, source.unionid
        if target.home_id is None and source.home_id is not None:
            target.home_id, target.community_id = source.home_id, source.community_id
        await source.delete()
        target.mp_openid = mp_openid
        target.unionid = target.unionid or unionid
        await target.save()
    return target
