"""``community-bot street ...`` and ``community-bot community ...``: a street office's clerk sets up the
street office and its communities (codes, names, offices and hours, buildings and rooms)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:  # the slices are imported when a command runs, not to parse the command line
    from handlers.register.community_queries import CommunityKind, CommunityView, StaffView
    from handlers.register.community_workflow import CommunitySettings

KINDS = {"urban": "urban", "社区": "urban", "rural": "rural", "村": "rural"}
YES_NO = {"yes": True, "no": False, "on": True, "off": False, "是": True, "否": False}
SETTINGS = ("name", "district", "phone", "office", "hours")
VERIFY = ("verify_household_votes", "verify_owner_votes", "verify_wishes")


async def with_database(
    settings: Settings, run: Callable[[], Awaitable[int]], seed_demo: bool | None = False
) -> int:
    """Run ``run`` on the configured database (migrated first; a real community is set up without the
    demo's); a refusal is printed and exits 2."""
    from bot.app import prepare_database
    from handlers.common.rules import Refusal
    from storage import db

    await prepare_database(settings, seed_demo=seed_demo)
    await db.open_db(settings.effective_database_url)
    try:
        return await run()
    except Refusal as refusal:
        print(f"community-bot: {refusal.text()}", file=sys.stderr)
        return 2
    finally:
        await db.close_db()


# -- street offices ---------------------------------------------------------------------------------------
async def run_street(settings: Settings, args: argparse.Namespace) -> int:
    return await with_database(settings, lambda: _street(args))


async def _street(args: argparse.Namespace) -> int:
    from handlers.register import community_queries as queries
    from handlers.register import community_workflow as workflow

    if args.action == "list":
        listed = await queries.streets()
        for street, count in listed:
            print(f"{street.code:16} {street.name}  {street.district}  {street.phone}  communities: {count}")
        if not listed:
            print("no street office yet: community-bot street create CODE --name 幸福街道")
        return 0
    if not args.code:
        print("community-bot street: give the street office's code, e.g. xingfu", file=sys.stderr)
        return 2
    if args.action == "create":
        if not args.name:
            print("community-bot street create: --name is required", file=sys.stderr)
            return 2
        street = await workflow.create_street(args.code, args.name, args.district or "", args.phone or "")
        print(f"created street office {street.code} {street.name}")
        return 0
    street = await workflow.street_by_code(args.code)
    if args.action == "edit":
        await workflow.edit_street(street, name=args.name, district=args.district, phone=args.phone)
        print(f"saved street office {street.code} {street.name}")
        return 0
    view = await queries.street_view(street)
    print(f"{street.name} ({street.code})  {street.district}  {street.phone}")
    print(f"communities ({len(view.communities)}):")
    for community in view.communities:
        print(f"  {community.code:16} {community.name}  {_kind(community.kind)}")
    print(f"staff ({len(view.staff)}):")
    for person in view.staff:
        print(f"  {_who(person)}")
    return 0


# -- communities -----------------------------------------------------------------------------------------
async def run_community(settings: Settings, args: argparse.Namespace) -> int:
    return await with_database(settings, lambda: _community(args))


async def _community(args: argparse.Namespace) -> int:
    from handlers.common.rules import Refusal
    from handlers.register import community_queries as queries
    from handlers.register import community_workflow as workflow
    from handlers.register.community_queries import CommunityKind

    if args.action == "list":
        return await _list(args.street)
    if not args.code:
        print("community-bot community: give the community's code, e.g. xingfuli", file=sys.stderr)
        return 2
    if args.action == "create":
        if not args.name:
            print("community-bot community create: --name is required", file=sys.stderr)
            return 2
        created = await workflow.create_community(
            workflow.CreateCommunity(
                code=args.code,
                name=args.name,
                kind=CommunityKind(KINDS[args.kind or "urban"]),
                street=args.street,
                settings=_settings(args),
                buildings=args.buildings or "",
                rooms=args.rooms or [],
            )
        )
        print(f"created {created.code} {created.name}")
        return await _show(created.code)
    community = await queries.community(args.code)
    if community is None:
        raise Refusal("street.no_community", code=args.code)
    if args.action == "edit":
        await workflow.edit_community(
            community,
            _settings(args),
            kind=CommunityKind(KINDS[args.kind]) if args.kind else None,
            street=args.street,
        )
        if args.buildings or args.rooms:
            await workflow.add_buildings(community, args.buildings or "", args.rooms or [])
        print(f"saved {community.code} {community.name}")
    return await _show(community.code)


def _settings(args: argparse.Namespace) -> CommunitySettings:
    from handlers.register.community_workflow import CommunitySettings

    values: dict[str, object] = {name: getattr(args, name) for name in SETTINGS}
    values |= {name: None if getattr(args, name) is None else YES_NO[getattr(args, name)] for name in VERIFY}
    return CommunitySettings(**values)  # type: ignore[arg-type]


async def _list(street_code: str | None) -> int:
    from handlers.register import community_queries as queries
    from handlers.register import community_workflow as workflow

    if street_code:
        street = await workflow.street_by_code(street_code)
        communities = await queries.communities_of(street, with_street=True)
    else:
        communities = await queries.all_communities()
    for c in communities:
        street_name = c.street_office.name if c.street_office_id and c.street_office else "-"
        print(f"{c.code:16} {c.name}  {_kind(c.kind)}  {c.district}  street: {street_name}")
    if not communities:
        print("no community yet: community-bot community create CODE --name 幸福里社区 --street CODE")
    return 0


async def _show(code: str) -> int:
    from handlers.common.rules import Refusal
    from handlers.register import community_queries as queries

    community = await queries.community(code)
    if community is None:
        raise Refusal("street.no_community", code=code)
    view = await queries.community_view(community)
    print(_describe(view))
    return 0


def _describe(view: CommunityView) -> str:
    c = view.community
    street = f"{view.street.name} ({view.street.code})" if view.street else "-"
    lines = [
        f"{c.name} ({c.code})  {_kind(c.kind)}  {c.district}",
        f"street office: {street}",
        f"phone: {c.phone or '-'}  office: {c.office or '-'}  hours: {c.hours or '-'}",
        "verified home needed for: "
        + (", ".join(n.removeprefix("verify_") for n in VERIFY if getattr(c, n)) or "nothing"),
        f"register: {'imported ' + f'{c.register_at:%Y-%m-%d}' if c.register_at else 'not imported'}",
        f"buildings ({len(view.buildings)}): "
        + (
            ", ".join(f"{b.label}" + (f" {b.units}单元" if b.units > 1 else "") for b in view.buildings)
            or "none"
        ),
        f"homes: {view.homes}  households: {view.households}  residents: {view.residents}",
        f"grids ({len(view.grids)}):",
    ]
    for grid in view.grids:
        workers = "、".join(grid.workers) or "no grid worker"
        lines.append(f"  {grid.code} {grid.name}  {'、'.join(grid.buildings) or '-'}  {workers}")
    lines.append(f"staff ({len(view.staff)}):")
    lines += [f"  {_who(person)}" for person in view.staff]
    return "\n".join(lines)


def _kind(kind: CommunityKind) -> str:
    return "village (村)" if kind == "rural" else "community (社区)"


def _who(person: StaffView) -> str:
    roles = ", ".join(r.value for r in person.roles)
    where = person.openid or f"phone {person.phone} (not yet on WeChat)"
    return f"{person.name or '-':8} {roles:28} {where}"


# -- the command line -----------------------------------------------------------------------------------
def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    street_cmd: Callable[[argparse.Namespace], int],
    community_cmd: Callable[[argparse.Namespace], int],
) -> None:
    street = sub.add_parser("street", help="street offices (街道): create, list, show, edit")
    street.add_argument("action", choices=["create", "list", "show", "edit"])
    street.add_argument("code", nargs="?", help="its code: lower-case letters, digits, - and _ (e.g. xingfu)")
    street.add_argument("--name", help="幸福街道")
    street.add_argument("--district", help="五华区")
    street.add_argument("--phone", help="the office's phone")
    street.set_defaults(func=street_cmd)

    community = sub.add_parser(
        "community",
        help="communities (社区, 村): create, list, show, edit",
        description="Buildings: --buildings '1-6:2,7:1,8:0,A座:2' (buildings 1 to 6 with 2 units each, 7 "
        "with one, 8 with none, a lettered A座 with 2); a village: --buildings 1-5 (groups 1组 to 5组). "
        "Rooms (optional, homes are otherwise created as residents bind): --rooms 1-6:6x2 (6 floors of 2 "
        "rooms in every unit of buildings 1 to 6: 101 ... 602); a village: --rooms 1-5:40 (house numbers "
        "1 to 40).",
    )
    community.add_argument("action", choices=["create", "list", "show", "edit"])
    community.add_argument(
        "code", nargs="?", help="its code: lower-case letters, digits, - and _ (e.g. xingfuli)"
    )
    community.add_argument("--name", help="幸福里社区")
    community.add_argument("--street", help="the street office's code (list: only its communities)")
    community.add_argument("--kind", choices=list(KINDS), help="urban (社区, the default) or rural (村)")
    community.add_argument("--district", help="五华区 (default: the street office's)")
    community.add_argument("--phone", help="the office's phone")
    community.add_argument("--office", help="where the office is: 党群服务中心一楼")
    community.add_argument("--hours", help="office hours as residents read them: 周一至周五 9:00-17:00")
    community.add_argument("--buildings", help="buildings to add: 1-6:2,7:1,8:0,A座:2 (a village: 1-5)")
    community.add_argument("--rooms", action="append", help="rooms to add: 1-6:6x2 (a village: 1-5:40)")
    for name in VERIFY:
        community.add_argument(
            "--" + name.replace("_", "-"), choices=list(YES_NO), help="a verified home is needed (yes/no)"
        )
    community.set_defaults(func=community_cmd)
