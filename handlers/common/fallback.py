"""The last router: menu and 'did you mean' picks, greetings, and a kind answer to anything else."""

from __future__ import annotations

import re

from bot.dispatcher import Context, Phase, Router, has_text, idle, intent, kind, pattern, state
from bot.messages import Kind
from handlers.common import lookup
from handlers.common.answers import choose, is_ack
from handlers.common.menu import CHOOSE_STATE, MENU_STATE, offer_choices, show_menu
from handlers.common.pause import MOVING
from handlers.common.staff_messages import HUMAN_STATE, leave_message, start_human

router = Router("common.fallback", last=True)
# "你是机器人啊还是真人": a question about the account; "不要机器人 我要找真人" asks for a person
_BOT_OR_PERSON = re.compile(r"是(?:不是)?(?:机器人|真人)(?:吗|嘛|啊|呀|还是)|机器人还是|是人还是|自动回复吗")
# nothing for staff after all: the whole answer dismisses, or goes on to say the resident was only looking
_LOOKING = r"[\W了啦哈的没事]*(?:$|我?(?:就|只)是?(?:看看|试试|随便|测试))"
_NOTHING_TO_SAY = re.compile(r"^\W*(?:没事|没什么事|没啥事|不用了|没有了|算了)" + _LOOKING)
_JUST_LOOKING = re.compile(r"^\W*(?:没事|没什么事|没啥事)" + _LOOKING)  # with nothing asked: a kind word


def _picked(ctx: Context) -> dict[str, str] | bool:
    options = list(ctx.dialog.data.get("options") or [])
    if not options or not ctx.msg.has_text:
        return False
    labels = [ctx.services.classifier.label(name) for name in options]
    # "2", "第二个", "投诉", "投诉那个": the menu is idle, so a sentence is a new request, not a pick
    choice = choose(ctx.msg.text, labels, loose=False)
    return {"picked": options[choice - 1]} if choice else False


# a pick at "did you mean" takes up the words offered: "楼道里堆满纸箱" then "投诉" is not asked again
_TAKES_WORDS = frozenset({"repair", "complaint", "wish", "service"})


@router.handle(state(MENU_STATE, CHOOSE_STATE), _picked)
async def pick(ctx: Context) -> None:
    picked = ctx.data["picked"]
    said = str(ctx.dialog.data.get("said") or "") if picked in _TAKES_WORDS else ""
    if not await ctx.redirect(picked, said):
        show_menu(ctx)


def _one_of_the_offers(ctx: Context) -> bool:
    """At "您是想：1 微心愿 2 办事查询", more words that are one of the offers ("係呀 想揾个义工陪佢去")."""
    options = ctx.dialog.data.get("options") or ()
    return ctx.msg.has_text and ctx.intent in options and ctx.intent in _TAKES_WORDS


@router.handle(state(CHOOSE_STATE), _one_of_the_offers)
async def offer_taken_up(ctx: Context) -> None:
    """That request, in both messages' words: the first is not lost."""
    said = str(ctx.dialog.data.get("said") or "")
    await ctx.redirect(str(ctx.intent), f"{said}，{ctx.msg.text.strip()}" if said else ctx.msg.text)


def _nothing_open(ctx: Context) -> bool:
    # nothing asked but the menu: not an offer waiting for its yes or no ("不用了" answers it)
    return ctx.dialog.state in (None, MENU_STATE)


@router.handle(pattern(_JUST_LOOKING), _nothing_open)
async def nothing_to_say(ctx: Context) -> None:
    """ "没事 就是看看这个怎么用": a kind word, not a question handed to staff."""
    ctx.say("common.human_not_needed")


# the resident will ask in person or by phone after all: "好的 我自己打电话问"
_ASKS_THEMSELVES = re.compile(
    r"^\W*(?:好的?|行|嗯+|那)?\W*(?:那)?我(?:自己)?(?:再|直接)?(?:打电话|打过去|去问|过去问|当面|去社区|去居委会)"
    r"(?:问|说|问问|说说|问一下|吧|了|啊|哈|啦)*\W*$"
)


# "好 能用就行 今天没得事 谢谢": a short answer saying there is nothing after all
_NO_MATTER = re.compile(r"没(?:得|啥|什么)?事(?![故情儿件])")


def _no_matter(text: str) -> bool:
    return len(text) <= 20 and bool(_NO_MATTER.search(text))


@router.handle(state(HUMAN_STATE), has_text())
async def human_message(ctx: Context) -> None:
    text = ctx.msg.text
    if (
        _NOTHING_TO_SAY.search(text)
        or _ASKS_THEMSELVES.search(text)
        or ctx.asks_for("thanks")
        or _no_matter(text)
    ):
        ctx.dialog.clear()  # "没事没事 我就是看看这个怎么用的": no message for staff
        ctx.say("common.human_not_needed")
        return
    if is_ack(text):  # "好的" says what the message is not: it is still to come
        ctx.reask("common.human_needs_text")
        return
    await leave_message(ctx)


@router.handle(state(HUMAN_STATE))
async def human_needs_text(ctx: Context) -> None:
    ctx.reask("common.human_needs_text")


# trying the account out: "说有事可以在这上面找居委会 我先试试能不能用" (not "我想试试申请廉租房")
_TRYING_IT = re.compile(
    r"(?:试试|试一下|试一试|测试)(?:这个|看)?(?:能不能用|好不好用|管不管用|灵不灵|能用不)|测试(?:一下|下)?\W*$"
)


@router.handle(intent("human"))
async def human(ctx: Context) -> None:
    if _BOT_OR_PERSON.search(ctx.msg.text):  # "你是机器人啊还是真人在后面打字": asked, not asked for
        ctx.say("common.am_i_a_bot")
        return
    if _TRYING_IT.search(ctx.msg.text) and not ctx.asks_for("human"):
        ctx.say("common.it_works")
        return
    start_human(ctx)


@router.handle(intent("help"))
async def help_menu(ctx: Context) -> None:
    show_menu(ctx)


@router.handle(intent("cancel"))
async def cancel(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.say("common.nothing_to_cancel")


@router.handle(intent("greet"))
async def greet(ctx: Context) -> None:
    show_menu(ctx, "common.greet")


@router.handle(intent("chitchat"))
async def chitchat(ctx: Context) -> None:
    ctx.say("common.chitchat")


@router.handle(
    has_text(),
    lambda ctx: ctx.dialog.state in (None, MENU_STATE) and not ctx.dialog.paused,
    lambda ctx: is_ack(ctx.msg.text),
    phase=Phase.COMMAND,
)
async def acknowledged(ctx: Context) -> None:
    """ "好的", "没问题" when nothing was asked (after a ticket number, a notice): no request to guess at."""
    ctx.say("common.chitchat")


@router.handle(intent("thanks"))
async def thanks(ctx: Context) -> None:
    ctx.say("common.thanks")


@router.handle(lambda ctx: ctx.classification.ambiguous, phase=Phase.FALLBACK)
async def did_you_mean(ctx: Context) -> None:
    candidates = list(ctx.classification.candidates)
    # "我爸住5栋1单元 他们楼道堆满了…" from a resident with a home: a place, not a move
    moving = "bind" in candidates and len(candidates) == 2 and not MOVING.search(ctx.msg.text)
    if moving and (await ctx.person()).home_id is not None:
        other = next(c for c in candidates if c != "bind")
        if await ctx.redirect(other, ctx.msg.text):
            return
    # "我还在坐月子，能不能我老公帮我去办？" just after a card, when the catalog has something for it; or a
    # question the catalog surely answers
    if "service" in candidates:
        text = ctx.msg.text
        after_card = "services:" in str(ctx.dialog.state or "") and await lookup.catalog_finds(ctx, text)
        if (after_card or await lookup.catalog_knows(ctx, text)) and await ctx.redirect("service", text):
            return
    offer_choices(ctx, candidates)


@router.handle(kind(Kind.IMAGE, Kind.LOCATION), idle(), phase=Phase.FALLBACK)
async def media_without_dialog(ctx: Context) -> None:
    show_menu(ctx, "common.media_received")


@router.handle(lambda ctx: not idle()(ctx), phase=Phase.FALLBACK)
async def lost_in_dialog(ctx: Context) -> None:
    """A message the open step does not take (a photo where words are asked): the step's question again,
    nothing lost. A state no router knows (a dialog from an older version): never leave the resident stuck."""
    if ctx.dialog.state in ctx.dispatcher.known_states and not ctx.msg.has_text:
        ctx.reask("common.step_wants_words")
        if ctx.dialog.question:
            ctx.say_text(ctx.dialog.question)
        return
    ctx.dialog.clear()
    show_menu(ctx, "common.lost")


@router.handle(phase=Phase.FALLBACK)
async def not_understood(ctx: Context) -> None:
    # words the model cannot place that the catalog surely answers ("他下不了床，可不可以上门评残？")
    knows = ctx.msg.has_text and idle()(ctx) and await lookup.catalog_knows(ctx, ctx.msg.text)
    if knows and await ctx.redirect("service", ctx.msg.text):
        return
    show_menu(ctx, "common.not_understood")
    if ctx.msg.has_text:  # "我公公今年八十了" then "听说有补贴": the next words may finish it
        ctx.dialog.update(unclear=ctx.msg.text.strip()[:500])
