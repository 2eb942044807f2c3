"""The REST side of surveys. The committee and the street office launch a survey and see how many have
answered (never what); residents see what is open to them and answer all the questions at once. Surveys,
their published results (sealed until the close) and the quarterly satisfaction figures are public."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from bot.api.community import COMMUNITY_PARAM, community_of, overseer_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.surveys import queries, workflow
from handlers.surveys.queries import Per, Question, QuestionKind, SurveyStatus, SurveyView, Who

routes = Routes(
    "surveys",
    refusals={
        "surveys.staff_only": 403,
        "surveys.no_such_survey": 404,
        "surveys.already_answered": 409,
        "surveys.household_answered": 409,
        "surveys.answered_for_another_home": 409,
        "surveys.closed": 409,
        "surveys.cancelled": 409,
        "surveys.not_yet": 409,
        "surveys.sealed": 409,
    },
)

SURVEY_PARAM = {"survey_id": {"type": "integer", "minimum": 1}}
Text = Annotated[str, StringConstraints(max_length=500)]


class QuestionIn(StrictIn):
    kind: QuestionKind
    text: str = Field(min_length=2, max_length=200)
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=10, description="for single and multiple choice"
    )
    topic: str = Field(default="", max_length=16, description="groups ratings in the figures")


class QuestionOut(BaseModel):
    kind: QuestionKind
    text: str
    options: list[str]
    topic: str


class QuestionResultOut(BaseModel):
    kind: QuestionKind
    text: str
    answered: int
    options: list[str]
    counts: list[int] = Field(description="per option; per score 1 to 5 for a rating")
    average: float | None = Field(description="ratings only")
    texts: list[str] = Field(description="free-text answers, without names")


class SurveyResultOut(BaseModel):
    eligible: int
    responses: int
    questions: list[QuestionResultOut]


class SurveyOut(BaseModel):
    id: int
    number: str
    title: str
    intro: str
    questions: list[QuestionOut]
    buildings: list[int] = Field(description="empty: the whole community")
    who: Who
    per: Per
    anonymous: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: SurveyStatus
    standing: bool = Field(description="the standing quarterly satisfaction survey")
    result: SurveyResultOut | None = Field(description="only once closed: sealed until then")
    answered: bool | None = Field(default=None, description="the caller (or their household) has answered")


class SurveyList(BaseModel):
    items: list[SurveyOut]


class SurveyPage(Paged[SurveyOut]):
    pass


class LaunchSurveyIn(StrictIn):
    title: str = Field(min_length=2, max_length=64)
    intro: str = Field(default="", max_length=2000)
    questions: list[QuestionIn] = Field(min_length=1, max_length=30)
    buildings: list[int] = Field(default_factory=list, max_length=100)
    who: Who = Who.RESIDENTS
    per: Per = Per.PERSON
    anonymous: bool = True
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime


class AnswersIn(StrictIn):
    answers: list[int | list[int] | Text | None] = Field(
        min_length=1,
        max_length=30,
        description="one per question, in order: 1-5 (rating), an option index (single), indexes "
        "(multiple), text or null (text)",
    )
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice is one answer")


class AnsweredOut(BaseModel):
    survey: str
    per: Per


class TurnoutOut(BaseModel):
    survey: str
    answered: int
    eligible: int


class QuarterOut(BaseModel):
    community_id: int
    quarter: str = Field(description="2026Q4")
    survey_id: int
    responses: int
    eligible: int
    scores: dict[str, float] = Field(description="topic (property, committee) -> average rating, 1-5")


class QuartersOut(BaseModel):
    items: list[QuarterOut]


def survey_out(s: SurveyView, answered: bool | None = None) -> SurveyOut:
    result = None
    if s.status == SurveyStatus.CLOSED and s.result is not None:
        result = SurveyResultOut(
            eligible=s.result.eligible,
            responses=s.result.responses,
            questions=[
                QuestionResultOut(
                    kind=q.kind,
                    text=q.text,
                    answered=q.answered,
                    options=list(q.options),
                    counts=list(q.counts),
                    average=q.average,
                    texts=list(q.texts),
                )
                for q in s.result.questions
            ],
        )
    return SurveyOut(
        id=s.id,
        number=s.number,
        title=s.title,
        intro=s.intro,
        questions=[
            QuestionOut(kind=q.kind, text=q.text, options=list(q.options), topic=q.topic) for q in s.questions
        ],
        buildings=list(s.buildings),
        who=s.who,
        per=s.per,
        anonymous=s.anonymous,
        opens_at=s.opens_at,
        closes_at=s.closes_at,
        status=s.status,
        standing=s.standing,
        result=result,
        answered=answered,
    )


# -- the committee and the street office ----------------------------------------------------------------
@routes.add(
    "POST",
    "/communities/{community}/surveys",
    summary="Launch a survey and tell everyone who may answer (committee, street office)",
    response=SurveyOut,
    body=LaunchSurveyIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def launch(call: ApiRequest) -> SurveyOut:
    community = await overseer_of(call)
    body: LaunchSurveyIn = call.body
    made = await workflow.launch(
        workflow.LaunchSurvey(
            community=community,
            by=call.caller,
            title=body.title,
            intro=body.intro,
            questions=tuple(Question(q.kind, q.text, tuple(q.options), q.topic) for q in body.questions),
            closes_at=body.closes_at,
            buildings=tuple(body.buildings),
            who=body.who,
            per=body.per,
            anonymous=body.anonymous,
            opens_at=body.opens_at,
        ),
        call.now(),
    )
    return survey_out(await queries.find(made.id))


@routes.add(
    "GET",
    "/surveys/{survey_id}/turnout",
    summary="How many have answered, never what (committee, street office)",
    response=TurnoutOut,
    path_params=SURVEY_PARAM,
    errors=(403, 404),
)
async def turnout(call: ApiRequest) -> TurnoutOut:
    s, answered, eligible = await queries.turnout(call.path["survey_id"], call.caller)
    return TurnoutOut(survey=s.number, answered=answered, eligible=eligible)


# -- residents -------------------------------------------------------------------------------------------
@routes.add("GET", "/surveys/open", summary="Surveys open to me", response=SurveyList)
async def open_to_me(call: ApiRequest) -> SurveyList:
    found = await queries.open_to(call.caller, call.now())
    return SurveyList(items=[survey_out(s, done) for s, done in found])


@routes.add(
    "POST",
    "/surveys/{survey_id}/responses",
    summary="Answer every question at once (once per person, or per household)",
    response=AnsweredOut,
    body=AnswersIn,
    status=201,
    path_params=SURVEY_PARAM,
    errors=(404, 409, 422),
)
async def answer(call: ApiRequest) -> AnsweredOut:
    body: AnswersIn = call.body
    s = await queries.find(call.path["survey_id"])
    await workflow.answer(
        s.id, call.caller, body.answers, call.now(), source_key=f"api:{call.caller.id}:{body.client_key}"
    )
    return AnsweredOut(survey=s.number, per=s.per)


# -- public ----------------------------------------------------------------------------------------------
@routes.add(
    "GET",
    "/communities/{community}/surveys",
    summary="A community's surveys and published results (public)",
    response=SurveyPage,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[*PAGE_PARAMS, QueryParam("status", {"type": "string", "enum": [s.value for s in SurveyStatus]})],
)
async def community_surveys(call: ApiRequest) -> SurveyPage:
    community = await community_of(call)
    status = str(call.query["status"]) if "status" in call.query else None
    listed = await queries.community_page(community, status, *page_of(call.query))
    return SurveyPage(items=[survey_out(s) for s in listed.rows], **listed.meta)


@routes.add(
    "GET",
    "/surveys/{survey_id}",
    summary="One survey, with its result once closed (public)",
    response=SurveyOut,
    auth=False,
    path_params=SURVEY_PARAM,
    errors=(404,),
)
async def one(call: ApiRequest) -> SurveyOut:
    return survey_out(await queries.find(call.path["survey_id"]))


@routes.add(
    "GET",
    "/surveys/{survey_id}/results",
    summary="The published result: counts, average ratings, free text without names (public; 409 sealed)",
    response=SurveyResultOut,
    auth=False,
    path_params=SURVEY_PARAM,
    errors=(404, 409),
)
async def results(call: ApiRequest) -> SurveyResultOut:
    found = survey_out(await queries.results(call.path["survey_id"])).result
    assert found is not None
    return found


@routes.add(
    "GET",
    "/communities/{community}/satisfaction",
    summary="The quarterly satisfaction survey's published scores per quarter (public)",
    response=QuartersOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[
        QueryParam("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "default: this year"),
    ],
)
async def satisfaction(call: ApiRequest) -> QuartersOut:
    community = await community_of(call)
    year = int(call.query.get("year") or call.now().year)
    zone = call.now().tzinfo
    start, end = dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)
    found = await queries.quarterly_satisfaction([community.id], start, end)
    return QuartersOut(
        items=[
            QuarterOut(
                community_id=q.community_id,
                quarter=q.quarter,
                survey_id=q.survey_id,
                responses=q.responses,
                eligible=q.eligible,
                scores=q.scores,
            )
            for q in found
        ]
    )
