"""The REST side of consultations. The committee launches, extends, cancels, sees who took part (never how
they voted) and handles proposals; residents see what is open to them, vote (a grid worker may record a
vote for a resident without a phone), comment and propose. Consultations, results, the anonymous ballot
log and its check are public (居务公开); counts exist nowhere before the close."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, committee_of, community_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.votes import queries, workflow
from handlers.votes.queries import ConsultationStatus, ConsultationView, PassRule, Per, ProposalView, Who
from handlers.votes.workflow import LaunchConsultation, ProxyVote
from nlp.slots import Address

routes = Routes(
    "consultations",
    refusals={
        "votes.committee_only": 403,
        "votes.proxy_not_allowed": 403,
        "votes.no_such_consultation": 404,
        "votes.no_such_proposal": 404,
        "votes.household_voted": 409,
        "votes.closed": 409,
        "votes.cancelled": 409,
        "votes.not_yet": 409,
        "votes.proposal_done": 409,
        "votes.sealed": 409,
    },
)

CONSULTATION_PARAM = {"consultation_id": {"type": "integer", "minimum": 1}}


# -- shapes ----------------------------------------------------------------------------------------------
class OptionResult(BaseModel):
    label: str
    votes: int
    share: float


class ResultOut(BaseModel):
    eligible: int
    turnout: int
    turnout_share: float
    quorum_met: bool
    options: list[OptionResult]
    ballots: int = Field(description="every ballot in the log, changed votes included")
    proxy_ballots: int
    passed: bool
    winner: int | None = Field(description="0-based option index")
    outcome: str
    digest: str = Field(description="SHA-256 chain over the public ballot log (GET .../ballots)")
    comments: list[str] = Field(description="published without names")


class ConsultationOut(BaseModel):
    id: int
    number: str
    title: str
    background: str
    options: list[str]
    max_choices: int
    buildings: list[int] = Field(description="empty: the whole community")
    who: Who
    per: Per
    opens_at: dt.datetime
    closes_at: dt.datetime
    quorum: float
    rule: PassRule
    rule_label: str
    approve_option: int | None
    status: ConsultationStatus
    status_label: str
    status_note: str = Field(description="the reason of the last extension or of the cancellation")
    result: ResultOut | None = Field(description="only once closed: sealed until then")
    my_choices: list[int] | None = Field(default=None, description="the caller's own counted vote")


class ConsultationList(BaseModel):
    items: list[ConsultationOut]


class ConsultationPage(Paged[ConsultationOut]):
    pass


class LaunchIn(StrictIn):
    title: str = Field(min_length=2, max_length=64)
    background: str = Field(default="", max_length=4000)
    options: list[str] = Field(min_length=2, max_length=10)
    max_choices: int = Field(default=1, ge=1, le=10)
    buildings: list[int] = Field(default_factory=list, max_length=100)
    who: Who = Who.RESIDENTS
    per: Per = Per.PERSON
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime
    quorum: float = Field(default=0.0, ge=0, le=1, description="share of the eligible who must take part")
    rule: PassRule = PassRule.MAJORITY
    approve_option: int | None = Field(default=None, ge=0, le=9, description="the option meaning yes")
    proposal_id: int | None = Field(default=None, ge=1)


class ExtendIn(StrictIn):
    closes_at: dt.datetime
    reason: str = Field(min_length=2, max_length=500)


class ReasonIn(StrictIn):
    reason: str = Field(min_length=2, max_length=500)


class ProxyHomeIn(StrictIn):
    building: int = Field(ge=1, le=999)
    unit: int = Field(default=0, ge=0, le=99)
    room: str = Field(pattern=r"^\d{1,5}$")
    name: str = Field(min_length=1, max_length=32, description="the resident the vote is recorded for")


class BallotIn(StrictIn):
    choices: list[int] = Field(min_length=1, max_length=10, description="0-based option indexes")
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice is one ballot")
    for_resident: ProxyHomeIn | None = Field(default=None, description="代为登记: a grid worker records it")


class BallotOut(BaseModel):
    consultation: str
    choices: list[int]
    labels: list[str]
    proxy: bool


class CommentIn(StrictIn):
    text: str = Field(min_length=2, max_length=500)


class CommentOut(BaseModel):
    id: int


class LogEntry(BaseModel):
    seq: int
    choices: list[int]
    proxy: bool
    counted: bool


class LogOut(BaseModel):
    items: list[LogEntry]
    digest: str


class VerifyOut(BaseModel):
    valid: bool = Field(description="the published result matches the ballot log (digest and counts)")
    digest: str


class ParticipantOut(BaseModel):
    name: str
    address: str
    recorded_by: str | None = Field(description="who recorded it for them (代为登记), if anyone")


class ParticipantsOut(BaseModel):
    turnout: int
    items: list[ParticipantOut]


class ProposalIn(StrictIn):
    text: str = Field(min_length=4, max_length=1000)
    client_key: str = Field(min_length=8, max_length=64)


class ProposalOut(BaseModel):
    id: int
    number: str
    text: str
    status: str
    created_at: dt.datetime


class ProposalPage(Paged[ProposalOut]):
    pass


def consultation_out(c: ConsultationView, now: dt.datetime, mine: list[int] | None = None) -> ConsultationOut:
    result = None
    if c.status == ConsultationStatus.CLOSED and c.result:
        r = c.result
        result = ResultOut(
            eligible=r.eligible,
            turnout=r.turnout,
            turnout_share=r.turnout_share,
            quorum_met=r.quorum_met,
            options=[OptionResult(label=o.label, votes=o.votes, share=o.share) for o in r.options],
            ballots=r.ballots,
            proxy_ballots=r.proxy_ballots,
            passed=r.passed,
            winner=r.winner,
            outcome=queries.describe_outcome(c),
            digest=r.digest,
            comments=list(r.comments),
        )
    return ConsultationOut(
        id=c.id,
        number=c.number,
        title=c.title,
        background=c.background,
        options=list(c.options),
        max_choices=c.max_choices,
        buildings=list(c.buildings),
        who=c.who,
        per=c.per,
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        quorum=c.quorum,
        rule=c.rule,
        rule_label=content.text(f"votes.rule.{c.rule.value}"),
        approve_option=c.approve_option,
        status=c.status,
        status_label=queries.status_label(c, now),
        status_note=c.status_note,
        result=result,
        my_choices=mine,
    )


def _status(call: ApiRequest) -> str | None:
    return str(call.query["status"]) if "status" in call.query else None


# -- the committee ---------------------------------------------------------------------------------------
@routes.add(
    "POST",
    "/communities/{community}/consultations",
    summary="Launch a consultation and announce it (committee)",
    response=ConsultationOut,
    body=LaunchIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def launch(call: ApiRequest) -> ConsultationOut:
    community = await committee_of(call)
    body: LaunchIn = call.body
    c = await workflow.launch(
        LaunchConsultation(
            community=community,
            by=call.caller,
            title=body.title,
            background=body.background,
            options=tuple(body.options),
            max_choices=body.max_choices,
            buildings=tuple(body.buildings),
            who=body.who,
            per=body.per,
            opens_at=body.opens_at,
            closes_at=body.closes_at,
            quorum=body.quorum,
            rule=body.rule,
            approve_option=body.approve_option,
            proposal_id=body.proposal_id,
        ),
        call.now(),
    )
    return consultation_out(queries.view_of(c), call.now())


@routes.add(
    "POST",
    "/consultations/{consultation_id}/extend",
    summary="Move the close later, with a reason everyone eligible is told (committee)",
    response=ConsultationOut,
    body=ExtendIn,
    path_params=CONSULTATION_PARAM,
    errors=(403, 404, 409, 422),
)
async def extend(call: ApiRequest) -> ConsultationOut:
    body: ExtendIn = call.body
    c = await workflow.extend(
        call.path["consultation_id"], call.caller, body.closes_at, body.reason, call.now()
    )
    return consultation_out(queries.view_of(c), call.now())


@routes.add(
    "POST",
    "/consultations/{consultation_id}/cancel",
    summary="Cancel, with a reason everyone eligible is told (committee)",
    response=ConsultationOut,
    body=ReasonIn,
    path_params=CONSULTATION_PARAM,
    errors=(403, 404, 409, 422),
)
async def cancel(call: ApiRequest) -> ConsultationOut:
    c = await workflow.cancel(call.path["consultation_id"], call.caller, call.body.reason, call.now())
    return consultation_out(queries.view_of(c), call.now())


@routes.add(
    "GET",
    "/consultations/{consultation_id}/participants",
    summary="Who took part, never how (committee)",
    response=ParticipantsOut,
    path_params=CONSULTATION_PARAM,
    errors=(403, 404),
)
async def participants(call: ApiRequest) -> ParticipantsOut:
    took_part = await queries.participants(call.path["consultation_id"], call.caller)
    items = [ParticipantOut(name=p.name, address=p.address, recorded_by=p.recorded_by) for p in took_part]
    return ParticipantsOut(turnout=len(items), items=items)


@routes.add(
    "GET",
    "/communities/{community}/proposals",
    summary="Residents' proposals (committee)",
    response=ProposalPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[*PAGE_PARAMS, QueryParam("status", {"type": "string", "enum": ["new", "adopted", "dismissed"]})],
)
async def proposals(call: ApiRequest) -> ProposalPage:
    community = await committee_of(call)
    listed = await queries.proposals_page(community, _status(call), *page_of(call.query))
    return ProposalPage(items=[_proposal(p) for p in listed.rows], **listed.meta)


def _proposal(p: ProposalView) -> ProposalOut:
    return ProposalOut(id=p.id, number=p.number, text=p.text, status=p.status, created_at=p.created_at)


@routes.add(
    "POST",
    "/proposals/{proposal_id}/dismiss",
    summary="Answer a proposal without a consultation, the reason told to the resident (committee)",
    response=ProposalOut,
    body=ReasonIn,
    path_params={"proposal_id": {"type": "integer", "minimum": 1}},
    errors=(403, 404, 409, 422),
)
async def dismiss(call: ApiRequest) -> ProposalOut:
    proposal = await workflow.dismiss(call.path["proposal_id"], call.caller, call.body.reason, call.now())
    return _proposal(queries.proposal_view(proposal))


# -- residents -------------------------------------------------------------------------------------------
@routes.add(
    "POST",
    "/proposals",
    summary="Propose a topic",
    response=ProposalOut,
    body=ProposalIn,
    status=201,
    errors=(422,),
)
async def propose(call: ApiRequest) -> ProposalOut:
    body: ProposalIn = call.body
    proposal = await workflow.propose(
        call.caller, body.text, f"api:{call.caller.id}:{body.client_key}", call.now()
    )
    return _proposal(queries.proposal_view(proposal))


@routes.add("GET", "/consultations/mine", summary="Consultations open to me", response=ConsultationList)
async def mine(call: ApiRequest) -> ConsultationList:
    caller, now = call.caller, call.now()
    found = await queries.open_to(caller, now)
    mine = await queries.my_choices(caller, [c.id for c in found])
    return ConsultationList(items=[consultation_out(c, now, mine.get(c.id)) for c in found])


@routes.add(
    "POST",
    "/consultations/{consultation_id}/ballots",
    summary="Vote (again: the newest counts); a grid worker may record a resident's vote",
    response=BallotOut,
    body=BallotIn,
    status=201,
    path_params=CONSULTATION_PARAM,
    errors=(403, 404, 409, 422),
)
async def vote(call: ApiRequest) -> BallotOut:
    c = await queries.consultation(call.path["consultation_id"])
    body: BallotIn = call.body
    source_key = f"api:{call.caller.id}:{body.client_key}"
    if body.for_resident is not None:
        where = body.for_resident
        ballot = await workflow.cast_for(
            ProxyVote(
                by=call.caller,
                consultation_id=c.id,
                address=Address(where.building, where.unit or None, where.room),
                name=where.name,
                choices=tuple(body.choices),
                source_key=source_key,
            ),
            call.now(),
        )
    else:
        ballot = await workflow.cast(c.id, call.caller, body.choices, call.now(), source_key=source_key)
    choices = list(ballot.choices)
    return BallotOut(
        consultation=c.number,
        choices=choices,
        labels=[c.options[i] for i in choices],
        proxy=ballot.proxy_by_id is not None,
    )


@routes.add(
    "POST",
    "/consultations/{consultation_id}/comments",
    summary="Add an opinion (published without a name at the close)",
    response=CommentOut,
    body=CommentIn,
    status=201,
    path_params=CONSULTATION_PARAM,
    errors=(404, 409, 422),
)
async def add_comment(call: ApiRequest) -> CommentOut:
    made = await workflow.comment(call.path["consultation_id"], call.caller, call.body.text, call.now())
    return CommentOut(id=made.id)


# -- public ----------------------------------------------------------------------------------------------
@routes.add(
    "GET",
    "/communities/{community}/consultations",
    summary="A community's consultations and published results (public)",
    response=ConsultationPage,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[
        *PAGE_PARAMS,
        QueryParam("status", {"type": "string", "enum": [s.value for s in ConsultationStatus]}),
    ],
)
async def community_consultations(call: ApiRequest) -> ConsultationPage:
    community = await community_of(call)
    listed = await queries.community_page(community, _status(call), *page_of(call.query))
    return ConsultationPage(items=[consultation_out(c, call.now()) for c in listed.rows], **listed.meta)


@routes.add(
    "GET",
    "/consultations/{consultation_id}",
    summary="One consultation, with its result once closed (public)",
    response=ConsultationOut,
    auth=False,
    path_params=CONSULTATION_PARAM,
    errors=(404,),
)
async def one(call: ApiRequest) -> ConsultationOut:
    return consultation_out(await queries.consultation(call.path["consultation_id"]), call.now())


@routes.add(
    "GET",
    "/consultations/{consultation_id}/ballots",
    summary="The ballot log without names, once closed (public)",
    response=LogOut,
    auth=False,
    path_params=CONSULTATION_PARAM,
    errors=(404, 409),
)
async def ballot_log(call: ApiRequest) -> LogOut:
    log = await queries.public_log(call.path["consultation_id"])
    return LogOut(items=[LogEntry.model_validate(entry) for entry in log.items], digest=log.digest)


@routes.add(
    "GET",
    "/consultations/{consultation_id}/verify",
    summary="Check that the published result still matches the ballot log (public)",
    response=VerifyOut,
    auth=False,
    path_params=CONSULTATION_PARAM,
    errors=(404, 409),
)
async def verify(call: ApiRequest) -> VerifyOut:
    valid, digest = await queries.verify(call.path["consultation_id"])
    return VerifyOut(valid=valid, digest=digest)
