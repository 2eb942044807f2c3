"""The committee's and the street office's side of notices in the chat: 发布通知 (one question at a time:
title, text, an image or a link, who it is for, urgent or routine, when, whether to ask for a receipt,
then a check) and 通知列表 (recent notices with how many were reached and confirmed)."""

from __future__ import annotations

import datetime as dt
import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, state
from bot.messages import Kind
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_skip
from handlers.notices import queries, workflow
from handlers.notices.audience import Target
from handlers.notices.audience_dialog import ask_audience
from handlers.notices.draft import AUDIENCE, CONFIRM, LINK, RECEIPT, TEXT, TITLE, URGENT, WHEN, NoticeDraft
from handlers.notices.workflow import WriteNotice
from nlp.slots import extract_date, extract_time

router = Router("notices.staff")

_LINK = re.compile(r"https?://\S+")
_NOW = {"现在", "马上", "立即", "立刻", "立即发布", "现在发", "马上发", "现在就发", "发吧", "尽快"}
_URGENT = {1: ("急", "紧急的", "很急", "加急", "要紧"), 2: ("不急", "一般", "常规", "普通的", "不紧急")}
_RECEIPT = {1: ("需要", "要", "要回执", "需要的"), 2: ("不需要", "不用", "不要", "不用了")}
_CONFIRM = {1: ("发布", "发吧", "确认", "确定", "发"), 2: ("取消", "不发了", "先不发")}


async def _community_or_say(ctx: Context) -> int | None:
    person = await ctx.person()
    if await queries.may_write(person, person.community_id):
        return person.community_id
    ctx.say("notices.staff_only")
    return None


@router.handle(command("发布通知", "发通知", "发布公告", "发公告", "写通知", "发个通知", args=False), idle())
async def start(ctx: Context) -> None:
    if await _community_or_say(ctx) is None:
        return
    ctx.dialog.clear()
    NoticeDraft().then(ctx, TITLE)
    ctx.say("notices.write.ask_title")


@router.handle(state(TITLE), has_text())
async def title(ctx: Context) -> None:
    said = ctx.msg.text.strip()
    if not 2 <= len(said) <= 64:
        ctx.reask("notices.write.title_again")
        return
    NoticeDraft.of(ctx).then(ctx, TEXT, title=said)
    ctx.say("notices.write.ask_text")


@router.handle(state(TEXT), has_text())
async def text(ctx: Context) -> None:
    said = ctx.msg.text.strip()
    if not 2 <= len(said) <= 2000:
        ctx.reask("notices.write.text_again")
        return
    NoticeDraft.of(ctx).then(ctx, LINK, text=said)
    ctx.say("notices.write.ask_link")


@router.handle(state(LINK))
async def link(ctx: Context) -> None:
    """A photo, a link, or 跳过."""
    if ctx.msg.kind is Kind.IMAGE and ctx.msg.image_url:
        found = ctx.msg.image_url
    elif ctx.msg.has_text and (is_skip(ctx.msg.text) or ctx.word in ("不用", "没")):
        found = ""
    elif ctx.msg.has_text and (match := _LINK.search(ctx.msg.text)):
        found = match.group(0)[:500]
    else:
        ctx.reask("notices.write.link_again")
        return
    NoticeDraft.of(ctx).then(ctx, AUDIENCE, link=found)
    ask_audience(ctx)


@router.handle(state(URGENT), has_text())
async def urgent(ctx: Context) -> None:
    labels = [content.text("notices.write.urgent"), content.text("notices.write.routine")]
    choice = choose(ctx.msg.text, labels, synonyms=_URGENT)
    if choice is None:
        ctx.reask("notices.write.urgent_again")
        return
    NoticeDraft.of(ctx).then(ctx, WHEN, urgent=choice == 1)
    ctx.say("notices.write.ask_when")


def read_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """When to publish: None for now ("现在", "马上"); else the day and time named (today when only a
    time is said; 8:00 when only a day). Raises ValueError when it names no time at all."""
    word = re.sub(r"[\s。！!，,]", "", text)
    if word in _NOW or is_any(text):
        return None
    day, clock = extract_date(text, now.date()), extract_time(text)
    if day is None and clock is None:
        raise ValueError(text)
    return dt.datetime.combine(day or now.date(), clock or dt.time(8, 0), tzinfo=now.tzinfo)


@router.handle(state(WHEN), has_text())
async def when(ctx: Context) -> None:
    try:
        at = read_when(ctx.msg.text, ctx.now())
    except ValueError:
        ctx.reask("notices.write.when_again")
        return
    if at is not None and at <= ctx.now():
        ctx.reask("notices.write.when_past")
        return
    NoticeDraft.of(ctx).then(ctx, RECEIPT, publish_at=at.isoformat() if at else "")
    ctx.say("notices.write.ask_receipt", hours=workflow.receipt_time(workflow.default_receipt_hours()))


@router.handle(state(RECEIPT), has_text())
async def receipt(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["需要回执", "不需要"], synonyms=_RECEIPT, yes=1, no=2)
    if choice is None:
        ctx.reask("notices.write.receipt_again")
        return
    draft = NoticeDraft.of(ctx).then(ctx, CONFIRM, receipt=choice == 1)
    await _check(ctx, draft)


async def _check(ctx: Context, draft: NoticeDraft) -> None:
    person = await ctx.person()
    assert person.community_id is not None
    target = Target(person.community_id, draft.target_kind, draft.targets)
    hours = workflow.receipt_time(workflow.default_receipt_hours())
    ctx.say(
        "notices.write.confirm",
        heading=content.text("notices.urgent_mark") + draft.title if draft.urgent else draft.title,
        text=formats.clip(draft.text, 120),
        link=content.text("notices.write.link_shown", link=draft.link) if draft.link else "",
        audience=queries.describe_audience(target, await queries.grid_names(person.community_id)),
        count=await queries.audience_size(target),
        when=_when_label(draft),
        receipt=content.text("notices.write.receipt_yes", hours=hours)
        if draft.receipt
        else content.text("notices.write.receipt_no"),
    )


def _when_label(draft: NoticeDraft) -> str:
    if not draft.publish_at:
        return content.text("notices.write.now")
    return formats.day_time(dt.datetime.fromisoformat(draft.publish_at))


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["确认发布", "取消"], synonyms=_CONFIRM, yes=1, no=2)
    if choice == 2:
        ctx.dialog.clear()
        ctx.say("common.cancelled")
        return
    if choice != 1:
        ctx.reask("notices.write.confirm_again")
        return
    draft = NoticeDraft.of(ctx)
    person = await ctx.person()
    assert person.community_id is not None
    notice = await workflow.write(
        WriteNotice(
            community_id=person.community_id,
            by=person,
            title=draft.title,
            text=draft.text,
            link=draft.link,
            audience=draft.target_kind,
            targets=draft.targets,
            urgent=draft.urgent,
            publish_at=dt.datetime.fromisoformat(draft.publish_at) if draft.publish_at else None,
            receipt=draft.receipt,
            source_key=f"chat:{ctx.msg.dedup_key}",
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    view = queries.view_of(notice)
    if view.status is queries.NoticeStatus.PUBLISHED:
        urgent_note = content.text("notices.write.done_urgent") if view.urgent else ""
        ctx.say("notices.write.done", number=view.number, count=view.recipients, urgent=urgent_note)
    else:
        names = await queries.grid_names(view.community_id)
        ctx.say(
            "notices.write.scheduled",
            number=view.number,
            when=formats.day_time(view.publish_at),
            audience=queries.describe_audience(view, names),
        )


# -- the staff's list ------------------------------------------------------------------------------------
@router.handle(command("通知列表", "通知管理", "通知回执", "通知情况", args=False), idle())
async def overview(ctx: Context) -> None:
    community_id = await _community_or_say(ctx)
    if community_id is None:
        return
    recent = await queries.recent_for_staff(community_id)
    if not recent:
        ctx.say("notices.staff.none")
        return
    counts = await queries.figures([n.id for n in recent])
    lines = []
    for n in recent:
        if n.status is queries.NoticeStatus.SCHEDULED:
            when_label = formats.day_time(n.publish_at)
            lines.append(
                content.text(
                    "notices.staff.line_scheduled",
                    number=n.number,
                    heading=queries.heading(n),
                    when=when_label,
                )
            )
            continue
        f = counts[n.id]
        lines.append(
            content.text(
                "notices.staff.line",
                number=n.number,
                heading=queries.heading(n),
                day=queries.when(n),
                recipients=n.recipients,
                delivered=f.delivered,
                waiting=content.text("notices.staff.waiting", count=f.waiting) if f.waiting else "",
                receipts=content.text("notices.staff.receipts", confirmed=f.confirmed) if n.receipt else "",
            )
        )
    ctx.say("notices.staff.list", lines="\n".join(lines))
