"""Surveys without any transport: the committee or the street office launches one; residents answer it
(once per person, or once per household as consultations count households); on the clock, surveys close
and their results are published, and the standing quarterly survey is opened for every community.

Integrity: a slot per person or household, unique in the database, refuses a second answer however many
members of a household answer at once. The answers of an anonymous survey are stored apart from the slot,
with neither the person nor a time finer than the day. Counts exist nowhere until the close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import content
from handlers.common.rules import Refusal
from handlers.surveys import queries
from handlers.surveys.models import Per, QuestionKind, Survey, SurveyResponse, SurveySlot, SurveyStatus, Who
from handlers.surveys.queries import Question, SurveyView, view_of
from handlers.votes import queries as votes
from nlp.privacy import redact
from storage.models import Building, Community, Person
from storage.outbox import notify

S = SurveyStatus
MAX_QUESTIONS = 30
MAX_OPTIONS = 10
TEXT_LIMIT = 500
Answer = int | list[int] | str | None


@dataclass(frozen=True)
class LaunchSurvey:
    community: Community | int
    by: Person | None  # None: the clock (the standing quarterly survey)
    title: str
    questions: tuple[Question, ...]
    closes_at: dt.datetime
    intro: str = ""
    buildings: tuple[int, ...] = ()
    who: Who = Who.RESIDENTS
    per: Per = Per.PERSON
    anonymous: bool = True
    opens_at: dt.datetime | None = None  # None: now
    announce: bool = True  # tell everyone who may answer (through the outbox)


# -- launching -------------------------------------------------------------------------------------------
def _checked(questions: Sequence[Question]) -> list[dict[str, Any]]:
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise Refusal("surveys.questions_range", most=MAX_QUESTIONS)
    out = []
    for number, q in enumerate(questions, start=1):
        text = q.text.strip()[:200]
        options = [o.strip()[:32] for o in q.options if o.strip()]
        if len(text) < 2:
            raise Refusal("surveys.question_text", number=number)
        choice = q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if choice and (not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options)):
            raise Refusal("surveys.options_range", number=number, most=MAX_OPTIONS)
        kept = options if choice else []
        out.append({"kind": q.kind.value, "text": text, "options": kept, "topic": q.topic})
    return out


async def launch(cmd: LaunchSurvey, now: dt.datetime, standing_key: str | None = None) -> Survey:
    community_id = cmd.community if isinstance(cmd.community, int) else cmd.community.id
    if cmd.by is not None:
        await queries.require_overseer(cmd.by, community_id)
    if len(cmd.title.strip()) < 2:
        raise Refusal("surveys.title_needed")
    questions = _checked(cmd.questions)
    opens_at = cmd.opens_at or now
    if cmd.closes_at <= max(now, opens_at):
        raise Refusal("surveys.closes_in_the_past")
    numbers = sorted(set(cmd.buildings))
    known = set(
        await Building.filter(community_id=community_id, number__in=numbers).values_list("number", flat=True)
    )
    if missing := [n for n in numbers if n not in known]:
        raise Refusal("surveys.no_building", number=missing[0])
    async with in_transaction():
        survey = await Survey.create(
            community_id=community_id,
            title=cmd.title.strip()[:64],
            intro=cmd.intro.strip()[:2000],
            questions=questions,
            buildings=numbers,
            who=cmd.who,
            per=cmd.per,
            anonymous=cmd.anonymous,
            opens_at=opens_at,
            closes_at=cmd.closes_at,
            standing_key=standing_key,
            created_by=cmd.by,
            created_at=now,
        )
        if cmd.announce:
            await _announce(view_of(survey), now)
    return survey


async def _announce(s: SurveyView, now: dt.datetime) -> int:
    people = votes.eligible(s, await votes.residents_of(s.community_id))
    text = content.text("surveys.told_launched", title=s.title, count=len(s.questions))
    for person in people:
        await notify(
            person,
            f"survey:{s.id}:launched:{person.id}",
            text,
            now=now,
            template="service_update",
            template_data={"title": s.title, "status": content.text("surveys.status.open")},
        )
    return len(people)


# -- answering -------------------------------------------------------------------------------------------
def _in_range(q: Question, a: int) -> bool:
    """A score 1-5 for a rating, an option's index for a single choice."""
    if q.kind == QuestionKind.RATING:
        return 1 <= a <= 5
    return q.kind == QuestionKind.SINGLE and 0 <= a < len(q.options)


def checked_answers(s: SurveyView, answers: Sequence[Answer]) -> list[Answer]:
    """The answers in the order of the questions, each of its kind: Refusal naming the first wrong one."""
    if len(answers) != len(s.questions):
        raise Refusal("surveys.answers_count", count=len(s.questions))
    out: list[Answer] = []
    for number, (q, a) in enumerate(zip(s.questions, answers, strict=True), start=1):
        if q.kind == QuestionKind.TEXT:
            out.append(str(a or "").strip()[:TEXT_LIMIT])
        elif isinstance(a, int) and not isinstance(a, bool) and _in_range(q, a):
            out.append(a)
        elif (
            q.kind == QuestionKind.MULTIPLE
            and isinstance(a, list)
            and a
            and all(isinstance(i, int) and 0 <= i < len(q.options) for i in a)
        ):
            out.append(sorted(set(a)))
        else:
            raise Refusal("surveys.answer_invalid", number=number, text=q.text)
    return out


async def answer(
    survey_id: int, person: Person, answers: Sequence[Answer], now: dt.datetime, *, source_key: str
) -> SurveySlot:
    """Record the person's answers (for their household, when the survey counts households). The same
    ``source_key`` again is the answer it made; any other second answer is refused."""
    s = await queries.find(survey_id)
    place = await queries.place_of(person, s)
    refusal = queries.refusal_for(s, place, now)
    if refusal is not None:
        raise refusal
    given = checked_answers(s, answers)
    key = queries.slot_key(s, person, place)
    async with in_transaction():
        mine = await SurveySlot.filter(survey_id=s.id, holder=person).first()
        if mine is not None and mine.source_key == source_key:
            return mine  # the same delivery again
        if mine is not None and mine.key != key:
            raise Refusal("surveys.answered_for_another_home")
        try:
            async with in_transaction():  # a savepoint: losing the race undoes only this insert
                slot = await SurveySlot.create(
                    survey_id=s.id, key=key, holder=person, source_key=source_key, created_at=now
                )
        except IntegrityError:
            taken = await SurveySlot.get(survey_id=s.id, key=key)
            if taken.holder_id == person.id and taken.source_key == source_key:
                return taken
            raise Refusal(
                "surveys.already_answered" if taken.holder_id == person.id else "surveys.household_answered",
                title=s.title,
            ) from None
        await SurveyResponse.create(
            survey_id=s.id,
            person=None if s.anonymous else person,
            answers=given,
            submitted_on=now.date(),
        )
    return slot


# -- the close ---------------------------------------------------------------------------------------------
def tally(s: SurveyView, responses: Sequence[list[Answer]], eligible: int) -> dict[str, Any]:
    """The result as published: per question the counts per option (per score for a rating), the average
    rating, and the free-text answers with any personal data masked (they never carry names)."""
    questions = []
    for index, q in enumerate(s.questions):
        given = [r[index] for r in responses if index < len(r)]
        item: dict[str, Any] = {"kind": q.kind.value, "text": q.text, "topic": q.topic}
        item["options"] = list(q.options)
        if q.kind == QuestionKind.TEXT:
            texts = [redact(str(a)) for a in given if str(a or "").strip()]
            item |= {"answered": len(texts), "counts": [], "average": None, "texts": texts}
        elif q.kind == QuestionKind.RATING:
            scores = [int(a) for a in given if isinstance(a, int)]
            counts = [scores.count(n) for n in range(1, 6)]
            average = round(sum(scores) / len(scores), 2) if scores else None
            item |= {"answered": len(scores), "counts": counts, "average": average, "texts": []}
        else:
            picked = [a if isinstance(a, list) else [a] for a in given if a is not None]
            counts = [sum(1 for p in picked if i in p) for i in range(len(q.options))]
            item |= {"answered": len(picked), "counts": counts, "average": None, "texts": []}
        questions.append(item)
    return {"eligible": eligible, "responses": len(responses), "questions": questions}


async def close(survey: Survey, now: dt.datetime) -> Survey | None:
    """Count, publish and tell those who answered; None when another worker closed it first."""
    s = view_of(survey)
    rows = await SurveyResponse.filter(survey_id=s.id).order_by("id").values_list("answers", flat=True)
    result = tally(s, [list(r) for r in rows], await queries.electorate(s))
    async with in_transaction():
        if not await Survey.filter(id=s.id, status=S.OPEN).update(
            status=S.CLOSED, closed_at=now, result=result
        ):
            return None
        text = content.text("surveys.told_result", title=s.title, responses=len(rows))
        for person in await Person.filter(survey_slots__survey_id=s.id).distinct():
            await notify(person, f"survey:{s.id}:result:{person.id}", text, now=now)
    return await Survey.get(id=s.id)


async def sweep(now: dt.datetime) -> int:
    """The periodic round: open this quarter's standing survey where it is missing, then close and
    publish every survey whose time is up. Returns how many were closed."""
    await open_quarterly(now)
    closed = 0
    for survey in await Survey.filter(status=S.OPEN, closes_at__lte=now):
        if await close(survey, now) is not None:
            closed += 1
    return closed


# -- the standing quarterly survey ---------------------------------------------------------------------
def quarter_of(now: dt.datetime) -> tuple[int, int, dt.datetime]:
    """(year, quarter 1-4, the quarter's first moment) in the clock's time zone."""
    quarter = (now.month - 1) // 3 + 1
    start = now.replace(month=3 * quarter - 2, day=1, hour=0, minute=0, second=0, microsecond=0)
    return now.year, quarter, start


async def open_quarterly(now: dt.datetime) -> int:
    """This quarter's standing survey (content/surveys/quarterly.yaml) for every community that has not
    got it, while the quarter's answering days last; once each, whichever worker is first."""
    spec = content.load_yaml("surveys/quarterly.yaml")
    year, quarter, start = quarter_of(now)
    closes_at = (start + dt.timedelta(days=int(spec["open_days"]) - 1)).replace(hour=20)
    if now >= closes_at:
        return 0
    label = f"{year}Q{quarter}"
    have = set(
        await Survey.filter(standing_key__startswith=f"{queries.QUARTERLY}{label}:").values_list(
            "community_id", flat=True
        )
    )
    opened = 0
    communities: list[Any] = await Community.all().order_by("id").values_list("id", flat=True)
    for community_id in communities:
        if community_id in have:
            continue
        cmd = LaunchSurvey(
            community=int(community_id),
            by=None,
            title=str(spec["title"]).format(year=year, quarter=quarter),
            intro=str(spec.get("intro") or ""),
            questions=queries.questions_of(spec["questions"]),
            closes_at=closes_at,
            per=Per(spec.get("per", "person")),
            anonymous=bool(spec.get("anonymous", True)),
            opens_at=max(start, now - dt.timedelta(minutes=1)),
            announce=bool(spec.get("announce", True)),
        )
        try:
            await launch(cmd, now, standing_key=f"{queries.QUARTERLY}{label}:{community_id}")
            opened += 1
        except IntegrityError:
            pass  # another worker opened it meanwhile
    return opened
