"""``community-bot staff grant|revoke|list``: roles from the command line, in a community or in every
community of a street office, for a person named by openid or by phone number."""

from __future__ import annotations

import argparse
import sys

from bot.app import china_now
from bot.community_cli import with_database
from bot.config import Settings
from handlers.common.rules import Refusal
from handlers.register import community_queries as queries
from handlers.register import community_workflow as register
from handlers.residents import workflow
from storage.models import Community, Person, Role, RoleName

STREET = RoleName.STREET_OFFICE


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    return await with_database(settings, lambda: _run(args), seed_demo=None)  # as ever: the demo on first use


async def _run(args: argparse.Namespace) -> int:
    if args.street:
        street = await register.street_by_code(args.street)
        communities = await queries.communities_of(street)
        place = f"street office {street.code}"
    else:
        community = await Community.get_or_none(code=args.community)
        if community is None:
            codes = ", ".join(await Community.all().values_list("code", flat=True))  # type: ignore[arg-type]
            print(f"no community {args.community!r}; known: {codes or 'none'}")
            return 2
        communities = [community]
        place = community.code
    if args.action == "list":
        return await _list(communities, street_only=bool(args.street))
    role = _role(args)
    if role is None:
        return 2
    if not args.user and not args.phone:
        print("--user or --phone is required (and --role)")
        return 2
    if args.action == "revoke":
        return await _revoke(args, role, communities, place)
    if args.phone:
        return await _grant_by_phone(args, role, communities, place)
    person, _ = await Person.get_or_create(openid=args.user, defaults={"name": args.name or ""})
    if person.community_id is None and communities:
        person.community = communities[0]
        await person.save(update_fields=["community_id"])
    if args.street:
        created = await register.grant_street(person, await register.street_by_code(args.street)) > 0
    else:
        created = await workflow.grant_role(person, communities[0], role)
    print(("granted" if created else "already had") + f" {role.value} in {place} to {person.openid}")
    return 0


def _role(args: argparse.Namespace) -> RoleName | None:
    if args.street and args.role in (None, STREET.value):
        return STREET
    if not args.role:
        print("--role is required")
        return None
    try:
        role = RoleName(args.role)
    except ValueError:
        print(f"unknown role {args.role!r}; one of: {', '.join(r.value for r in RoleName)}")
        return None
    if (role is STREET) != bool(args.street):
        print("the street_office role goes with --street CODE (every community of the street office)")
        return None
    return role


async def _grant_by_phone(
    args: argparse.Namespace, role: RoleName, communities: list[Community], place: str
) -> int:
    if not communities:
        street = await register.street_by_code(args.street)
        raise Refusal("street.no_communities", street=street.name)
    granted = await register.grant_by_phone(args.phone, args.name or "", role, communities, china_now())
    who = f"{granted.person.name or '-'} ({granted.person.phone})"
    print(("granted" if granted.new_roles else "already had") + f" {role.value} in {place} to {who}")
    if granted.invite is None:
        print("their number is proven on WeChat: the role is theirs now")
        return 0
    code, until = granted.invite.code, granted.invite.expires_at.astimezone(china_now().tzinfo)
    print(
        f"invite code {code} (valid until {until:%Y-%m-%d %H:%M}, once): ask them to follow the account and "
        f"send 加入 {code}, or to sign in to the mini-program with this phone number"
    )
    return 0


async def _revoke(args: argparse.Namespace, role: RoleName, communities: list[Community], place: str) -> int:
    if args.phone:
        person = await queries.person_by_phone(register.normalise_phone(args.phone))
    else:
        person = await Person.get_or_none(openid=args.user)
    removed = await register.revoke(person, args.phone, role, communities)
    print(("revoked" if removed else "had no") + f" {role.value} in {place} for {args.user or args.phone}")
    return 0


async def _list(communities: list[Community], street_only: bool) -> int:
    query = Role.filter(community_id__in=[c.id for c in communities])
    if street_only:
        query = query.filter(role=STREET)
    rows = await query.prefetch_related("person", "community").order_by("community_id", "role", "person_id")
    for row in rows:
        who = row.person.openid or row.person.mp_openid or f"phone {row.person.phone} (not yet on WeChat)"
        print(f"{row.community.code:16} {row.role.value:15} {who:32} {row.person.name}")
    if not rows:
        print("no roles", file=sys.stderr)
    return 0
