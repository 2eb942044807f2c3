"""The chat side of wishes for volunteers, party members and the committee: 心愿墙, 认领, 已联系, 完成心愿
(hours, what was done, a photo), 放弃认领, 我的认领, 服务记录; 心愿审核, 通过, 退回, 不通过."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, kind, pattern, state
from bot.messages import Kind
from handlers.common import formats
from handlers.common.answers import is_skip
from handlers.common.pause import answers
from handlers.wishes import board, queries, workflow
from handlers.wishes.queries import WishStatus
from handlers.wishes.rules import NUMBER, rules
from handlers.wishes.workflow import status_label
from nlp.slots import digits_from_chinese

router = Router("wishes.service")

HOURS = "wish:fulfil_hours"
NOTE = "wish:fulfil_note"
PHOTO = "wish:fulfil_photo"
answers(NOTE)

_CLAIM = re.compile(rf"^\s*认领\s*(?:心愿)?\s*{NUMBER}\s*(.{{0,32}})$", re.I | re.S)
_CONTACTED = re.compile(rf"^\s*已联系\s*(?:心愿)?\s*{NUMBER}\s*$", re.I)
_RELEASE = re.compile(rf"^\s*放弃认领\s*(?:心愿)?\s*{NUMBER}\s*(.*)$", re.I | re.S)
_FULFIL = re.compile(rf"^\s*完成心愿\s*{NUMBER}\s*(.*)$", re.I | re.S)
_HOURS = re.compile(r"(\d+(?:\.\d+)?|半)\s*(?:个)?\s*(小时|钟头|h|分钟)", re.I)
_AND_A_HALF = re.compile(r"(\d+)\s*个?(?:半|0\.5)\s*(?:小时|钟头)")  # cn2an: 一个半 -> 1个0.5
_REVIEW = re.compile(rf"^\s*(通过|退回|不通过)\s*(?:心愿)?\s*{NUMBER}\s*(.*)$", re.I | re.S)


def parse_hours(text: str) -> float | None:
    """ "2小时", "1.5 小时", "半小时", "两个小时", "90分钟" -> hours; None when no duration is said."""
    cleaned = digits_from_chinese(text)
    and_a_half = _AND_A_HALF.search(cleaned)
    if and_a_half:
        return float(and_a_half.group(1)) + 0.5
    match = _HOURS.search(cleaned)
    if not match:
        return None
    amount = 0.5 if match.group(1) == "半" else float(match.group(1))
    if match.group(2) == "分钟":
        amount /= 60
    return round(amount, 2)


def _line(item: board.PublicWish) -> str:
    due = (
        content.text("wishes.board_due", day=formats.day(item.wanted_by, weekday=False))
        if (item.wanted_by)
        else ""
    )
    mark = content.text("wishes.board_priority") if item.priority else ""
    return f"{item.number} {mark}{item.category_label}：{formats.clip(item.text, 30)}{due}"


@router.handle(pattern(_CLAIM))
async def claim(ctx: Context) -> None:
    match = ctx.data["match"]
    person = await ctx.person()
    claimed = await workflow.claim(int(match.group(1)), person, ctx.now(), team=match.group(2).strip())
    view = await queries.visible(person, claimed.wish_id)  # the claimer sees the resident's contact
    wish, resident = view.wish, view.resident
    ctx.say(
        "wishes.claimed",
        number=wish.number,
        text=formats.clip(wish.description, 120),
        name=wish.display_name or (resident and resident.name) or content.text("wishes.the_resident"),
        phone=(resident and resident.phone) or content.text("wishes.no_phone"),
        days=rules().contact_within.days,
    )


@router.handle(pattern(_CONTACTED))
async def contacted(ctx: Context) -> None:
    wish_id = int(ctx.data["match"].group(1))
    wish = await workflow.move(wish_id, "contacted", await ctx.person(), ctx.now())
    ctx.say("wishes.contacted", number=wish.number)


@router.handle(pattern(_RELEASE))
async def release(ctx: Context) -> None:
    match = ctx.data["match"]
    note = match.group(2).strip()
    wish = await workflow.move(int(match.group(1)), "release", await ctx.person(), ctx.now(), note=note)
    ctx.say("wishes.released", number=wish.number)


# -- fulfilling: hours, what was done, a photo --------------------------------------------------------
@router.handle(pattern(_FULFIL))
async def fulfil_start(ctx: Context) -> None:
    match = ctx.data["match"]
    wish_id = int(match.group(1))
    if not await queries.holds_claim(await ctx.person(), wish_id):
        ctx.say("wishes.not_your_claim")
        return
    rest = match.group(2).strip()
    hours = parse_hours(rest)
    note = _AND_A_HALF.sub("", _HOURS.sub("", digits_from_chinese(rest))).strip(" ，,。") if hours else rest
    ctx.dialog.clear()
    ctx.dialog.set(HOURS, wish=wish_id, note=note)
    if hours is None:
        ctx.say("wishes.ask_hours")
        return
    ctx.dialog.update(hours=hours)
    _ask_note_or_photo(ctx)


def _ask_note_or_photo(ctx: Context) -> None:
    if not ctx.dialog.data.get("note"):
        ctx.dialog.set(NOTE)
        ctx.say("wishes.ask_fulfil_note")
        return
    ctx.dialog.set(PHOTO)
    ctx.say("wishes.ask_fulfil_photo")


@router.handle(state(HOURS), has_text())
async def hours_answer(ctx: Context) -> None:
    hours = parse_hours(ctx.msg.text)
    if hours is None:
        bare = digits_from_chinese(ctx.word)
        hours = float(bare) if bare.replace(".", "", 1).isdigit() else None
    if hours is None or not 0 < hours <= 24:
        ctx.reask("wishes.hours_again")
        return
    ctx.dialog.update(hours=hours)
    _ask_note_or_photo(ctx)


@router.handle(state(NOTE), has_text())
async def note_answer(ctx: Context) -> None:
    if len(ctx.word) < 2:
        ctx.reask("wishes.ask_fulfil_note")
        return
    ctx.dialog.update(note=ctx.msg.text.strip()[:500])
    _ask_note_or_photo(ctx)


@router.handle(state(PHOTO), kind(Kind.IMAGE))
async def photo(ctx: Context) -> None:
    await _fulfil(ctx, ctx.msg.media_id)


@router.handle(state(PHOTO), has_text())
async def photo_text(ctx: Context) -> None:
    if is_skip(ctx.msg.text):
        await _fulfil(ctx, "")
    else:
        ctx.reask("wishes.photo_again")


async def _fulfil(ctx: Context, media_id: str) -> None:
    data = ctx.dialog.data
    ctx.dialog.clear()
    person = await ctx.person()
    wish = await workflow.fulfil(
        data["wish"], person, ctx.now(), note=data["note"], hours=float(data["hours"])
    )
    if media_id:
        await workflow.add_photo(wish.id, person, ctx.now(), media_id=media_id)
    ctx.say("wishes.fulfilled", number=wish.number)


# -- my claims, my service record ---------------------------------------------------------------------
@router.handle(command("我的认领", "认领的心愿", "我认领的心愿", args=False), idle())
async def my_claims(ctx: Context) -> None:
    rows = await queries.active_claims(await ctx.person())
    if not rows:
        ctx.say("wishes.no_claims")
        return
    lines = []
    for row in rows:
        state_note = (
            status_label(row.wish.status, resident=False)
            if row.contacted_at or row.wish.status != WishStatus.CLAIMED
            else content.text("wishes.contact_by", day=formats.day(row.contact_by, weekday=False))
        )
        lines.append(f"{row.wish.number} {formats.clip(row.wish.public_text, 20)}：{state_note}")
    ctx.say("wishes.my_claims", lines="\n".join(lines))


_RECORD_WORDS = ("服务记录", "我的服务记录", "志愿服务记录", "我的积分", "服务时长")


@router.handle(command(*_RECORD_WORDS, args=False), idle())
async def my_record(ctx: Context) -> None:
    ledger = await board.ledger_of((await ctx.person()).id)
    if not ledger.records:
        ctx.say("wishes.no_record")
        return
    lines = [
        f"{formats.day(r.served_on, weekday=False)} {formats.clip(r.activity, 20)} "
        f"{r.hours:g}小时 +{r.points}"
        for r in ledger.records[:5]
    ]
    ctx.say(
        "wishes.record",
        wishes=ledger.wishes,
        activities=ledger.activities,
        hours=f"{ledger.hours:g}",
        points=ledger.points,
        lines="\n".join(lines),
    )


# -- the committee's review --------------------------------------------------------------------------
@router.handle(command("心愿审核", "审核心愿", "待审核心愿", args=False), idle())
async def review_list(ctx: Context) -> None:
    waiting = await queries.review_queue(await ctx.person())
    if not waiting:
        ctx.say("wishes.review_empty")
        return
    lines = [
        f"{w.number} {rules().label(w.category)}：{formats.clip(w.public_text, 40)}{_flags(w.flags)}"
        for w in waiting[:8]
    ]
    ctx.say("wishes.review_list", lines="\n".join(lines))


def _flags(flags: list[str]) -> str:
    if not flags:
        return ""
    names = [
        content.text(f"wishes.found.{f}") if not f.startswith("word:") else f.removeprefix("word:")
        for f in flags
    ]
    return content.text("wishes.flagged", found="、".join(names))


_REVIEW_ACTIONS = {"通过": "approve", "退回": "ask_changes", "不通过": "decline"}


@router.handle(pattern(_REVIEW))
async def review(ctx: Context) -> None:
    match = ctx.data["match"]
    action = _REVIEW_ACTIONS[match.group(1)]
    wish_id, note = int(match.group(2)), match.group(3).strip()
    if action == "approve":
        wish = await workflow.approve(wish_id, await ctx.person(), ctx.now())
    else:
        wish = await workflow.move(wish_id, action, await ctx.person(), ctx.now(), note=note)
    ctx.say("wishes.reviewed", number=wish.number, status=status_label(wish.status, resident=False))


# after the commands: "认领 12" also reads as this intent
@router.handle(intent("wish_board"), idle())
async def wish_board(ctx: Context) -> None:
    person = await ctx.person()
    if person.community_id is None:
        ctx.say("wishes.board_no_community")
        return
    items = await board.board(person.community_id, ctx.now().date())
    if not items:
        ctx.say("wishes.board_empty")
        return
    ctx.say("wishes.board", lines="\n".join(_line(i) for i in items[:8]), more=max(0, len(items) - 8))
