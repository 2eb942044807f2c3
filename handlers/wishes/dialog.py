"""The resident's side of wishes in the chat after posting one (post_dialog.py): my wishes, withdraw,
revise when asked to, confirm and thank, or say it is not done yet."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.common import formats
from handlers.common.answers import choose, is_skip
from handlers.common.pause import answers
from handlers.wishes import queries, workflow
from handlers.wishes.rules import NUMBER
from handlers.wishes.workflow import status_label
from nlp.slots import extract_choice
from nlp.tokenize import strip_punctuation

router = Router("wishes")

REVISE = "wish:revise"
RATE = "wish:rate"
THANKS = "wish:thanks"
STORY = "wish:story"
NOT_DONE_WHY = "wish:not_done_why"
# free text: what the resident writes there is the answer, not a new wish
answers(REVISE, THANKS, STORY, NOT_DONE_WHY)

_WITHDRAW = re.compile(rf"^\s*撤回(?:心愿)?\s*(?:{NUMBER})?\s*$", re.I)
_CONFIRM = re.compile(r"^\s*确认心愿\s*([1-5一二三四五])?\s*分?\s*(.*)$", re.S)
_NOT_DONE = re.compile(r"^\s*心愿(?:没|未)(?:有)?实现\s*(.*)$", re.S)
_STORY = {1: ("公开", "可以公开", "愿意", "行啊"), 2: ("不公开", "不要公开", "保密", "别公开", "不愿意")}
_RATING = {
    5: ("非常满意", "很满意", "满意", "特别好", "很好", "太好了", "五星", "满分"),
    4: ("比较满意", "挺好", "还不错", "不错", "四星"),
    3: ("一般", "还行", "凑合", "三星"),
    2: ("不太满意", "不大满意", "较差", "二星"),
    1: ("不满意", "很差", "太差了", "差", "一星"),
}


# -- my wishes, withdraw, revise ---------------------------------------------------------------------
@router.handle(intent("my_wishes"), idle())
async def my_wishes(ctx: Context) -> None:
    wishes = await queries.latest_of(await ctx.person(), 5)
    if not wishes:
        ctx.say("wishes.none_yet")
        return
    lines = [f"{w.number} {formats.clip(w.public_text, 16)}：{status_label(w.status)}" for w in wishes]
    ctx.say("wishes.mine", lines="\n".join(lines))


@router.handle(pattern(_WITHDRAW))
async def withdraw(ctx: Context) -> None:
    person = await ctx.person()
    number = ctx.data["match"].group(1)
    wish = await queries.withdrawable(person, int(number) if number else None)
    if wish is None:
        ctx.say("wishes.nothing_to_withdraw")
        return
    await workflow.move(wish.id, "withdraw", person, ctx.now())
    ctx.dialog.clear()
    ctx.say("wishes.withdrawn", number=wish.number)


@router.handle(command("修改心愿", "补充心愿", args=False))
async def revise(ctx: Context) -> None:
    wish = await queries.revisable(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_revise")
        return
    ctx.dialog.clear()
    ctx.dialog.set(REVISE, wish=wish.id)
    ctx.say(
        "wishes.ask_revise",
        number=wish.number,
        note=content.text("wishes.review_said", note=wish.review_note) if wish.review_note else "",
    )


@router.handle(state(REVISE), has_text())
async def revise_answer(ctx: Context) -> None:
    if len(strip_punctuation(ctx.msg.text)) < 4:
        ctx.reask("wishes.what_again")
        return
    wish = await workflow.revise(ctx.dialog.data["wish"], await ctx.person(), ctx.msg.text, ctx.now())
    ctx.dialog.clear()
    ctx.say("wishes.revised", number=wish.number)


# -- confirming a fulfilled wish ---------------------------------------------------------------------
@router.handle(pattern(_CONFIRM))
async def confirm_start(ctx: Context) -> None:
    match = ctx.data["match"]
    wish = await queries.awaiting_confirmation(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_confirm")
        return
    ctx.dialog.clear()
    ctx.dialog.set(RATE, wish=wish.id)
    if match.group(1):
        raw = match.group(1)
        ctx.dialog.update(rating=extract_choice(raw, 5), thanks=match.group(2).strip())
        _ask_story(ctx)
        return
    ctx.say("wishes.ask_rating", number=wish.number)


@router.handle(state(RATE), has_text())
async def rating_answer(ctx: Context) -> None:
    labels = ["1分", "2分", "3分", "4分", "5分"]
    choice = choose(ctx.msg.text, labels, synonyms=_RATING)
    if choice is None:
        ctx.reask("wishes.rating_again")
        return
    ctx.dialog.set(THANKS, rating=choice)
    ctx.say("wishes.ask_thanks")


@router.handle(state(THANKS), has_text())
async def thanks_answer(ctx: Context) -> None:
    ctx.dialog.update(thanks="" if is_skip(ctx.msg.text) else ctx.msg.text.strip()[:200])
    _ask_story(ctx)


def _ask_story(ctx: Context) -> None:
    ctx.dialog.set(STORY)
    ctx.say("wishes.ask_story")


@router.handle(state(STORY), has_text())
async def story_answer(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["可以", "不公开"], synonyms=_STORY, yes=1, no=2)
    if choice is None:
        ctx.reask("wishes.story_again")
        return
    data = ctx.dialog.data
    wish = await workflow.confirm(
        data["wish"],
        await ctx.person(),
        ctx.now(),
        rating=int(data["rating"]),
        thanks=data.get("thanks", ""),
        story_consent=choice == 1,
    )
    ctx.dialog.clear()
    ctx.say("wishes.confirmed", number=wish.number)


@router.handle(pattern(_NOT_DONE))
async def not_done(ctx: Context) -> None:
    match = ctx.data["match"]
    wish = await queries.awaiting_confirmation(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_confirm")
        return
    note = match.group(1).strip(" ，,。")
    ctx.dialog.clear()
    if not note:  # what follows is the explanation, not a new wish
        ctx.dialog.set(NOT_DONE_WHY, wish=wish.id, number=wish.number)
        ctx.say("wishes.not_done_why", number=wish.number)
        return
    await workflow.move(wish.id, "not_done", await ctx.person(), ctx.now(), note=note)
    ctx.say("wishes.not_done_noted", number=wish.number)


@router.handle(state(NOT_DONE_WHY), has_text())
async def not_done_why(ctx: Context) -> None:
    data = ctx.dialog.data
    note = ctx.msg.text.strip()
    await workflow.move(int(data["wish"]), "not_done", await ctx.person(), ctx.now(), note=note)
    ctx.dialog.clear()
    ctx.say("wishes.not_done_noted", number=data["number"])
