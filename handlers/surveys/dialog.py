"""The chat side of surveys: "满意度调查" / "问卷" lists what is open to the resident, a number starts one,
then the questions come one at a time (a score, an option, several, or free words, in the everyday
answers' vocabulary); the answers go in after the last. "问卷结果" shows the latest published result."""

from __future__ import annotations

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, state
from handlers.common import formats
from handlers.common.answers import choose, is_skip, ordinal
from handlers.common.pause import CONTENT, answers
from handlers.residents.dialog import require_home
from handlers.surveys import queries, workflow
from handlers.surveys.queries import Per, Question, QuestionKind, SurveyView
from handlers.votes.dialog import read_choices

router = Router("surveys")

PICK = "idle:survey:pick"
ANSWER = "survey:answer"
answers(ANSWER, intents=CONTENT | {"survey", "activity"})  # "物业还行吧" is an answer here, not a complaint

_SCORES = ("很不满意", "不满意", "一般", "满意", "非常满意")
_SCORE_WORDS = {
    1: ("很差", "非常不满意", "特别不满意", "太差了", "差评", "一星", "1星", "一分"),
    2: ("不太满意", "较差", "差", "不好", "两星", "2星"),
    3: ("还行", "凑合", "一般般", "马马虎虎", "中等", "还可以", "三星", "3星"),
    4: ("比较满意", "挺好", "不错", "好", "较好", "四星", "4星"),
    5: ("很满意", "特别满意", "太好了", "很好", "非常好", "五星", "5星", "满分", "好评"),
}


async def open_list(ctx: Context) -> None:
    """满意度调查 / 问卷 / 测评."""
    if await require_home(ctx, then="survey") is None:
        return
    found = await queries.open_to(await ctx.person(), ctx.now())
    if not found:
        ctx.say("surveys.none_open")
        return
    lines = []
    for i, (s, done) in enumerate(found, start=1):
        mark = content.text("surveys.answered_mark") if done else ""
        lines.append(
            f"{i} "
            + content.text("surveys.list_line", title=s.title, count=len(s.questions), close=_close(s))
            + mark
        )
    ctx.dialog.clear()
    ctx.dialog.set(PICK, ids=[s.id for s, _ in found], titles=[s.title for s, _ in found])
    ctx.say("surveys.open_list", lines="\n".join(lines))


def _close(s: SurveyView) -> str:
    return content.text("surveys.closes", day=formats.day(s.closes_at.date(), weekday=False))


def _picked(ctx: Context) -> dict[str, int] | bool:
    titles = list(ctx.dialog.data.get("titles") or [])
    choice = choose(ctx.msg.text, titles, loose=False) if titles else None
    return {"picked": choice} if choice else False


@router.handle(state(PICK), has_text(), _picked)
async def pick(ctx: Context) -> None:
    s = await queries.find(ctx.dialog.data["ids"][ctx.data["picked"] - 1])
    person = await ctx.person()
    refusal = queries.refusal_for(s, await queries.place_of(person, s), ctx.now())
    if refusal is not None:
        raise refusal
    if await queries.answered(person, s):
        ctx.dialog.clear()
        ctx.say(
            "surveys.household_answered" if s.per == Per.HOUSEHOLD else "surveys.already_answered",
            title=s.title,
        )
        return
    ctx.dialog.clear()
    ctx.dialog.set(ANSWER, survey=s.id, given=[])
    note = content.text("surveys.anonymous_note" if s.anonymous else "surveys.named_note")
    ctx.say("surveys.start", title=s.title, intro=s.intro, count=len(s.questions), note=note)
    _ask(ctx, s, 0)


def _ask(ctx: Context, s: SurveyView, index: int) -> None:
    q = s.questions[index]
    ctx.say("surveys.question", number=index + 1, count=len(s.questions), text=q.text, how=_how(q))


def _how(q: Question) -> str:
    if q.kind == QuestionKind.RATING:
        return content.text("surveys.how_rating", options=content.numbered(list(_SCORES)))
    if q.kind == QuestionKind.SINGLE:
        return content.numbered(list(q.options))
    if q.kind == QuestionKind.MULTIPLE:
        return content.numbered(list(q.options)) + "\n" + content.text("surveys.how_multiple")
    return content.text("surveys.how_text")


def read_answer(q: Question, text: str) -> workflow.Answer | None:
    """The answer to ``q`` in the resident's words, as the workflow takes it; None when it is not one."""
    if q.kind == QuestionKind.TEXT:
        return "" if is_skip(text) else text.strip()[: workflow.TEXT_LIMIT]
    if q.kind == QuestionKind.RATING:
        found = ordinal(text, 5) or choose(text, list(_SCORES), synonyms=_SCORE_WORDS)
        return found
    if q.kind == QuestionKind.SINGLE:
        picked = choose(text, list(q.options))
        return picked - 1 if picked is not None else None
    many = read_choices(text, list(q.options))
    return sorted(set(many)) if many else None


@router.handle(state(ANSWER), has_text())
async def answer(ctx: Context) -> None:
    s = await queries.find(int(ctx.dialog.data["survey"]))
    given: list[workflow.Answer] = list(ctx.dialog.data.get("given") or [])
    q = s.questions[len(given)]
    found = read_answer(q, ctx.msg.text)
    if found is None:
        ctx.reask("surveys.answer_again", how=_how(q))
        return
    given.append(found)
    if len(given) < len(s.questions):
        ctx.dialog.update(given=given)
        _ask(ctx, s, len(given))
        return
    ctx.dialog.clear()
    await workflow.answer(s.id, await ctx.person(), given, ctx.now(), source_key=f"chat:{ctx.msg.dedup_key}")
    ctx.say("surveys.thanks", title=s.title, when=formats.day(s.closes_at.date(), weekday=False))


@router.handle(command("问卷结果", "调查结果", "测评结果", "满意度结果", args=False), idle())
async def result(ctx: Context) -> None:
    s = await queries.latest_result((await ctx.person()).community_id)
    if s is None or s.result is None:
        ctx.say("surveys.no_results")
        return
    lines = []
    for q in s.result.questions:
        if q.kind == QuestionKind.RATING:
            lines.append(queries.rating_line(q))
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = "，".join(f"{o} {n}" for o, n in zip(q.options, q.counts, strict=True))
            lines.append(content.text("surveys.result_choice", text=q.text, counts=counts))
        else:
            lines.append(content.text("surveys.result_text", text=q.text, count=len(q.texts)))
    ctx.say(
        "surveys.results",
        title=s.title,
        responses=s.result.responses,
        eligible=s.result.eligible,
        lines="\n".join(lines),
    )


@router.handle(command("问卷进度", "问卷情况", "测评进度", args=False), idle())
async def progress(ctx: Context) -> None:
    """For the committee and the street office: how many have answered each open survey (never what)."""
    found = await queries.running(await ctx.person())
    if not found:
        ctx.say("surveys.none_running")
        return
    lines = [
        content.text(
            "surveys.progress_line", title=s.title, answered=answered, eligible=eligible, close=_close(s)
        )
        for s, answered, eligible in found
    ]
    ctx.say("surveys.progress", lines="\n".join(lines))


router.handle(intent("survey"), idle())(open_list)
