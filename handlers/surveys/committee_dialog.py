"""The committee's and the street office's side of surveys in the chat: 发起问卷 (a title, then one question
per message in a short form: "打分：物业服务", "单选：常参加活动吗？经常/偶尔/从不", "多选：…？…/…",
"问答：意见建议", then one answer per person or household and the close), and 问卷进度 (in ``dialog``).
The whole community takes part and answers are anonymous; buildings, owners only or named answers are the
API's (``POST /communities/{c}/surveys``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, state
from handlers.common import formats
from handlers.common.answers import choose, is_any, yes_or_no
from handlers.common.pause import CONTENT, answers
from handlers.common.rules import Refusal
from handlers.surveys import queries, workflow
from handlers.surveys.queries import Per, Question, QuestionKind
from nlp.slots import extract_date

router = Router("surveys.committee")

TITLE = "survey_new:title"
QUESTIONS = "survey_new:questions"
PER = "survey_new:per"
CLOSES = "survey_new:closes"
CONFIRM = "survey_new:confirm"
answers(TITLE, QUESTIONS, intents=CONTENT | {"survey", "activity"})

CLOSING_HOUR = 20
_KINDS = {
    "打分": QuestionKind.RATING,
    "评分": QuestionKind.RATING,
    "满意度": QuestionKind.RATING,
    "单选": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "问答": QuestionKind.TEXT,
    "填空": QuestionKind.TEXT,
    "文字": QuestionKind.TEXT,
}
_FORM = re.compile(r"^\s*(" + "|".join(_KINDS) + r")(?:题)?\s*[:：]\s*(.+)$", re.S)
_OPTIONS_AT = re.compile(r"[？?：:]")
_SPLIT = re.compile(r"\s*[/／、|，,；;]\s*")
_DONE = ("完成", "出完了", "好了", "就这些", "没有了", "结束")
_PER_WORDS = {
    1: ("一人一份", "每人一份", "按人", "每人"),
    2: ("一户一份", "每户一份", "按户", "每户", "一家一份"),
}


def read_question(text: str) -> Question | None:
    """ "打分：物业服务", "单选：常参加活动吗？经常/偶尔/从不" -> the question; None when it is not one."""
    found = _FORM.match(text)
    if found is None:
        return None
    kind, rest = _KINDS[found.group(1)], found.group(2).strip()
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return Question(kind, rest[:200]) if len(rest) >= 2 else None
    marks = list(_OPTIONS_AT.finditer(rest))
    if not marks:
        return None
    at = marks[-1]
    options = tuple(o for o in _SPLIT.split(rest[at.end() :].strip()) if o)
    title = rest[: at.start()] + ("？" if at.group(0) in "？?" else "")
    if len(title) < 2 or not 2 <= len(options) <= workflow.MAX_OPTIONS or len(set(options)) != len(options):
        return None
    return Question(kind, title[:200], options)


def _draft(ctx: Context) -> dict[str, Any]:
    found = ctx.dialog.data.get("draft")
    if not isinstance(found, dict):
        raise Refusal("surveys.new.expired")
    return found


def _questions(draft: dict[str, Any]) -> tuple[Question, ...]:
    return queries.questions_of(list(draft.get("questions") or []))


@router.handle(command("发起问卷", "发起调查", "发起测评", "新建问卷", args=False), idle())
async def start(ctx: Context) -> None:
    person = await ctx.person()
    if person.community_id is None:
        raise Refusal("surveys.staff_only")
    await queries.require_overseer(person, person.community_id)
    ctx.dialog.clear()
    ctx.dialog.set(TITLE, draft={"community": person.community_id, "questions": []})
    ctx.say("surveys.new.ask_title")


@router.handle(state(TITLE), has_text())
async def title(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if not 2 <= len(text) <= 64:
        ctx.reask("surveys.new.title_again")
        return
    ctx.dialog.set(QUESTIONS, draft=_draft(ctx) | {"title": text})
    ctx.say("surveys.new.ask_questions")


@router.handle(state(QUESTIONS), has_text())
async def question(ctx: Context) -> None:
    draft = _draft(ctx)
    asked = list(draft.get("questions") or [])
    if ctx.word in _DONE:
        if not asked:
            ctx.reask("surveys.new.need_a_question")
            return
        ctx.dialog.set(PER, draft=draft)
        ctx.say("surveys.new.ask_per", options=content.numbered(_per_labels()))
        return
    found = read_question(ctx.msg.text)
    if found is None:
        ctx.reask("surveys.new.question_again")
        return
    if len(asked) >= workflow.MAX_QUESTIONS:
        ctx.reask("surveys.questions_range", most=workflow.MAX_QUESTIONS)
        return
    asked.append({"kind": found.kind.value, "text": found.text, "options": list(found.options), "topic": ""})
    ctx.dialog.set(QUESTIONS, draft=draft | {"questions": asked})
    ctx.say("surveys.new.question_added", number=len(asked), text=found.text)


def _per_labels() -> list[str]:
    return [content.text("surveys.new.per_person"), content.text("surveys.new.per_household")]


@router.handle(state(PER), has_text())
async def per(ctx: Context) -> None:
    labels = _per_labels()
    if is_any(ctx.msg.text):
        ctx.say("common.took_default", value=labels[0])
        choice: int | None = 1
    else:
        choice = choose(ctx.msg.text, labels, synonyms=_PER_WORDS)
    if choice is None:
        ctx.reask("surveys.new.per_again", options=content.numbered(labels))
        return
    value = Per.PERSON if choice == 1 else Per.HOUSEHOLD
    ctx.dialog.set(CLOSES, draft=_draft(ctx) | {"per": value.value})
    ctx.say("surveys.new.ask_closes")


@router.handle(state(CLOSES), has_text())
async def closes(ctx: Context) -> None:
    day = extract_date(ctx.msg.text, ctx.now().date())
    if day is None:
        ctx.reask("surveys.new.closes_again")
        return
    at = dt.datetime.combine(day, dt.time(CLOSING_HOUR), tzinfo=ctx.now().tzinfo)
    if at <= ctx.now():
        ctx.reask("surveys.new.closes_again")
        return
    draft = _draft(ctx) | {"closes": at.isoformat()}
    ctx.dialog.set(CONFIRM, draft=draft)
    lines = [f"{i}. {_describe(q)}" for i, q in enumerate(_questions(draft), start=1)]
    ctx.say(
        "surveys.new.confirm",
        title=draft["title"],
        questions="\n".join(lines),
        per=_per_labels()[0 if draft["per"] == Per.PERSON.value else 1],
        closes=formats.day_time(at),
    )


def _describe(q: Question) -> str:
    kind = content.text(f"surveys.new.kind.{q.kind.value}")
    options = f"（{'/'.join(q.options)}）" if q.options else ""
    return f"[{kind}] {q.text}{options}"


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    answer = True if ctx.word in ("发起", "发布", "发吧") else yes_or_no(ctx.msg.text)
    if answer is None:
        ctx.reask("surveys.new.confirm_again")
        return
    draft = _draft(ctx)
    ctx.dialog.clear()
    if not answer:
        ctx.say("surveys.new.dropped")
        return
    made = await workflow.launch(
        workflow.LaunchSurvey(
            community=int(draft["community"]),
            by=await ctx.person(),
            title=str(draft["title"]),
            questions=_questions(draft),
            closes_at=dt.datetime.fromisoformat(draft["closes"]),
            per=Per(draft["per"]),
        ),
        ctx.now(),
    )
    s = await queries.find(made.id)
    ctx.say("surveys.new.launched", title=s.title, number=s.number)
