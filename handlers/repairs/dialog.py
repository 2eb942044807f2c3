"""The chat side of repairs and complaints: report (only what is missing), duplicates, my tickets, urge,
rate, reopen; and for staff: the pool, accept, resolve."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Phase, Router, command, has_text, idle, intent, kind, pattern, state
from bot.messages import Kind
from handlers.common.rules import Refusal
from handlers.repairs import workflow
from handlers.repairs.categories import Category, categories, category_in_text
from handlers.repairs.models import OPEN_STATUSES, Ticket, TicketStatus
from handlers.repairs.workflow import ReportRepair, status_label
from handlers.residents import workflow as residents
from handlers.residents.dialog import require_home
from nlp.slots import extract_address, extract_choice
from storage.models import Building, Community, RoleName

router = Router("repairs")
router.menu_entry("repair", order=10)
router.menu_entry("my_tickets", order=20)

CATEGORY = "repair:category"
HOME_PLACE = "repair:home_place"
PLACE = "repair:place"
DUPLICATE = "repair:duplicate"
PHOTO = "repair:photo"
CONFIRM = "repair:confirm"
DESCRIBE = "repair:describe"

_RATE = re.compile(r"^\s*评价\s*([1-5一二三四五])\s*分?\s*(.*)$", re.S)
_REOPEN = re.compile(r"^\s*没修好\s*(.*)$", re.S)
_STAFF = re.compile(r"^\s*(接单|开始|完成|办结)\s*(?:R?\d{4}-)?(\d+)\s*(.*)$", re.S | re.I)


# Commands first: their exact forms must win over the free-text intents below ("完成 3 已更换灯泡"
# mentions a lamp, but is a staff member closing a ticket).
# -- staff in the chat ------------------------------------------------------------------------------
_STAFF_ACTIONS = {"接单": "accept", "开始": "start", "完成": "resolve", "办结": "resolve"}


@router.handle(pattern(_STAFF))
async def staff_action(ctx: Context) -> None:
    match = _STAFF.match(ctx.msg.text)
    assert match is not None
    action = _STAFF_ACTIONS[match.group(1)]
    try:
        ticket = await workflow.move(
            int(match.group(2)), action, await ctx.person(), ctx.now(), note=match.group(3).strip()
        )
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    ctx.say("repairs.staff_done", number=ticket.number, status=status_label(ticket.status))


@router.handle(command("工单", "待办", "待处理工单", args=False), idle())
async def staff_pool(ctx: Context) -> None:
    person = await ctx.person()
    roles = await residents.roles_of(person)
    mine = [r.value for r in roles if r in (RoleName.PROPERTY_STAFF, RoleName.GRID_WORKER, RoleName.MEDIATOR)]
    if not mine and RoleName.COMMITTEE not in roles:
        ctx.say("repairs.staff_only")
        return
    query = Ticket.filter(community_id=person.community_id, status__in=OPEN_STATUSES)
    if RoleName.COMMITTEE not in roles:
        query = query.filter(handler_role__in=mine)
    tickets = await query.order_by("resolve_by").limit(10)
    if not tickets:
        ctx.say("repairs.pool_empty")
        return
    lines = []
    for t in tickets:
        overdue = content.text("repairs.overdue_mark") if workflow.is_overdue(t, ctx.now()) else ""
        lines.append(
            f"{t.number} {categories()[t.category].label} {await workflow.describe_place(t)}："
            f"{status_label(t.status)}{overdue}"
        )
    ctx.say("repairs.pool", lines="\n".join(lines))


# -- rate, reopen ---
async def _latest_resolved(ctx: Context) -> Ticket | None:
    return (
        await Ticket.filter(reporter=await ctx.person(), status=TicketStatus.RESOLVED)
        .order_by("-resolved_at")
        .first()
    )


@router.handle(pattern(_RATE))
async def rate(ctx: Context) -> None:
    match = _RATE.match(ctx.msg.text)
    assert match is not None
    ticket = await _latest_resolved(ctx)
    if ticket is None:
        ctx.say("repairs.nothing_to_rate")
        return
    raw = match.group(1)
    stars = extract_choice(raw, 5) or 0  # the pattern allows only 1-5 and 一-五
    await workflow.rate(ticket.id, await ctx.person(), stars, match.group(2).strip(), ctx.now())
    ctx.dialog.clear()
    ctx.say("repairs.thanks_for_rating", number=ticket.number)


@router.handle(pattern(_REOPEN))
async def reopen(ctx: Context) -> None:
    match = _REOPEN.match(ctx.msg.text)
    assert match is not None
    ticket = await _latest_resolved(ctx)
    if ticket is None:
        ctx.say("repairs.nothing_to_reopen")
        return
    await workflow.move(ticket.id, "reopen", await ctx.person(), ctx.now(), note=match.group(1).strip())
    ctx.dialog.clear()
    ctx.say("repairs.reopened", number=ticket.number)


# -- a photo first, the words after -------------------------------------------------------------------
PHOTO_FIRST_TTL = 600


@router.handle(kind(Kind.IMAGE), idle(), phase=Phase.INTENT)
async def photo_first(ctx: Context) -> None:
    await ctx.services.store.set(f"repairs:photo:{ctx.msg.user}", ctx.msg.media_id, PHOTO_FIRST_TTL)
    ctx.say("repairs.photo_first")


# -- reporting --------------------------------------------------------------------------------------
@router.handle(intent("repair"), idle())
async def report(ctx: Context) -> None:
    home = await require_home(ctx, then="repair")
    if home is None:
        return
    ctx.dialog.clear()
    ctx.dialog.set(CATEGORY, description=ctx.msg.text.strip(), source=ctx.msg.dedup_key)
    earlier_photo = await ctx.services.store.get(f"repairs:photo:{ctx.msg.user}")
    if earlier_photo:
        await ctx.services.store.delete(f"repairs:photo:{ctx.msg.user}")
        ctx.dialog.update(photo=earlier_photo)
    found = category_in_text(ctx.msg.text) if ctx.msg.has_text else None
    if found is None:
        await _ask_category(ctx)
        return
    await _with_category(ctx, found)


async def _ask_category(ctx: Context) -> None:
    labels = [c.label for c in categories().values()]
    ctx.dialog.set(CATEGORY)
    ctx.say("repairs.ask_category", options=content.numbered(labels))


@router.handle(state(CATEGORY), has_text())
async def category_answer(ctx: Context) -> None:
    options = list(categories().values())
    choice = extract_choice(ctx.msg.text, len(options))
    found = options[choice - 1] if choice else category_in_text(ctx.msg.text)
    if found is None:
        ctx.reask("repairs.category_again")
        return
    if not ctx.dialog.data.get("description"):
        ctx.dialog.update(description=ctx.msg.text.strip())
    await _with_category(ctx, found)


async def _with_category(ctx: Context, category: Category) -> None:
    if category.role is None:
        ctx.dialog.clear()
        ctx.say("repairs.outside", text=category.outside)
        return
    ctx.dialog.update(category=category.key)
    person = await ctx.person()
    said = extract_address(ctx.dialog.data.get("description", ""))
    if said.building is not None and person.community_id is not None:
        building = await Building.get_or_none(community_id=person.community_id, number=said.building)
        if building is not None:
            await _with_place(
                ctx,
                building.id,
                said.unit or 0,
                f"{building.number}栋" + (f"{said.unit}单元" if said.unit else ""),
            )
            return
    home = await residents.home_of(person)
    assert home is not None
    where = f"{home.building.number}栋" + (f"{home.unit}单元" if home.unit else "")
    ctx.dialog.set(HOME_PLACE, home_building=home.building.id, home_unit=home.unit, home_where=where)
    ctx.say("repairs.ask_home_place", where=where, category=category.label)


@router.handle(state(HOME_PLACE), has_text())
async def home_place_answer(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    data = ctx.dialog.data
    if choice == 1:
        await _with_place(ctx, data["home_building"], data["home_unit"], data["home_where"])
    elif choice == 2:
        ctx.dialog.set(PLACE)
        ctx.say("repairs.ask_place")
    else:
        ctx.reask("repairs.home_place_again", where=data["home_where"])


@router.handle(state(PLACE), kind(Kind.LOCATION))
async def place_location(ctx: Context) -> None:
    loc = ctx.msg.location
    assert loc is not None
    ctx.dialog.update(latitude=loc.latitude, longitude=loc.longitude)
    await _with_place(ctx, None, 0, loc.label or content.text("repairs.place_pinned"))


@router.handle(state(PLACE), has_text())
async def place_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if len(text) < 2:
        ctx.reask("repairs.place_again")
        return
    said = extract_address(text)
    person = await ctx.person()
    building = None
    if said.building is not None and person.community_id is not None:
        building = await Building.get_or_none(community_id=person.community_id, number=said.building)
    await _with_place(ctx, building.id if building else None, said.unit or 0, text[:60])


async def _with_place(ctx: Context, building_id: int | None, unit: int, where: str) -> None:
    ctx.dialog.update(building=building_id, unit=unit, where=where)
    person = await ctx.person()
    community = await Community.get(id=person.community_id)
    category = categories()[ctx.dialog.data["category"]]
    if category.kind == "repair":
        data = ctx.dialog.data
        same = await workflow.likely_duplicates(
            community, category, building_id, ctx.now(), near=(data.get("latitude"), data.get("longitude"))
        )
        if same:
            first = same[0]
            ctx.dialog.set(DUPLICATE, duplicate=first.id)
            ctx.say(
                "repairs.duplicate",
                where=where,
                category=category.label,
                number=first.number,
                status=status_label(first.status),
            )
            return
    _ask_photo(ctx)


def _ask_photo(ctx: Context) -> None:
    if ctx.dialog.data.get("photo"):  # sent before the words ("[photo]" then "这个漏水谁管")
        _confirm(ctx)
        return
    ctx.dialog.set(PHOTO)
    ctx.say("repairs.ask_photo")


@router.handle(state(DUPLICATE), has_text())
async def duplicate_answer(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice == 1:
        ticket = await Ticket.get(id=ctx.dialog.data["duplicate"])
        await workflow.follow(ticket, await ctx.person())
        ctx.dialog.clear()
        ctx.say("repairs.following", number=ticket.number)
    elif choice == 2:
        _ask_photo(ctx)
    else:
        ctx.reask("repairs.duplicate_again")


@router.handle(state(PHOTO), kind(Kind.IMAGE))
async def photo(ctx: Context) -> None:
    ctx.dialog.update(photo=ctx.msg.media_id)
    _confirm(ctx)


@router.handle(state(PHOTO), has_text())
async def photo_text(ctx: Context) -> None:
    if ctx.word in ("跳过", "没有", "不用", "不拍", "没照片", "无"):
        _confirm(ctx)
    else:
        ctx.reask("repairs.photo_again")


def _confirm(ctx: Context) -> None:
    data = ctx.dialog.data
    ctx.dialog.set(CONFIRM)
    ctx.say(
        "repairs.confirm",
        category=categories()[data["category"]].label,
        where=data["where"],
        description=data["description"] or content.text("repairs.no_note"),
        photo=content.text("repairs.photo_yes" if data.get("photo") else "repairs.photo_no"),
    )


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice == 2:
        ctx.dialog.set(DESCRIBE)
        ctx.say("repairs.ask_description")
        return
    if choice != 1:
        ctx.reask("repairs.confirm_again")
        return
    data = ctx.dialog.data
    person = await ctx.person()
    category = categories()[data["category"]]
    ticket = await workflow.report(
        ReportRepair(
            reporter=person,
            community=await Community.get(id=person.community_id),
            category=category,
            description=data["description"],
            source_key=f"chat:{data['source']}",
            building_id=data.get("building"),
            unit=int(data.get("unit") or 0),
            place=data["where"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            photo_media_ids=(data["photo"],) if data.get("photo") else (),
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    who = content.text(f"repairs.handler.{category.handler}")
    ctx.say("repairs.submitted", number=ticket.number, who=who, hours=_hours(category.resolution_hours))


@router.handle(state(DESCRIBE), has_text())
async def describe(ctx: Context) -> None:
    ctx.dialog.update(description=ctx.msg.text.strip())
    found = category_in_text(ctx.msg.text)
    if found is not None and found.key != ctx.dialog.data.get("category") and found.role is not None:
        ctx.dialog.update(category=found.key)
    _confirm(ctx)


def _hours(hours: float) -> str:
    return f"{int(hours)} 小时" if hours < 48 else f"{int(hours // 24)} 天"


# -- my tickets, urge, rate, reopen -----------------------------------------------------------------
@router.handle(intent("my_tickets"), idle())
async def my_tickets(ctx: Context) -> None:
    person = await ctx.person()
    tickets = await Ticket.filter(reporter=person).order_by("-created_at").limit(5)
    if not tickets:
        ctx.say("repairs.none_yet")
        return
    lines = []
    for t in tickets:
        overdue = content.text("repairs.overdue_mark") if workflow.is_overdue(t, ctx.now()) else ""
        lines.append(f"{t.number} {categories()[t.category].label}：{status_label(t.status)}{overdue}")
    ctx.say("repairs.mine", lines="\n".join(lines))


@router.handle(intent("urge"), idle())
async def urge(ctx: Context) -> None:
    person = await ctx.person()
    ticket = await Ticket.filter(reporter=person, status__in=OPEN_STATUSES).order_by("-created_at").first()
    if ticket is None:
        ctx.say("repairs.nothing_open")
        return
    try:
        await workflow.urge(ticket.id, person, ctx.now())
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    ctx.say("repairs.urged", number=ticket.number)
