"""The residents' side of notices in the chat: "通知" / "公告" (or "最近有什么通知", "停水通知呢") lists the
recent ones for their home, a number shows one; "1" or "收到" answers a notice that asks for a receipt."""

from __future__ import annotations

import content
from bot.dispatcher import Context, Phase, Router, command, has_text, idle, intent, state
from handlers.common.answers import choose, is_received
from handlers.notices import queries, workflow
from handlers.notices.queries import NoticeView
from handlers.residents.dialog import require_home

router = Router("notices")
router.menu_entry("notices", order=65)

PICK = "idle:notices:pick"  # the list is shown: a new request is as welcome as a pick
RECEIPT = "idle:notices:receipt"  # a notice asking for a receipt is shown: "1" confirms it
_WORDS = (
    "通知",
    "公告",
    "通知公告",
    "公告通知",
    "社区通知",
    "最新通知",
    "最近通知",
    "查看通知",
    "看通知",
    "查通知",
)
_PASSED = "notices.no_receipt"  # set when a receipt word found nothing waiting: the message goes on


async def recent(ctx: Context) -> None:
    """The notices for the resident's home (and roles), newest first, numbered."""
    person = await ctx.person()
    if person.community_id is None and await require_home(ctx, then="notices") is None:
        return
    found = await queries.for_reader(person, ctx.now())
    if not found:
        ctx.say("notices.none")
        return
    mark = content.text("notices.awaiting_mark")
    lines = [
        content.text(
            "notices.list_line",
            n=i,
            heading=queries.heading(item.notice),
            day=queries.when(item.notice),
            mark=mark if item.awaiting_receipt else "",
        )
        for i, item in enumerate(found, start=1)
    ]
    ctx.dialog.clear()
    ctx.dialog.set(PICK, ids=[item.notice.id for item in found], titles=[item.notice.title for item in found])
    ctx.say("notices.list", lines="\n".join(lines))


router.handle(command(*_WORDS, args=False), idle())(recent)


def _picked(ctx: Context) -> dict[str, int] | bool:
    """A number or (a part of) a title from the list; anything else is a new request (the list is idle)."""
    titles = list(ctx.dialog.data.get("titles") or [])
    choice = choose(ctx.msg.text, titles, loose=False) if titles else None
    return {"picked": choice} if choice else False


@router.handle(state(PICK), has_text(), _picked)
async def pick(ctx: Context) -> None:
    person = await ctx.person()
    n = await queries.readable(person, ctx.dialog.data["ids"][ctx.data["picked"] - 1])
    show(ctx, n)
    ctx.dialog.clear()
    if n.id in {w.id for w in await queries.awaiting_receipt(person, ctx.now())}:
        ctx.say("notices.receipt_asked")
        ctx.dialog.set(RECEIPT, notice=n.id)


def show(ctx: Context, n: NoticeView) -> None:
    ctx.say("notices.shown", heading=queries.heading(n), day=queries.when(n), text=n.text)
    if n.link:
        ctx.say("notices.link_line", link=n.link)


# -- receipts --------------------------------------------------------------------------------------------
def _receipt_word(ctx: Context) -> bool:
    """收到, 知道了, 1 ...: "1" only outside any list (where it would be a pick), the words in any idle
    state; never again once nothing was found waiting (the message then goes on to the others)."""
    if not ctx.msg.has_text or ctx.data.get(_PASSED) or not is_received(ctx.msg.text):
        return False
    if ctx.word.isdigit():
        return ctx.dialog.state in (None, RECEIPT)
    return idle()(ctx) is True


@router.handle(_receipt_word, phase=Phase.COMMAND)
async def receipt(ctx: Context) -> None:
    person = await ctx.person()
    waiting = await queries.awaiting_receipt(person, ctx.now())
    if not waiting:
        # nothing asks for a receipt: the words mean what they would mean without notices
        ctx.data[_PASSED] = True
        ctx.handled_phase = None
        await ctx.dispatcher.feed(ctx)
        return
    shown = ctx.dialog.data.get("notice") if ctx.dialog.state == RECEIPT else None
    if ctx.dialog.state == RECEIPT:
        ctx.dialog.clear()
    one = shown if shown in {n.id for n in waiting} else None  # the notice just read, else all waiting
    confirmed = await workflow.confirm(person, ctx.word, ctx.now(), one)
    confirmed = confirmed or waiting[:1]  # given a moment ago through the mini-program
    if len(confirmed) == 1:
        ctx.say("notices.confirmed", title=confirmed[0].title)
    else:
        ctx.say("notices.confirmed_many", titles="\n".join(f"· {n.title}" for n in confirmed))


router.handle(intent("notices"), idle())(recent)
