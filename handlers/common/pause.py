"""Changes of mind, once for every dialog: a clear new request in the middle of a dialog is answered, and
the dialog is set aside rather than lost ("刚才的报修还没提交，回复"继续"接着填写"); 继续 takes it up again
with its question asked again; 取消 leaves everything.

A request is told from an answer by the rules only (``ctx.asks_for``: a command, or a short message the
keyword rules decide), never by what the model reads into an answer. A step whose answer is free text
(a place, a description, a wish) declares it with ``answers(...)``: there the words of a request
(灯坏了, 陪老人) are the answer, and only the commands and lookups (我的报修, 帮助, 人工...) change course.
"""

from __future__ import annotations

from collections.abc import Iterable

import content
from bot.dispatcher import Context, Phase, Router, command

router = Router("common.pause")

# what may take a resident out of a step: every request but the words that are answers in any step
# (算了 is "no", 谢谢 is polite) and what has its own global handling (emergencies)
_NOT_REQUESTS = frozenset({"cancel", "greet", "thanks", "emergency", "out_of_scope"})
CONTENT = frozenset({"repair", "complaint", "wish", "vote", "propose", "service", "office_hours"})

_ANSWERS: dict[str, frozenset[str]] = {}


def answers(*states: str, intents: Iterable[str] = CONTENT) -> None:
    """Declare that in ``states`` a message the rules read as one of ``intents`` is an answer."""
    for name in states:
        _ANSWERS[name] = _ANSWERS.get(name, frozenset()) | frozenset(intents)


def _new_request(ctx: Context) -> bool:
    dialog = ctx.dialog
    if not dialog.open or not ctx.msg.has_text:
        return False
    wanted = ctx.intent
    if wanted is None or wanted in _NOT_REQUESTS or wanted in _ANSWERS.get(dialog.state or "", ()):
        return False
    return ctx.asks_for(wanted)


def offer_resume(ctx: Context) -> None:
    """Tell the resident a dialog is waiting, in its own words (刚才的报修还没提交...)."""
    paused = ctx.dialog.paused
    if not paused:
        return
    namespace = str(paused["state"]).split(":", 1)[0]
    kind = str(paused["data"].get("report") or namespace)  # a complaint is a repair's dialog
    for key in (f"common.paused.{kind}", f"common.paused.{namespace}", "common.paused.other"):
        if key in content.messages():
            ctx.say(key)
            return


async def set_aside(ctx: Context) -> None:
    """Pause the open dialog, answer the message as if none were open, then offer to go back."""
    ctx.dialog.pause()
    before = len(ctx.reply.parts)
    await ctx.dispatcher.feed(ctx)
    if not ctx.dialog.open:
        offer_resume(ctx)
    elif ctx.dialog.paused:  # the new request asks its own question: say so before it
        namespace = str(ctx.dialog.paused["state"]).split(":", 1)[0]
        ctx.reply.parts.insert(before, content.text("common.paused_meanwhile", what=_name(namespace)))


def _name(namespace: str) -> str:
    key = f"common.paused_name.{namespace}"
    return content.text(key) if key in content.messages() else content.text("common.paused_name.other")


@router.handle(_new_request, phase=Phase.DIALOG)
async def change_of_mind(ctx: Context) -> None:
    await set_aside(ctx)


_GO_ON = ("继续", "接着填", "接着填写", "继续填写")


@router.handle(command(*_GO_ON, args=False), lambda ctx: bool(ctx.dialog.paused))
async def resume(ctx: Context) -> None:
    ctx.dialog.resume()
    question = ctx.dialog.question
    if question:
        ctx.say_text(question)
    else:  # nothing recorded: the step's own handler will ask again on the next answer
        ctx.say("common.resumed")


@router.handle(command(*_GO_ON, args=False), lambda ctx: not ctx.dialog.paused and not ctx.dialog.open)
async def nothing_to_resume(ctx: Context) -> None:
    ctx.say("common.nothing_to_resume")
