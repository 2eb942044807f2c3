"""The committee's and the street office's side of notices in the chat: 发布通知 (one question at a time:
title, text, an image or a link, who it is for, urgent or routine, when, whether to ask for a receipt,
then a check) and 通知列表 (recent notices with how many were reached and confirmed)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, state
from bot.messages import Kind
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_skip
from handlers.common.pause import CONTENT, answers
from handlers.common.rules import Refusal
from handlers.notices import queries, workflow
from handlers.notices.audience import Target
from handlers.notices.queries import Audience, Care
from handlers.notices.workflow import WriteNotice
from handlers.votes.committee_dialog import buildings_named
from handlers.votes.dialog import read_choices
from nlp.slots import extract_date, extract_time

router = Router("notices.staff")

TITLE = "notice:title"
TEXT = "notice:text"
LINK = "notice:link"
AUDIENCE = "notice:audience"
BUILDINGS = "notice:buildings"
GRIDS = "notice:grids"
ROLES = "notice:roles"
CARE = "notice:care"
URGENT = "notice:urgent"
WHEN = "notice:when"
RECEIPT = "notice:receipt"
CONFIRM = "notice:confirm"
# the words of a notice (停水通知, 电梯停运) and of its audience (志愿者, 网格) are answers, not requests
answers(
    TITLE,
    TEXT,
    LINK,
    AUDIENCE,
    BUILDINGS,
    GRIDS,
    ROLES,
    CARE,
    URGENT,
    WHEN,
    RECEIPT,
    CONFIRM,
    intents=CONTENT | {"notices", "wish_board", "my_grid_worker"},
)

KINDS = [Audience.COMMUNITY, Audience.BUILDINGS, Audience.GRIDS, Audience.ROLES, Audience.CARE]
ROLE_CHOICES = ["volunteer", "party_member", "owner", "grid_worker", "property_staff"]
_LINK = re.compile(r"https?://\S+")
_NOW = {"现在", "马上", "立即", "立刻", "立即发布", "现在发", "马上发", "现在就发", "发吧", "尽快"}
_URGENT = {1: ("急", "紧急的", "很急", "加急", "要紧"), 2: ("不急", "一般", "常规", "普通的", "不紧急")}
_RECEIPT = {1: ("需要", "要", "要回执", "需要的"), 2: ("不需要", "不用", "不要", "不用了")}
_CONFIRM = {1: ("发布", "发吧", "确认", "确定", "发"), 2: ("取消", "不发了", "先不发")}


@dataclass(frozen=True)
class NoticeDraft:
    """What the staff member has answered so far (kept in the dialog's data)."""

    title: str = ""
    text: str = ""
    link: str = ""
    audience: str = Audience.COMMUNITY.value
    targets: tuple[Any, ...] = ()
    urgent: bool = False
    publish_at: str = ""  # ISO; empty: now
    receipt: bool = False

    @classmethod
    def of(cls, ctx: Context) -> NoticeDraft:
        data = ctx.dialog.data.get("draft")
        if not isinstance(data, dict):
            raise Refusal("notices.write.expired")
        return cls(**{**data, "targets": tuple(data.get("targets") or ())})

    def then(self, ctx: Context, next_state: str, **changes: Any) -> NoticeDraft:
        draft = replace(self, **changes)
        ctx.dialog.set(next_state, draft={**asdict(draft), "targets": list(draft.targets)})
        return draft

    @property
    def target_kind(self) -> Audience:
        return Audience(self.audience)


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
    _ask_audience(ctx)


def _kind_labels() -> list[str]:
    return [content.text(f"notices.write.audience.{k.value}") for k in KINDS]


def _ask_audience(ctx: Context, key: str = "notices.write.ask_audience") -> None:
    ctx.say(key, options=content.numbered(_kind_labels()))


@router.handle(state(AUDIENCE), has_text())
async def audience(ctx: Context) -> None:
    named = buildings_named(ctx.msg.text, bare=False)  # "3栋 5栋" at once
    if named:
        await _audience_then_urgent(ctx, Audience.BUILDINGS, named)
        return
    if is_any(ctx.msg.text):  # the whole community is the default
        ctx.say("common.took_default", value=_kind_labels()[0])
    choice = 1 if is_any(ctx.msg.text) else choose(ctx.msg.text, _kind_labels())
    draft = NoticeDraft.of(ctx)
    if choice == 1:
        await _audience_then_urgent(ctx, Audience.COMMUNITY, [])
    elif choice == 2:
        draft.then(ctx, BUILDINGS)
        ctx.say("notices.write.ask_buildings")
    elif choice == 3:
        person = await ctx.person()
        grids = await queries.grids(person.community_id)
        if not grids:
            ctx.reask("notices.write.no_grids", options=content.numbered(_kind_labels()))
            return
        draft.then(ctx, GRIDS)
        ctx.dialog.update(grids=[g for g, _ in grids], grid_names=[name for _, name in grids])
        ctx.say("notices.write.ask_grids", options=content.numbered([name for _, name in grids]))
    elif choice == 4:
        draft.then(ctx, ROLES)
        ctx.say("notices.write.ask_roles", options=content.numbered(_role_labels()))
    elif choice == 5:
        draft.then(ctx, CARE)
        ctx.say("notices.write.ask_care", options=content.numbered(_care_labels()))
    else:
        ctx.reask("notices.write.audience_again", options=content.numbered(_kind_labels()))


@router.handle(state(BUILDINGS), has_text())
async def buildings(ctx: Context) -> None:
    numbers = buildings_named(ctx.msg.text, bare=True)
    if not numbers:
        ctx.reask("notices.write.buildings_again")
        return
    await _audience_then_urgent(ctx, Audience.BUILDINGS, numbers)


def _role_labels() -> list[str]:
    return [queries.role_label(r) for r in ROLE_CHOICES]


def _care_labels() -> list[str]:
    return [queries.care_label(c.value) for c in Care]


def _several(ctx: Context, labels: list[str]) -> list[int] | None:
    """The options picked (0-based): "1", "1 3", "志愿者和业主"."""
    picked = read_choices(ctx.msg.text, labels)
    return sorted(set(picked)) if picked else None


@router.handle(state(GRIDS), has_text())
async def grids(ctx: Context) -> None:
    names = list(ctx.dialog.data.get("grid_names") or [])
    picked = _several(ctx, names)
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(names))
        return
    ids = list(ctx.dialog.data["grids"])
    await _audience_then_urgent(ctx, Audience.GRIDS, [ids[i] for i in picked])


@router.handle(state(ROLES), has_text())
async def roles(ctx: Context) -> None:
    picked = _several(ctx, _role_labels())
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(_role_labels()))
        return
    await _audience_then_urgent(ctx, Audience.ROLES, [ROLE_CHOICES[i] for i in picked])


@router.handle(state(CARE), has_text())
async def care(ctx: Context) -> None:
    if is_any(ctx.msg.text) or ctx.word in ("全部", "所有", "全部的", "都发"):
        await _audience_then_urgent(ctx, Audience.CARE, [])
        return
    picked = _several(ctx, _care_labels())
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(_care_labels()))
        return
    needs = [c.value for c in Care]
    await _audience_then_urgent(ctx, Audience.CARE, [needs[i] for i in picked])


async def _audience_then_urgent(ctx: Context, kind: Audience, targets: list[Any]) -> None:
    NoticeDraft.of(ctx).then(ctx, URGENT, audience=kind.value, targets=tuple(targets))
    ctx.say("notices.write.ask_urgent")


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
