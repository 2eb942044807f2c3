"""Changes of mind, once for every dialog: a clear new request in the middle of a dialog is answered, and
the dialog is set aside rather than lost ("刚才的报修还没提交，回复"继续"接着填写"); 继续 takes it up again
with its question asked again; 取消 leaves everything.

A request is told from an answer by the rules (``ctx.asks_for``: a command, or a short message the
keyword rules decide), not by what the model reads into an answer. A step whose answer is free text
(a place, a description, a wish) declares it with ``answers(...)``: there the words of a request
(灯坏了, 陪老人) are the answer, and only the commands and lookups (我的报修, 帮助, 人工...) change course.
A step that takes no words but a few (a photo or 跳过) declares it with ``closed(...)``: there a message
the model is sure of (``SURE``) is a request too ("社区最近有啥活动没" while a photo is asked for), unless
it is a yes, a no or a skip, or of an intent the step takes as an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import content
from bot.dispatcher import Context, Phase, Router, command
from handlers.common.answers import first_part, is_skip, yes_or_no

router = Router("common.pause")

# what may take a resident out of a step: every request but the words that are answers in any step
# (算了 is "no", 谢谢 is polite) and what has its own global handling (emergencies)
_NOT_REQUESTS = frozenset({"cancel", "greet", "thanks", "emergency", "out_of_scope"})
CONTENT = frozenset({"repair", "complaint", "wish", "vote", "propose", "service", "office_hours"})

_ANSWERS: dict[str, frozenset[str]] = {}
_QUESTIONS: set[str] = set()  # steps where a question about a service is a request, whatever else it is
# a question, not a statement: "社区有没有托管的地方", "失业金怎么领", "能送上门吗"
_A_QUESTION = re.compile(
    r"[吗?？]|怎么|咋|哪里|哪儿|在哪|多少|能不能|可不可以|有没有|有无|什么时候|几点|几年级"
)
# a home named mid-dialog is a move only with words of binding or moving
MOVING = re.compile(r"绑定|绑|更换|搬|换(?:个|一个)?(?:地址|住址|房子|家)|改(?:地址|住址)|新家")
# said last, what lets the open dialog go
_LETS_GO = re.compile(r"(?:不报了|不弄了|不修了|不办了|不用了|不要了|算了吧?|取消吧?)\W*$")
# a question about the report being made, asked at one of its steps
_OF_THE_REPORT = re.compile(r"拍|照片|相片|图片|提交|跳过")
_BY_THE_WAY = re.compile(r"^(?:哦|噢|啊)?对了[啊呀哦]?$")
# the consultation named by its vote, not asked about ("等下 东门充电棚那个是要投票吧 我家还没投", "改票，改做
# 不同意"): a request for the vote wherever it comes, when the model reads a vote too; a bare 投 or 票 is not
_OF_THE_VOTE = re.compile(r"(?<![过了刚])投票|改票|票投|还没投")
# "投票的事那就算了，心愿接着发", "…我家还没投，等我老公晚上回来跟他商量了再投"
_VOTE_PUT_OFF = re.compile(r"算了|不投|先不|不用|再说|回头|以后|再投|商量")
SURE_VOTE = 0.9
SURE_QUESTION = 0.6  # how sure the model must be that such a question is about a service
_CLOSED: dict[str, re.Pattern[str] | None] = {}  # a closed step, and the words about its own question
SURE = 0.9  # how sure the model must be that a message in a closed step is a request


def answers(*states: str, intents: Iterable[str] = CONTENT) -> None:
    """Declare that in ``states`` a message the rules read as one of ``intents`` is an answer."""
    for name in states:
        _ANSWERS[name] = _ANSWERS.get(name, frozenset()) | frozenset(intents)


def takes_words(state: str | None) -> bool:
    """The step's answer is free text (a place, a description, a message for staff)."""
    return bool(state) and state in _ANSWERS


# steps that can tell their own answer in a message that also says something else: a danger asked about in
# passing is no emergency there ("电瓶车扎堆充电，着火了咋办？…我选第二个" at a vote's options)
_ANSWERED_BY: dict[str, Callable[[Mapping[str, Any], str], bool]] = {}


def answered_by(state: str, reader: Callable[[Mapping[str, Any], str], bool]) -> None:
    """Declare that in ``state``, ``reader(dialog data, text)`` tells whether a message answers the step."""
    _ANSWERED_BY[state] = reader


def answers_step(state: str | None, data: Mapping[str, Any], text: str) -> bool:
    reader = _ANSWERED_BY.get(state or "")
    return reader is not None and reader(data, text)


# steps that can tell a message speaks of what they ask, though it may not answer it: an option of a vote
# named with a worry ("不同意，着火了怎么办？")
_SPOKEN_OF_BY: dict[str, Callable[[Mapping[str, Any], str], bool]] = {}


def spoken_of_by(state: str, reader: Callable[[Mapping[str, Any], str], bool]) -> None:
    """Declare that in ``state``, ``reader(dialog data, text)`` tells whether a message speaks of the step."""
    _SPOKEN_OF_BY[state] = reader


def speaks_of_step(state: str | None, data: Mapping[str, Any], text: str) -> bool:
    reader = _SPOKEN_OF_BY.get(state or "")
    return answers_step(state, data, text) or (reader is not None and reader(data, text))


def questions(*states: str) -> None:
    """Declare that in ``states`` a question the model takes for a service question is a request, though
    the step takes other words as answers ("社区有没有四点半课堂" at "是哪一类问题？"): it is answered and
    the step kept."""
    _QUESTIONS.update(states)


def closed(*states: str, about: str = "") -> None:
    """Declare that ``states`` take no words but a few (a photo or 跳过, say): there a message the model is
    sure is a request changes course as a rule's would, unless it has words ``about`` (a regular
    expression) the step's own question ("这个怎么拍" while a photo is asked for)."""
    for name in states:
        _CLOSED[name] = re.compile(about) if about else None


def _new_request(ctx: Context) -> bool:
    dialog = ctx.dialog
    if not dialog.open or not ctx.msg.has_text:
        return False
    wanted = ctx.intent
    if wanted == "service" and _service_question(ctx):
        return True
    if wanted is None or wanted in _NOT_REQUESTS or wanted in _ANSWERS.get(dialog.state or "", ()):
        return False
    if _LETS_GO.search(ctx.msg.text):
        return False  # "师傅已经在修了 那不报了 算了": the step's own way out, not a new request
    if wanted == "bind" and not MOVING.search(ctx.msg.text):
        return False  # "对 3栋3单元 不是我家那栋": a place in an answer, not a move
    return ctx.asks_for(wanted) or _sure_in_closed_step(ctx) or _of_the_vote(ctx)


def _of_the_vote(ctx: Context) -> bool:
    found, text = ctx.classification, ctx.msg.text
    if ctx.intent != "vote" or found.source != "model" or found.probability < SURE_VOTE:
        return False
    if _A_QUESTION.search(text) or yes_or_no(first_part(text)) is not None:
        return False  # "是的。哦，顺便问一下，…投票哪天截止？": the step's answer, and a question in passing
    return bool(_OF_THE_VOTE.search(text)) and not _VOTE_PUT_OFF.search(text)


def _service_question(ctx: Context) -> bool:
    found = ctx.classification
    if ctx.dialog.state not in _QUESTIONS or not _A_QUESTION.search(ctx.msg.text):
        return False
    if _OF_THE_REPORT.search(ctx.msg.text):  # "可以不拍吗？那就不拍了": about the report, not a service
        return False
    first = first_part(ctx.msg.text)
    answered = yes_or_no(first) is not None and not _BY_THE_WAY.match(first)  # "对了 …" is "by the way"
    if len(first) < len(ctx.msg.text.strip()) and answered:
        return False  # "对 顺便问下物业费在哪交": the step's answer first, the question a remark
    return found.source != "model" or found.probability >= SURE_QUESTION


def _sure_in_closed_step(ctx: Context) -> bool:
    found, step = ctx.classification, ctx.dialog.state or ""
    if step not in _CLOSED or found.source != "model" or found.probability < SURE:
        return False
    text, about = ctx.msg.text, _CLOSED[step]
    if about is not None and about.search(text):
        return False
    # "跳过 你们晚上来看就知道了": skipped first, then a remark
    return yes_or_no(text) is None and not is_skip(text) and not is_skip(first_part(text))


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


def _name(namespace: str) -> str:
    key = f"common.paused_name.{namespace}"
    return content.text(key) if key in content.messages() else content.text("common.paused_name.other")


@router.handle(_new_request, phase=Phase.DIALOG)
async def change_of_mind(ctx: Context) -> None:
    step = ctx.dialog.state
    await set_aside(ctx, back=step in _QUESTIONS and ctx.intent == "service")


async def set_aside(ctx: Context, *, back: bool = False) -> None:
    """Pause the open dialog, answer the message as if none were open, then offer to go back; ``back``
    (a question answered at a step that keeps its form): straight back to the step, its question asked
    again, when the answer opened nothing of its own."""
    ctx.dialog.pause()
    before = len(ctx.reply.parts)
    await ctx.dispatcher.feed(ctx)
    if not ctx.dialog.open and back and ctx.dialog.resume():
        question = ctx.dialog.question
        if question:
            ctx.say("common.back_to_step")
            ctx.say_text(question)
        return
    if not ctx.dialog.open:
        offer_resume(ctx)
    elif ctx.dialog.paused:  # the new request asks its own question: say so before it
        namespace = str(ctx.dialog.paused["state"]).split(":", 1)[0]
        ctx.reply.parts.insert(before, content.text("common.paused_meanwhile", what=_name(namespace)))


_GO_ON = ("继续", "接着填", "接着填写", "继续填写")


@router.handle(command(*_GO_ON, args=False), lambda ctx: bool(ctx.dialog.paused))
async def resume(ctx: Context) -> None:
    ctx.dialog.resume()
    question = ctx.dialog.question
    if question:
        ctx.say_text(question)
    else:  # nothing recorded: the step's own handler will ask again on the next answer
        ctx.say("common.resumed")


@router.handle(
    lambda ctx: ctx.msg.has_text and bool(ctx.dialog.paused) and not ctx.dialog.open,
    lambda ctx: yes_or_no(ctx.msg.text) is True and not _A_QUESTION.search(ctx.msg.text),
    phase=Phase.COMMAND,
)
async def resume_on_yes(ctx: Context) -> None:
    """A plain yes (行, 好的) right after "回复"继续"接着填写": the resident means to go on ("对了 社区有老年
    食堂吗" is a question, not a yes)."""
    await resume(ctx)


@router.handle(command(*_GO_ON, args=False), lambda ctx: not ctx.dialog.paused and not ctx.dialog.open)
async def nothing_to_resume(ctx: Context) -> None:
    ctx.say("common.nothing_to_resume")
