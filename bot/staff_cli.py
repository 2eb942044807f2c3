"""``community-bot staff grant|revoke|list``: roles from the command line."""

from __future__ import annotations

import argparse

from bot.app import prepare_database
from bot.config import Settings
from handlers.residents import workflow
from storage import db
from storage.models import Community, Person, Role, RoleName


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    await prepare_database(settings)
    await db.open_db(settings.effective_database_url)
    try:
        return await _run(args)
    finally:
        await db.close_db()


async def _run(args: argparse.Namespace) -> int:
    community = await Community.get_or_none(code=args.community)
    if community is None:
        codes = ", ".join(await Community.all().values_list("code", flat=True))  # type: ignore[arg-type]
        print(f"no community {args.community!r}; known: {codes or 'none'}")
        return 2
    if args.action == "list":
        rows = await Role.filter(community=community).prefetch_related("person").order_by("role", "person_id")
        for row in rows:
            print(f"{row.role.value:15} {row.person.openid:32} {row.person.name}")
        return 0
    if not args.user or not args.role:
        print("--user and --role are required")
        return 2
    try:
        role = RoleName(args.role)
    except ValueError:
        print(f"unknown role {args.role!r}; one of: {', '.join(r.value for r in RoleName)}")
        return 2
    if args.action == "grant":
        person, _ = await Person.get_or_create(openid=args.user, defaults={"name": args.name or ""})
        if person.community_id is None:
            person.community = community
            await person.save(update_fields=["community_id"])
        created = await workflow.grant_role(person, community, role)
        print(
            ("granted" if created else "already had")
            + f" {role.value} in {community.code} to {person.openid}"
        )
        return 0
    person_or_none = await Person.get_or_none(openid=args.user)
    removed = person_or_none is not None and await workflow.revoke_role(person_or_none, community, role)
    print(("revoked" if removed else "had no") + f" {role.value} in {community.code} for {args.user}")
    return 0
