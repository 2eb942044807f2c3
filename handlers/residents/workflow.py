"""Transport-free operations on residents: bind a home, grant and revoke roles, invite codes."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import content
from bot.api.sessions import repoint
from handlers.common.rules import Refusal
from handlers.register import verify_workflow as verify
from handlers.register.community_workflow import claim_invited_phone
from handlers.residents.queries import HomeAddress, communities, home_of, roles_of
from nlp.slots import Address
from storage.kv import Store
from storage.models import STAFF_ROLES, Building, Community, Home, InviteCode, Person, Role, RoleName
from storage.outbox import notify
from storage.people import reassign

# the reads other slices use from here (they live in handlers.residents.queries)
__all__ = ["HomeAddress", "communities", "home_of", "roles_of"]

INVITE_LIFETIME = dt.timedelta(hours=72)
INVITE_DIGITS = 8
INVITE_TRIES = 5  # wrong invite codes a person may send in an hour
LINK_TTL = 600
LINK_DIGITS = 8
LINK_TRIES = 5  # link codes an identity may try in ten minutes


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


async def bind_home(
    person: Person,
    address: HomeAddress,
    now: dt.datetime | None = None,
    *,
    name: str = "",
    phone: str = "",
    keep_others: bool = False,
) -> Home:
    """Bind ``person`` to the home and make them a resident of its community, recorded as a binding
    (checked against the register when the community has one: ``handlers.register.verify_workflow``;
    by the person's own name when no other is given, as for a resident a grid worker records)."""
    said = name or person.name
    bound = await verify.bind(person, address, now, name=said, phone=phone, keep_others=keep_others)
    return bound.home


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
        code = f"{secrets.randbelow(10**INVITE_DIGITS):0{INVITE_DIGITS}d}"
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


async def join(store: Store, person: Person, code: str, now: dt.datetime) -> InviteCode:
    """加入 <code> in the chat: the invite used, with wrong codes counted against the person (INVITE_TRIES
    an hour), so that codes cannot be guessed."""
    failures = f"invitefail:{person.id}"
    if int(await store.get(failures) or 0) >= INVITE_TRIES:
        raise Refusal("residents.invite_too_many_tries")
    try:
        return await redeem_invite(person, code, now)
    except Refusal:
        await store.incr(failures, ttl=3600)
        raise


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
    """A one-time code the chat gives a follower to link the mini-program (10 minutes, 8 digits)."""
    for _ in range(5):
        code = f"{secrets.randbelow(10**LINK_DIGITS):0{LINK_DIGITS}d}"
        if await store.set_if_absent(f"link:{code}", str(person.id), LINK_TTL):
            return code
    raise RuntimeError("no free link code")


async def request_link(store: Store, caller: Person, code: str, session: str, now: dt.datetime) -> Person:
    """The mini-program asks to become part of the follower whose code it has: nothing merges until the
    follower confirms in the chat ("确认关联"). Every code tried counts against the caller (LINK_TRIES in
    ten minutes), counted before it is looked at, so that many requests at once cannot each pass the check;
    a right one is used up. Returns the follower."""
    if await store.incr(f"linktry:{caller.id}", ttl=LINK_TTL) > LINK_TRIES:
        raise Refusal("residents.link_too_many_tries")
    target_id = await store.get(f"link:{code}")
    target = await Person.get_or_none(id=int(target_id)) if target_id else None
    if target is None:
        raise Refusal("residents.link_code_invalid")
    await store.delete(f"link:{code}")
    if target.id != caller.id and target.mp_openid and target.mp_openid != caller.mp_openid:
        raise Refusal("residents.already_linked")
    await store.set(f"linkreq:{target.id}", json.dumps({"person": caller.id, "session": session}), LINK_TTL)
    await notify(
        target, f"link:{target.id}:{now.timestamp():.0f}", content.text("residents.link_asked"), now=now
    )
    return target


async def confirm_link(store: Store, follower: Person) -> Person | None:
    """The follower confirms the mini-program's request: it becomes part of them, and the mini-program's
    session follows. Returns the follower, or None when nothing is waiting."""
    raw = await store.get(f"linkreq:{follower.id}")
    if raw is None:
        return None
    await store.delete(f"linkreq:{follower.id}")
    asked = json.loads(raw)
    source = await Person.get_or_none(id=int(asked["person"]))
    if source is None:
        return None
    if source.id != follower.id:
        follower = await merge_into(source, follower)
    await repoint(store, str(asked["session"]), follower.id)
    return follower


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
