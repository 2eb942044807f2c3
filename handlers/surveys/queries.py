"""Every read of surveys the chat, the API and the figures need: who may answer which (the households and
verified homes as consultations count them, ``handlers.votes.queries``), what is open to a person, lists,
the published results (sealed until the close), and ``quarterly_satisfaction`` for the figures.

A list is a constant number of statements whatever its length. The edges import no models: the enums
they need are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.surveys.models import Per, QuestionKind, Survey, SurveySlot, SurveyStatus, Who
from handlers.votes import queries as votes
from handlers.votes.queries import VoterPlace
from storage.models import OVERSEERS, Community, Person
from storage.pages import PageSlice, page_slice
from storage.roles import roles_of

__all__ = ["Per", "QuestionKind", "SurveyStatus", "Who"]

S = SurveyStatus
QUARTERLY = "quarterly:"  # the standing survey's key prefix


@dataclass(frozen=True)
class Question:
    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()
    topic: str = ""  # the figures' grouping of ratings: property, committee


@dataclass(frozen=True)
class QuestionResult:
    kind: QuestionKind
    text: str
    topic: str
    answered: int
    options: tuple[str, ...]
    counts: tuple[int, ...]  # per option; per score 1-5 for a rating
    average: float | None  # ratings only
    texts: tuple[str, ...]  # free text, without names


@dataclass(frozen=True)
class SurveyResult:
    eligible: int
    responses: int
    questions: tuple[QuestionResult, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SurveyResult:
        return cls(
            eligible=int(data["eligible"]),
            responses=int(data["responses"]),
            questions=tuple(
                QuestionResult(
                    kind=QuestionKind(q["kind"]),
                    text=str(q["text"]),
                    topic=str(q.get("topic", "")),
                    answered=int(q["answered"]),
                    options=tuple(q.get("options") or ()),
                    counts=tuple(int(n) for n in q.get("counts") or ()),
                    average=q.get("average"),
                    texts=tuple(q.get("texts") or ()),
                )
                for q in data["questions"]
            ),
        )


@dataclass(frozen=True)
class SurveyView:
    id: int
    number: str
    community_id: int
    title: str
    intro: str
    questions: tuple[Question, ...]
    buildings: tuple[int, ...]
    who: Who
    per: Per
    anonymous: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: SurveyStatus
    standing: bool  # the standing quarterly survey
    result: SurveyResult | None  # only once closed


def questions_of(data: list[dict[str, Any]]) -> tuple[Question, ...]:
    return tuple(
        Question(
            QuestionKind(q["kind"]), str(q["text"]), tuple(q.get("options") or ()), str(q.get("topic") or "")
        )
        for q in data
    )


def view_of(s: Survey) -> SurveyView:
    return SurveyView(
        id=s.id,
        number=s.number,
        community_id=s.community_id,
        title=s.title,
        intro=s.intro,
        questions=questions_of(s.questions),
        buildings=tuple(s.buildings or ()),
        who=Who(s.who),
        per=Per(s.per),
        anonymous=s.anonymous,
        opens_at=s.opens_at,
        closes_at=s.closes_at,
        status=S(s.status),
        standing=bool(s.standing_key),
        result=SurveyResult.from_json(s.result) if s.result else None,
    )


async def find(survey_id: int) -> SurveyView:
    s = await Survey.get_or_none(id=survey_id)
    if s is None:
        raise Refusal("surveys.no_such_survey")
    return view_of(s)


# -- who may answer ------------------------------------------------------------------------------------
def refusal_for(s: SurveyView, place: VoterPlace, now: dt.datetime) -> Refusal | None:
    """Why the person at ``place`` may not answer ``s`` now (naming nobody), or None when they may."""
    if s.status == S.CANCELLED:
        return Refusal("surveys.cancelled", title=s.title)
    if s.status == S.CLOSED or now >= s.closes_at:
        return Refusal("surveys.closed", title=s.title)
    if now < s.opens_at:
        return Refusal("surveys.not_yet", title=s.title, when=formats.day_time(s.opens_at))
    if place.community_id is None:
        return Refusal("surveys.bind_first")
    if place.community_id != s.community_id:
        return Refusal("surveys.not_your_community")
    if s.buildings and place.building not in s.buildings:
        return Refusal("surveys.not_in_scope", buildings="、".join(f"{n}栋" for n in s.buildings))
    unchecked = (s.per == Per.HOUSEHOLD and place.standing.refusal("household_vote")) or (
        s.who == Who.OWNERS and place.standing.refusal("owner_vote")
    )
    if unchecked:
        return unchecked
    if s.who == Who.OWNERS and not place.owner:
        return Refusal("surveys.owners_only")
    return None


async def place_of(person: Person, s: SurveyView | None = None) -> VoterPlace:
    """Where the person answers from, as consultations read it (home, household, verified, owner)."""
    return await votes.place_of(person, owner_needed=s is None or s.who == Who.OWNERS)


def slot_key(s: SurveyView, person: Person, place: VoterPlace) -> str:
    return place.household_key if s.per == Per.HOUSEHOLD else f"p:{person.id}"


async def open_to(person: Person, now: dt.datetime) -> list[tuple[SurveyView, bool]]:
    """The surveys of the person's community they may answer now, soonest close first, and whether they
    (or their household) have answered: four statements however many there are."""
    place = await place_of(person)
    if place.community_id is None:
        return []
    found = [
        view_of(s)
        for s in await Survey.filter(
            community_id=place.community_id, status=S.OPEN, opens_at__lte=now, closes_at__gt=now
        ).order_by("closes_at", "id")
    ]
    found = [s for s in found if (r := refusal_for(s, place, now)) is None or r.key.startswith("verify.")]
    keys = {s.id: slot_key(s, person, place) for s in found}
    taken = {
        (int(sid), str(key))
        for sid, key in await SurveySlot.filter(survey_id__in=list(keys)).values_list("survey_id", "key")
    }
    return [(s, (s.id, keys[s.id]) in taken) for s in found]


async def answered(person: Person, s: SurveyView) -> bool:
    place = await place_of(person, s)
    return await SurveySlot.exists(survey_id=s.id, key=slot_key(s, person, place))


async def electorate(s: SurveyView) -> int:
    """How many may answer: people, or households, as consultations count them."""
    return votes.electorate_size(s, await votes.residents_of(s.community_id))


async def require_overseer(person: Person, community_id: int) -> None:
    """Refusal unless ``person`` is on the committee of the community or works for its street office."""
    if not OVERSEERS & await roles_of(person, community_id):
        raise Refusal("surveys.staff_only")


# -- lists and results -----------------------------------------------------------------------------------
async def community_page(
    community: Community, status: str | None, page: int, per_page: int
) -> PageSlice[SurveyView]:
    query = Survey.filter(community_id=community.id)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query, page, per_page, "-opens_at", "-id")
    return PageSlice([view_of(s) for s in listed.rows], **listed.meta)


async def results(survey_id: int) -> SurveyView:
    """The survey with its published result; Refusal (sealed) before the close."""
    s = await find(survey_id)
    if s.status != S.CLOSED or s.result is None:
        raise Refusal("surveys.sealed", title=s.title, when=formats.day_time(s.closes_at))
    return s


async def latest_result(community_id: int | None) -> SurveyView | None:
    if community_id is None:
        return None
    s = await Survey.filter(community_id=community_id, status=S.CLOSED).order_by("-closed_at", "-id").first()
    return view_of(s) if s is not None and s.result else None


async def turnout(survey_id: int, viewer: Person) -> tuple[SurveyView, int, int]:
    """How many answered of how many may (never what), for the committee and the street office."""
    s = await find(survey_id)
    await require_overseer(viewer, s.community_id)
    return s, await SurveySlot.filter(survey_id=s.id).count(), await electorate(s)


async def running(viewer: Person) -> list[tuple[SurveyView, int, int]]:
    """The open surveys of the viewer's community with how many answered of how many may, for its committee
    or street office: two statements and two per survey (a handful at a time)."""
    if viewer.community_id is None:
        raise Refusal("surveys.staff_only")
    await require_overseer(viewer, viewer.community_id)
    found = await Survey.filter(community_id=viewer.community_id, status=S.OPEN).order_by("closes_at", "id")
    return [await turnout(s.id, viewer) for s in found]


def rating_line(q: QuestionResult) -> str:
    average = f"{q.average:.2f}" if q.average is not None else "-"
    return content.text("surveys.result_rating", text=q.text, average=average, answered=q.answered)


# -- the figures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuarterlyScore:
    """One community's published quarterly survey: its quarter, turnout and average rating per topic."""

    community_id: int
    quarter: str  # 2026Q4
    survey_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    responses: int
    eligible: int
    scores: dict[str, float]  # topic (property, committee) -> average of its ratings, 1-5
    questions: tuple[QuestionResult, ...]


async def quarterly_satisfaction(
    community_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[QuarterlyScore]:
    """The standing quarterly surveys of ``community_ids`` that opened in [start, end) and are published
    (sealed ones count for nothing until their close), by community then quarter: one statement. A topic's
    score is the average of every rating given to its questions."""
    rows = await Survey.filter(
        community_id__in=community_ids,
        standing_key__startswith=QUARTERLY,
        status=S.CLOSED,
        opens_at__gte=start,
        opens_at__lt=end,
    ).order_by("community_id", "opens_at")
    out = []
    for s in rows:
        view = view_of(s)
        if view.result is None:
            continue
        out.append(
            QuarterlyScore(
                community_id=s.community_id,
                quarter=str(s.standing_key).split(":")[1],
                survey_id=s.id,
                opens_at=s.opens_at,
                closes_at=s.closes_at,
                responses=view.result.responses,
                eligible=view.result.eligible,
                scores=topic_scores(view.result),
                questions=view.result.questions,
            )
        )
    return out


def topic_scores(result: SurveyResult) -> dict[str, float]:
    """Per topic, the average of all its rating answers (weighted by how many answered each question)."""
    sums: dict[str, tuple[float, int]] = {}
    for q in result.questions:
        if q.kind != QuestionKind.RATING or not q.topic or not q.answered or q.average is None:
            continue
        total, count = sums.get(q.topic, (0.0, 0))
        sums[q.topic] = (total + q.average * q.answered, count + q.answered)
    return {topic: round(total / count, 2) for topic, (total, count) in sums.items()}
