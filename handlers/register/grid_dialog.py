"""The chat side of grids: a resident's "我的网格员"; a grid worker's "我的网格", "走访" (a visit, in a short
dialog or all at once) and "代报" (a report filed for a resident)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, state
from handlers.common import formats
from handlers.common.answers import choose, is_skip
from handlers.common.pause import CONTENT, answers
from handlers.common.rules import Refusal
from handlers.register import grid_queries as queries
from handlers.register import grid_workflow as workflow
from handlers.register.grid_queries import GridContact, GridOverview, GridSummary, Whom
from handlers.register.grid_workflow import FileForResident, RecordVisit
from handlers.repairs.categories import Category, categories, categories_for, category_in_text
from handlers.residents.dialog import require_home
from nlp.slots import Address, find_address

router = Router("grids")

VISIT_WHOM = "grid:visit_whom"
VISIT_FOUND = "grid:visit_found"
VISIT_FOLLOW = "grid:visit_follow"
FILE_WHOM = "grid:file_whom"
FILE_WHAT = "grid:file_what"
FILE_CATEGORY = "grid:file_category"
FILE_CONFIRM = "grid:file_confirm"
# free-text answers: "缺降压药" or "厨房水管漏水" there is the answer, not a new request
answers(
    VISIT_WHOM,
    VISIT_FOUND,
    VISIT_FOLLOW,
    FILE_WHOM,
    FILE_WHAT,
    FILE_CATEGORY,
    intents=CONTENT | {"my_grid_worker", "human", "my_tickets", "urge", "bind"},
)

SHOWN = 10  # care needs and unbound residents listed in the chat (the API lists them all)
_FOLLOW = re.compile(r"[\s，,。；;]*(?:跟进|后续|下一步|待办)\s*[：:]?\s*")
_SEPARATORS = re.compile(r"[\s,，、:：；;。]+")
_CJK = re.compile(r"^[\u4e00-\u9fff·]{2,3}$")
_CONFIRM = {1: ("提交", "确认", "确认提交"), 2: ("不提交", "不报了", "算了")}


# -- the words ------------------------------------------------------------------------------------------
def _name_like(piece: str) -> bool:
    """李奶奶, 王建国, 老张: a name or how neighbours call someone (not "身体还好")."""
    return bool(_CJK.match(piece)) or queries.surname_of(piece) is not None


def parse_whom(text: str) -> tuple[Address, str, str]:
    """ "3栋2单元502 李奶奶 身体还好…" -> (the address, the name, what follows), each possibly empty."""
    text = text.strip()
    pieces = [p for p in _SEPARATORS.split(text) if p]
    address, name, used = Address(), "", 0
    if pieces:
        found, left = find_address(pieces[0])
        if not found.empty:
            address, used = found, 1
            name = left if left and _name_like(left) else ""
    if not name and used < len(pieces) and (_name_like(pieces[used]) or used + 1 == len(pieces) == 1):
        name, used = pieces[used], used + 1
    rest = text
    for piece in pieces[:used]:
        rest = rest[rest.index(piece) + len(piece) :]
    return address, name, rest.lstrip(" ,，、:：；;。")


def split_follow_up(text: str) -> tuple[str, str]:
    """ "身体还好，缺降压药；跟进：周五送药" -> ("身体还好，缺降压药", "周五送药")."""
    parts = _FOLLOW.split(text, maxsplit=1)
    found = parts[0].strip(" ，,。；;")
    return found, parts[1].strip() if len(parts) > 1 else ""


def _address(data: dict[str, Any]) -> Address:
    return Address(**dict(data.get("address") or {}))


async def _community(ctx: Context, refusal: str) -> int:
    """The community the grid worker (or committee member) works in; a refusal for anyone else."""
    person = await ctx.person()
    community_id = await queries.staff_community(person)
    if community_id is None or not await queries.records_visits(person, community_id):
        raise Refusal(refusal)
    return community_id


def _matched(whom: Whom) -> str:
    key = (
        "grids.matched" if whom.resident_id else "grids.home_matched" if whom.home_id else "grids.not_matched"
    )
    return content.text(key, place=whom.place or whom.written)


# -- 我的网格员 ---------------------------------------------------------------------------------------
@router.handle(intent("my_grid_worker"), idle())
async def my_grid_worker(ctx: Context) -> None:
    if await require_home(ctx, then="my_grid_worker") is None:
        return
    contact = await queries.grid_contact(await ctx.person())
    assert contact is not None  # require_home saw to it
    _say_contact(ctx, contact)


def _say_contact(ctx: Context, contact: GridContact) -> None:
    office = contact.office
    hours = content.text("grids.office_hours", hours=office.hours) if office.hours else ""
    if not contact.staff:
        ctx.say(
            "grids.no_worker",
            building=contact.building,
            community=office.name,
            phone=office.phone,
            hours=hours,
        )
        if contact.head:
            ctx.say("grids.head", name=contact.head.name, phone=contact.head.phone)
        return
    lines = []
    for staff in contact.staff:
        duty = content.text("grids.duty", hours=staff.duty_hours) if staff.duty_hours else ""
        role = content.text("grids.deputy" if staff.deputy else "grids.worker")
        lines.append(
            content.text("grids.staff_line", role=role, name=staff.name, phone=staff.phone, duty=duty)
        )
    grid = content.text("grids.in_grid", grid=contact.grid) if contact.grid else ""
    ctx.say("grids.your_worker", building=contact.building, grid=grid, lines="\n".join(lines))
    if contact.head:
        ctx.say("grids.head", name=contact.head.name, phone=contact.head.phone)
    ctx.say("grids.call_them")


# -- 我的网格 -------------------------------------------------------------------------------------------
@router.handle(command("我的网格", "网格情况", "我的网格情况", args=False), idle())
async def my_grid(ctx: Context) -> None:
    person = await ctx.person()
    community_id = await queries.staff_community(person)
    found = await queries.overview(person, community_id) if community_id is not None else None
    if found is not None:
        _say_overview(ctx, found)
        return
    if community_id is not None and await queries.oversees(person, community_id):
        _say_grids(ctx, await queries.grids_of(community_id))
        return
    await my_grid_worker(ctx)  # a resident asking about their grid: who looks after it


def _say_overview(ctx: Context, found: GridOverview) -> None:
    ctx.say("grids.overview", grids="、".join(found.grids), buildings="、".join(found.buildings) or "-")
    if found.open_tickets:
        lines = [
            f"{t.number} {t.category} {t.place}"
            + (content.text("repairs.filed_for_mark", name=t.filed_for) if t.filed_for else "")
            + f"（{formats.day(t.created_at, weekday=False)}）"
            for t in found.oldest
        ]
        ctx.say("grids.open_tickets", count=found.open_tickets, lines="\n".join(lines))
    else:
        ctx.say("grids.no_open_tickets")
    if found.care:
        lines = [f"{c.name} {c.home}：{'、'.join(c.needs)}" for c in found.care[:SHOWN]]
        more = "\n" + content.text("grids.more", count=len(found.care)) if len(found.care) > SHOWN else ""
        ctx.say("grids.care", count=len(found.care), lines="\n".join(lines), more=more)
    if found.unbound:
        names = "、".join(f"{u.name}（{u.home}）" for u in found.unbound_some)
        ctx.say("grids.unbound", count=found.unbound, names=names)
    ctx.say("grids.overview_footer")


def _say_grids(ctx: Context, grids: list[GridSummary]) -> None:
    if not grids:
        ctx.say("grids.none_yet")
        return
    lines = []
    for g in grids:
        workers = "、".join(s.name for s in g.staff if not s.deputy) or content.text("grids.nobody")
        lines.append(
            content.text(
                "grids.summary_line",
                grid=g.name or g.code,
                buildings="、".join(g.buildings) or "-",
                workers=workers,
                households=g.households,
                care=g.care,
                unbound=g.unbound,
                tickets=g.open_tickets,
            )
        )
    ctx.say("grids.summary", lines="\n".join(lines))


# -- 走访 -----------------------------------------------------------------------------------------------
@router.handle(command("走访", "走访记录", "记录走访"))
async def visit(ctx: Context) -> None:
    community_id = await _community(ctx, "grids.staff_only")
    ctx.dialog.clear()
    said = ctx.data["command"].args
    if not said:
        ctx.dialog.set(VISIT_WHOM, community=community_id)
        ctx.say("grids.ask_visit_whom")
        return
    address, name, rest = parse_whom(said)
    found, follow_up = split_follow_up(rest)
    ctx.dialog.set(VISIT_WHOM, community=community_id)
    await _visit_whom(ctx, address, name, found, follow_up, at_once=True)


async def _visit_whom(
    ctx: Context, address: Address, name: str, found: str, follow_up: str, *, at_once: bool = False
) -> None:
    if address.empty and not name:
        ctx.reask("grids.visit_whom_again")
        return
    community_id = int(ctx.dialog.data["community"])
    whom = await queries.match_whom(community_id, address, name, await ctx.person())
    if address.has_building and whom.building_id is None:
        ctx.say("grids.no_such_building", building=address.describe())
        return
    ctx.dialog.update(address=asdict(address), name=name)
    if found and at_once:  # all at once: recorded as said
        await _record(ctx, found, follow_up)
        return
    if found:
        ctx.dialog.set(VISIT_FOLLOW, found=found)
        ctx.say_text(_matched(whom))
        ctx.say("grids.ask_follow_up")
        return
    ctx.dialog.set(VISIT_FOUND)
    ctx.say_text(_matched(whom))
    ctx.say("grids.ask_found")


@router.handle(state(VISIT_WHOM), has_text())
async def visit_whom_answer(ctx: Context) -> None:
    address, name, rest = parse_whom(ctx.msg.text)
    found, follow_up = split_follow_up(rest)
    await _visit_whom(ctx, address, name, found, follow_up, at_once=bool(found and follow_up))


@router.handle(state(VISIT_FOUND), has_text())
async def visit_found_answer(ctx: Context) -> None:
    found, follow_up = split_follow_up(ctx.msg.text)
    if len(found) < 2:
        ctx.reask("grids.found_again")
        return
    if follow_up:
        await _record(ctx, found, follow_up)
        return
    ctx.dialog.set(VISIT_FOLLOW, found=found)
    ctx.say("grids.ask_follow_up")


@router.handle(state(VISIT_FOLLOW), has_text())
async def visit_follow_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    await _record(ctx, str(ctx.dialog.data["found"]), "" if is_skip(text) else text)


async def _record(ctx: Context, found: str, follow_up: str) -> None:
    data = ctx.dialog.data
    seen, whom = await workflow.record_visit(
        RecordVisit(
            by=await ctx.person(),
            community_id=int(data["community"]),
            address=_address(data),
            name=str(data.get("name") or ""),
            found=found,
            follow_up=follow_up,
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    ctx.say(
        "grids.visit_recorded",
        whom=seen.whom,
        matched=_matched(whom),
        found=seen.found,
        follow_up=seen.follow_up or content.text("grids.no_follow_up"),
    )


# -- 代报 -----------------------------------------------------------------------------------------------
@router.handle(command("代报", "代为报修", "帮居民报修"))
async def file_for(ctx: Context) -> None:
    community_id = await _community(ctx, "grids.file_staff_only")
    ctx.dialog.clear()
    ctx.dialog.set(FILE_WHOM, community=community_id, source=ctx.msg.dedup_key)
    said = ctx.data["command"].args
    if not said:
        ctx.say("grids.ask_file_whom")
        return
    await _file_whom(ctx, said)


@router.handle(state(FILE_WHOM), has_text())
async def file_whom_answer(ctx: Context) -> None:
    await _file_whom(ctx, ctx.msg.text)


async def _file_whom(ctx: Context, text: str) -> None:
    address, name, rest = parse_whom(text)
    if not name:
        ctx.reask("grids.file_whom_again")
        return
    whom = await queries.match_whom(int(ctx.dialog.data["community"]), address, name, await ctx.person())
    if address.has_building and whom.building_id is None:
        ctx.say("grids.no_such_building", building=address.describe())
        return
    ctx.dialog.update(address=asdict(address), name=name)
    if len(rest) < 2:
        ctx.dialog.set(FILE_WHAT)
        ctx.say_text(_matched(whom))
        ctx.say("grids.ask_file_what", name=name)
        return
    await _file_what(ctx, rest)


@router.handle(state(FILE_WHAT), has_text())
async def file_what_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if len(text) < 2:
        ctx.reask("grids.file_what_again")
        return
    await _file_what(ctx, text)


def _choices() -> list[Category]:
    return [c for c in categories_for("repair") + categories_for("complaint") if c.role is not None]


async def _file_what(ctx: Context, description: str) -> None:
    ctx.dialog.update(description=description[:2000])
    found = category_in_text(description)
    if found is None or found.kind == "emergency":
        ctx.dialog.set(FILE_CATEGORY)
        ctx.say("grids.ask_file_category", options=content.numbered([c.label for c in _choices()]))
        return
    await _with_category(ctx, found)


@router.handle(state(FILE_CATEGORY), has_text())
async def file_category_answer(ctx: Context) -> None:
    options = _choices()
    labels = [c.label for c in options]
    choice = choose(ctx.msg.text, labels)
    if not choice:
        ctx.reask("grids.file_category_again", options=content.numbered(labels))
        return
    await _with_category(ctx, options[choice - 1])


async def _with_category(ctx: Context, category: Category) -> None:
    if category.role is None:
        ctx.dialog.clear()
        ctx.say("repairs.outside", text=category.outside)
        return
    data = ctx.dialog.data
    whom = await queries.match_whom(
        int(data["community"]), _address(data), str(data["name"]), await ctx.person()
    )
    ctx.dialog.set(FILE_CONFIRM, category=category.key)
    ctx.say(
        "grids.file_confirm",
        name=whom.name,
        place=whom.place or "-",
        matched=_matched(whom),
        category=category.label,
        description=data["description"],
    )


@router.handle(state(FILE_CONFIRM), has_text())
async def file_confirm_answer(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["提交", "不提交"], synonyms=_CONFIRM, yes=1, no=2)
    if choice == 2:
        ctx.dialog.clear()
        ctx.say("grids.file_dropped")
        return
    if choice != 1:
        ctx.reask("grids.file_confirm_again")
        return
    data = ctx.dialog.data
    category = categories()[str(data["category"])]
    ticket, whom = await workflow.file_for_resident(
        FileForResident(
            by=await ctx.person(),
            community_id=int(data["community"]),
            address=_address(data),
            name=str(data["name"]),
            category=category,
            description=str(data["description"]),
            source_key=f"chat:{data['source']}",
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    who = content.text(f"repairs.handler.{category.handler}")
    hours = formats.hours(category.resolution_hours)
    ctx.say("grids.filed", name=whom.name, number=ticket.number, who=who, hours=hours)
