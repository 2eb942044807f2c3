"""The staff's side of activities in the chat (committee, grid workers, the street office): 发布活动 (a guided
form, one question at a time), 签到 A2612-001 1234 (or 签到 A2612-001, then one code after another),
活动名单 A2612-001, 取消活动 A2612-001 原因."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, pattern, state
from handlers.activities import queries, workflow
from handlers.activities.queries import Audience, SignupStatus
from handlers.activities.rules import NUMBER
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_skip, yes_or_no
from handlers.common.pause import answers
from handlers.common.rules import Refusal
from handlers.wishes.service_dialog import parse_hours
from nlp.slots import digits_from_chinese, extract_date, extract_times
from nlp.tokenize import normalize

router = Router("activities.staff")

TITLE = "activity_new:title"
WHEN = "activity_new:when"
PLACE = "activity_new:place"
CAPACITY = "activity_new:capacity"
AUDIENCE = "activity_new:audience"
BUILDINGS = "activity_new:buildings"
DEADLINE = "activity_new:deadline"
SERVICE = "activity_new:service"
CONFIRM = "activity_new:confirm"
CHECKING_IN = "activity_checkin"
answers(TITLE, WHEN, PLACE, intents=("activity", "repair", "complaint", "wish", "vote", "propose", "service"))
answers(CHECKING_IN, intents=("activity",))

_CHECK_IN = re.compile(rf"^\s*签到\s*(?:活动)?\s*{NUMBER}(?:\s+(\d{{3,8}}))?\s*$", re.I)
_ROSTER = re.compile(rf"^\s*(?:活动名单|报名名单|签到情况)\s*{NUMBER}\s*$", re.I)
_CANCEL = re.compile(rf"^\s*取消活动\s*{NUMBER}\s*(.*)$", re.I | re.S)
_CODE = re.compile(r"^\s*(\d{3,8})\s*$")
_AUDIENCES = [Audience.RESIDENTS, Audience.VOLUNTEERS, Audience.PARTY_MEMBERS, Audience.BUILDINGS]
_AUDIENCE_WORDS = {
    1: ("全体", "所有居民", "居民", "大家", "全部"),
    2: ("志愿者",),
    3: ("党员",),
    4: ("楼栋", "指定楼栋", "部分楼栋"),
}
_DONE = ("结束签到", "签到结束", "结束", "完成签到")


async def _organiser_or_say(ctx: Context) -> int | None:
    try:
        return await queries.organiser_community(await ctx.person())
    except Refusal:
        ctx.say("activities.staff_only")
        return None


def _draft(ctx: Context) -> dict[str, Any]:
    found = ctx.dialog.data.get("draft")
    if not isinstance(found, dict):
        raise Refusal("activities.new.expired")
    return found


def _then(ctx: Context, next_state: str, **changes: Any) -> None:
    ctx.dialog.set(next_state, draft=_draft(ctx) | changes)


# -- 发布活动 ---------------------------------------------------------------------------------------------
@router.handle(command("发布活动", "发起活动", "新建活动", "组织活动", args=False), idle())
async def start(ctx: Context) -> None:
    community_id = await _organiser_or_say(ctx)
    if community_id is None:
        return
    ctx.dialog.clear()
    ctx.dialog.set(TITLE, draft={"community": community_id})
    ctx.say("activities.new.ask_title")


@router.handle(state(TITLE), has_text())
async def title(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if not 2 <= len(text) <= 64:
        ctx.reask("activities.new.title_again")
        return
    _then(ctx, WHEN, title=text)
    ctx.say("activities.new.ask_when")


def read_when(text: str, today: dt.date) -> tuple[dt.datetime, dt.datetime | None] | None:
    """ "12月5日下午2点到4点", "周六 9:00-11:30", "明天上午10点" -> the start (and the end, when said)."""
    day = extract_date(text, today)
    times = extract_times(text)
    if day is None or not times:
        return None
    zone = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime.combine(day, times[0], tzinfo=zone)
    end = dt.datetime.combine(day, times[1], tzinfo=zone) if len(times) > 1 else None
    return start, end


@router.handle(state(WHEN), has_text())
async def when(ctx: Context) -> None:
    found = read_when(ctx.msg.text, ctx.now().date())
    if found is None or found[0] <= ctx.now():
        ctx.reask("activities.new.when_again")
        return
    start, end = found
    _then(ctx, PLACE, starts_at=start.isoformat(), ends_at=end.isoformat() if end else None)
    ctx.say("activities.new.ask_place")


@router.handle(state(PLACE), has_text())
async def place(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if len(text) < 2:
        ctx.reask("activities.new.place_again")
        return
    _then(ctx, CAPACITY, place=text[:128])
    ctx.say("activities.new.ask_capacity")


@router.handle(state(CAPACITY), has_text())
async def capacity(ctx: Context) -> None:
    found = re.search(r"\d{1,5}", digits_from_chinese(normalize(ctx.msg.text)))
    number = int(found.group(0)) if found else 0
    if not 1 <= number <= 2000:
        ctx.reask("activities.new.capacity_again")
        return
    _then(ctx, AUDIENCE, capacity=number)
    _ask_audience(ctx)


def _audience_labels() -> list[str]:
    return [content.text(f"activities.audience_option.{a.value}") for a in _AUDIENCES]


def _ask_audience(ctx: Context) -> None:
    ctx.say("activities.new.ask_audience", options=content.numbered(_audience_labels()))


@router.handle(state(AUDIENCE), has_text())
async def audience(ctx: Context) -> None:
    labels = _audience_labels()
    if is_any(ctx.msg.text):
        ctx.say("common.took_default", value=labels[0])
        choice: int | None = 1
    else:
        choice = choose(ctx.msg.text, labels, synonyms=_AUDIENCE_WORDS)
    if choice is None:
        ctx.reask("activities.new.audience_again", options=content.numbered(labels))
        return
    picked = _AUDIENCES[choice - 1]
    if picked == Audience.BUILDINGS:
        _then(ctx, BUILDINGS, audience=picked.value)
        ctx.say("activities.new.ask_buildings")
        return
    _then(ctx, DEADLINE, audience=picked.value, buildings=[])
    ctx.say("activities.new.ask_deadline")


@router.handle(state(BUILDINGS), has_text())
async def buildings(ctx: Context) -> None:
    numbers = sorted({int(n) for n in re.findall(r"\d{1,3}", digits_from_chinese(normalize(ctx.msg.text)))})
    if not numbers:
        ctx.reask("activities.new.buildings_again")
        return
    _then(ctx, DEADLINE, buildings=numbers)
    ctx.say("activities.new.ask_deadline")


@router.handle(state(DEADLINE), has_text())
async def deadline(ctx: Context) -> None:
    starts_at = dt.datetime.fromisoformat(_draft(ctx)["starts_at"])
    if is_any(ctx.msg.text) or is_skip(ctx.msg.text) or "开始前" in ctx.msg.text:
        _then(ctx, SERVICE, deadline=None)
        ctx.say("activities.new.ask_service")
        return
    day = extract_date(ctx.msg.text, ctx.now().date())
    times = extract_times(ctx.msg.text)
    if day is None:
        ctx.reask("activities.new.deadline_again")
        return
    at = dt.datetime.combine(day, times[0] if times else dt.time(18, 0), tzinfo=starts_at.tzinfo)
    if not ctx.now() < at <= starts_at:
        ctx.reask("activities.new.deadline_again")
        return
    _then(ctx, SERVICE, deadline=at.isoformat())
    ctx.say("activities.new.ask_service")


@router.handle(state(SERVICE), has_text())
async def service(ctx: Context) -> None:
    hours = parse_hours(ctx.msg.text)
    said_no = yes_or_no(ctx.msg.text) is False or is_skip(ctx.msg.text)
    if hours is None and (said_no or ctx.word in ("不算", "不计", "不计入", "不算志愿服务")):
        hours = 0.0
    if hours is None or not 0 <= hours <= 24:
        ctx.reask("activities.new.service_again")
        return
    _then(ctx, CONFIRM, hours=hours)
    ctx.say("activities.new.confirm", summary=_summary(_draft(ctx)))


def _fields(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as the fields of ``workflow.CreateActivity`` (but who creates it)."""
    deadline = draft.get("deadline")
    return dict(
        community=int(draft["community"]),
        title=str(draft["title"]),
        place=str(draft["place"]),
        starts_at=dt.datetime.fromisoformat(draft["starts_at"]),
        ends_at=dt.datetime.fromisoformat(draft["ends_at"]) if draft.get("ends_at") else None,
        capacity=int(draft["capacity"]),
        audience=Audience(draft["audience"]),
        buildings=tuple(int(n) for n in draft.get("buildings") or ()),
        signup_deadline=dt.datetime.fromisoformat(deadline) if deadline else None,
        volunteer_service=float(draft["hours"]) > 0,
        hours=float(draft["hours"]),
    )


def _summary(draft: dict[str, Any]) -> str:
    starts = dt.datetime.fromisoformat(draft["starts_at"])
    audience = Audience(draft["audience"])
    who = (
        "、".join(f"{n}栋" for n in draft.get("buildings") or ())
        if audience == Audience.BUILDINGS
        else content.text(f"activities.audience.{audience.value}")
    )
    deadline = draft.get("deadline")
    hours = float(draft["hours"])
    return content.text(
        "activities.new.summary",
        title=draft["title"],
        when=formats.day_time(starts),
        place=draft["place"],
        capacity=draft["capacity"],
        audience=who,
        deadline=formats.day_time(dt.datetime.fromisoformat(deadline))
        if deadline
        else content.text("activities.new.until_start"),
        service=content.text("activities.new.service_hours", hours=f"{hours:g}")
        if hours
        else content.text("activities.new.no_service"),
    )


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    answer = True if ctx.word in ("发布", "确认发布", "发吧") else yes_or_no(ctx.msg.text)
    if answer is None:
        ctx.reask("activities.new.confirm_again")
        return
    draft = _draft(ctx)
    ctx.dialog.clear()
    if not answer:
        ctx.say("activities.new.dropped")
        return
    made = await workflow.publish(workflow.CreateActivity(by=await ctx.person(), **_fields(draft)), ctx.now())
    a = await queries.find(made.id)
    ctx.say("activities.new.created", number=a.number, title=a.title)


# -- at the venue ------------------------------------------------------------------------------------------
@router.handle(pattern(_CHECK_IN))
async def check_in(ctx: Context) -> None:
    match = ctx.data["match"]
    activity_id, code = int(match.group(1)), match.group(2)
    a = await queries.find(activity_id)
    await queries.require_organiser(await ctx.person(), a.community_id)
    if code is None:
        ctx.dialog.clear()
        ctx.dialog.set(CHECKING_IN, activity=a.id)
        ctx.say("activities.checkin_mode", title=a.title, number=a.number)
        return
    await _check_in(ctx, a.id, code)


async def _check_in(ctx: Context, activity_id: int, code: str) -> None:
    done = await workflow.check_in(activity_id, await ctx.person(), code, ctx.now())
    if done.hours:
        ctx.say("activities.checked_in_service", name=done.name, hours=f"{done.hours:g}", points=done.points)
    else:
        ctx.say("activities.checked_in", name=done.name)


@router.handle(state(CHECKING_IN), has_text())
async def checking_in(ctx: Context) -> None:
    if ctx.word in _DONE:
        ctx.dialog.clear()
        ctx.say("activities.checkin_done")
        return
    found = _CODE.match(digits_from_chinese(ctx.msg.text))
    if found is None:
        ctx.reask("activities.checkin_code_again")
        return
    try:
        await _check_in(ctx, int(ctx.dialog.data["activity"]), found.group(1))
    except Refusal as refused:  # a wrong code is one line: the next person's code may follow
        ctx.say_text(refused.text())


@router.handle(pattern(_ROSTER))
async def roster(ctx: Context) -> None:
    a, lines = await queries.roster(int(ctx.data["match"].group(1)), await ctx.person())
    confirmed = [x for x in lines if x.status == SignupStatus.CONFIRMED]
    waiting = [x for x in lines if x.status == SignupStatus.WAITING]
    attended = sum(1 for x in confirmed if x.attended)
    names = "、".join(
        x.name + (content.text("activities.attended_mark") if x.attended else "") for x in confirmed
    )
    ctx.say(
        "activities.roster",
        title=a.title,
        number=a.number,
        confirmed=len(confirmed),
        capacity=a.capacity,
        waiting=len(waiting),
        attended=attended,
        names=names or content.text("activities.nobody_yet"),
    )


@router.handle(pattern(_CANCEL))
async def cancel_activity(ctx: Context) -> None:
    match = ctx.data["match"]
    reason = match.group(2).strip()
    if len(reason) < 2:
        ctx.say("activities.reason_needed")
        return
    a = await workflow.cancel_activity(int(match.group(1)), await ctx.person(), reason, ctx.now())
    ctx.say("activities.activity_cancelled", title=a.title, number=a.number)
