"""The chat side of activities for residents and volunteers: "社区有什么活动" lists what is open to them, a
number shows one and asks to confirm; "报名 A2612-001" signs up at once; "我的报名" shows the sign-ups with
their check-in codes; "取消报名 A2612-001" gives a place back."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.activities import queries, workflow
from handlers.activities.queries import ActivityView, SignupStatus
from handlers.activities.rules import NUMBER
from handlers.common import formats
from handlers.common.answers import choose, yes_or_no
from handlers.common.pause import answers
from handlers.residents.dialog import require_home

router = Router("activities")

PICK = "idle:activity:pick"  # the list is shown: a new request is as welcome as a pick
CONFIRM = "activity:confirm"
answers(CONFIRM, intents=("activity",))  # "报名" here confirms

_SIGN_UP = re.compile(rf"^\s*(?:我要|我想)?报名\s*(?:参加)?\s*(?:活动)?\s*{NUMBER}\s*$", re.I)
_CANCEL = re.compile(rf"^\s*取消报名\s*(?:活动)?\s*(?:{NUMBER})?\s*$", re.I)
_CONFIRM_WORDS = ("报名", "确认报名", "我要报名", "参加", "我参加", "报")


def line(a: ActivityView) -> str:
    return content.text(
        "activities.list_line",
        number=a.number,
        title=a.title,
        when=queries.when(a),
        place=a.place,
        places=queries.places_label(a),
    )


def _mark(status: SignupStatus | None) -> str:
    return content.text(f"activities.mark.{status.value}") if status else ""


async def open_list(ctx: Context) -> None:
    """社区有什么活动 / 活动 / 报名."""
    person = await ctx.person()
    if not await queries.belongs_somewhere(person) and await require_home(ctx, then="activity") is None:
        return  # neither a home nor a role anywhere: binding first, then the list
    found = await queries.open_to(person, ctx.now())
    if not found:
        ctx.say("activities.none_open")
        return
    lines = [f"{i} {line(a)}{_mark(status)}" for i, (a, status) in enumerate(found, start=1)]
    ctx.dialog.clear()
    ctx.dialog.set(PICK, ids=[a.id for a, _ in found], titles=[a.title for a, _ in found])
    ctx.say("activities.open_list", lines="\n\n".join(lines))


def _picked(ctx: Context) -> dict[str, int] | bool:
    """A number or (a part of) a title from the list; anything else is a new request."""
    titles = list(ctx.dialog.data.get("titles") or [])
    choice = choose(ctx.msg.text, titles, loose=False) if titles else None
    return {"picked": choice} if choice else False


@router.handle(state(PICK), has_text(), _picked)
async def pick(ctx: Context) -> None:
    a = await queries.find(ctx.dialog.data["ids"][ctx.data["picked"] - 1])
    mine = await queries.signup_of(await ctx.person(), a.id)
    detail = content.text(
        "activities.detail",
        number=a.number,
        title=a.title,
        description=formats.remark(a.description, empty=""),
        when=queries.when(a),
        place=a.place,
        audience=queries.describe_audience(a),
        deadline=formats.day_time(a.signup_deadline),
        places=queries.places_label(a),
        service=queries.service_label(a),
    )
    ctx.dialog.clear()
    if mine is not None:
        ctx.say_text(detail)
        ctx.say("activities.already_yours", code=mine.code, number=a.number)
        return
    await queries.may_join(await ctx.person(), a, ctx.now())
    ctx.dialog.set(CONFIRM, activity=a.id)
    ctx.say_text(detail)
    ctx.say("activities.ask_confirm" if a.left else "activities.ask_wait")


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    answer = True if ctx.word in _CONFIRM_WORDS else yes_or_no(ctx.msg.text)
    if answer is None:
        ctx.reask("activities.confirm_again")
        return
    activity_id = int(ctx.dialog.data["activity"])
    ctx.dialog.clear()
    if not answer:
        ctx.say("activities.not_signed")
        return
    await _sign_up(ctx, activity_id)


@router.handle(pattern(_SIGN_UP))
async def sign_up(ctx: Context) -> None:
    await _sign_up(ctx, int(ctx.data["match"].group(1)))


async def _sign_up(ctx: Context, activity_id: int) -> None:
    person = await ctx.person()
    await workflow.sign_up(activity_id, person, ctx.now())
    mine = await queries.signup_of(person, activity_id)
    assert mine is not None
    a = mine.activity
    if mine.status == SignupStatus.CONFIRMED:
        ctx.say(
            "activities.signed_up",
            title=a.title,
            when=queries.when(a),
            place=a.place,
            code=mine.code,
            number=a.number,
        )
    else:
        ctx.say("activities.waiting", title=a.title, position=mine.position or 1, number=a.number)


@router.handle(command("我的报名", "我的活动", "报名记录", "我报的活动", args=False))
async def mine(ctx: Context) -> None:
    found = await queries.my_signups(await ctx.person(), ctx.now())
    if not found:
        ctx.say("activities.no_signups")
        return
    lines = []
    for s in found:
        if s.status == SignupStatus.CONFIRMED:
            state_line = content.text("activities.my_confirmed", code=s.code)
        else:
            state_line = content.text("activities.my_waiting", position=s.position or 1)
        if s.attended:
            state_line = content.text("activities.my_attended")
        lines.append(
            content.text(
                "activities.my_line",
                number=s.activity.number,
                title=s.activity.title,
                when=queries.when(s.activity),
                place=s.activity.place,
                state=state_line,
            )
        )
    ctx.dialog.clear()
    ctx.say("activities.my_list", lines="\n\n".join(lines))


@router.handle(pattern(_CANCEL))
async def cancel(ctx: Context) -> None:
    said = ctx.data["match"].group(1)
    person = await ctx.person()
    if said is None:
        found = await queries.my_signups(person, ctx.now())
        if len(found) != 1:
            ctx.say("activities.cancel_which" if found else "activities.no_signups")
            return
        activity_id = found[0].activity.id
    else:
        activity_id = int(said)
    a = await queries.find(activity_id)
    await workflow.cancel(activity_id, person, ctx.now())
    ctx.dialog.clear()
    ctx.say("activities.cancelled_signup", title=a.title, number=a.number)


router.handle(intent("activity"), idle())(open_list)
