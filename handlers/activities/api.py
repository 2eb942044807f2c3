"""The REST side of activities. Staff (committee, grid workers, the street office) create, cancel, read the
roster and check people in by their code; residents and volunteers see what is open to them, sign up,
cancel and read their sign-ups. A community's upcoming activities and one activity are public."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from bot.api.community import COMMUNITY_PARAM, community_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.activities import queries, workflow
from handlers.activities.queries import ActivityStatus, ActivityView, Audience, SignupStatus, SignupView

routes = Routes(
    "activities",
    refusals={
        "activities.staff_only": 403,
        "activities.no_such_activity": 404,
        "activities.no_such_code": 404,
        "activities.already_signed_up": 409,
        "activities.already_checked_in": 409,
        "activities.not_signed_up": 409,
        "activities.cancelled": 409,
        "activities.started": 409,
        "activities.deadline_passed": 409,
        "activities.not_cancellable": 409,
        "activities.checkin_waiting": 409,
        "activities.not_your_community": 403,
        "activities.volunteers_only": 403,
        "activities.party_members_only": 403,
        "activities.not_in_buildings": 403,
    },
)

ACTIVITY_PARAM = {"activity_id": {"type": "integer", "minimum": 1}}


class ActivityOut(BaseModel):
    id: int
    number: str = Field(description="A2612-001")
    title: str
    description: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    confirmed: int = Field(description="places taken")
    waiting: int = Field(description="on the waiting list")
    audience: Audience
    audience_label: str
    buildings: list[int]
    signup_deadline: dt.datetime
    volunteer_service: bool
    hours: float = Field(description="service hours of an attendance (a volunteer activity)")
    points: int
    status: ActivityStatus
    status_note: str
    my_status: SignupStatus | None = Field(default=None, description="the caller's own sign-up, if any")


class ActivityList(BaseModel):
    items: list[ActivityOut]


class ActivityPage(Paged[ActivityOut]):
    pass


class PublishActivityIn(StrictIn):
    title: str = Field(min_length=2, max_length=64)
    description: str = Field(default="", max_length=2000)
    place: str = Field(min_length=1, max_length=128)
    starts_at: dt.datetime
    ends_at: dt.datetime | None = Field(default=None, description="default: two hours after the start")
    capacity: int = Field(ge=1, le=2000)
    audience: Audience = Audience.RESIDENTS
    buildings: list[int] = Field(default_factory=list, max_length=100, description="for a buildings audience")
    signup_deadline: dt.datetime | None = Field(default=None, description="default: the start")
    volunteer_service: bool = False
    hours: float = Field(default=0, ge=0, le=24)
    points: int | None = Field(default=None, ge=0, le=1000, description="default: from the hours")


class SignupOut(BaseModel):
    activity: ActivityOut
    status: SignupStatus
    code: str = Field(description="shown or said at the venue to check in")
    position: int | None = Field(description="place on the waiting list, 1-based")
    attended: bool


class SignupList(BaseModel):
    items: list[SignupOut]


class SignupCancelledOut(BaseModel):
    activity: str
    cancelled: bool


class CancelActivityIn(StrictIn):
    reason: str = Field(min_length=2, max_length=500)


class CheckInIn(StrictIn):
    code: str = Field(pattern=r"^\d{3,8}$")


class CheckInOut(BaseModel):
    name: str
    activity: str
    hours: float = Field(description="entered in the service record (0: not a volunteer activity)")
    points: int


class RosterLineOut(BaseModel):
    name: str
    status: SignupStatus
    code: str
    attended: bool


class RosterOut(BaseModel):
    activity: ActivityOut
    items: list[RosterLineOut]


def activity_out(a: ActivityView, mine: SignupStatus | None = None) -> ActivityOut:
    return ActivityOut(
        id=a.id,
        number=a.number,
        title=a.title,
        description=a.description,
        place=a.place,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        capacity=a.capacity,
        confirmed=a.confirmed,
        waiting=a.waiting,
        audience=a.audience,
        audience_label=queries.describe_audience(a),
        buildings=list(a.buildings),
        signup_deadline=a.signup_deadline,
        volunteer_service=a.volunteer_service,
        hours=a.hours,
        points=a.points,
        status=a.status,
        status_note=a.status_note,
        my_status=mine,
    )


def signup_out(s: SignupView) -> SignupOut:
    return SignupOut(
        activity=activity_out(s.activity, s.status),
        status=s.status,
        code=s.code,
        position=s.position,
        attended=s.attended,
    )


# -- staff -----------------------------------------------------------------------------------------------
@routes.add(
    "POST",
    "/communities/{community}/activities",
    summary="Create an activity (committee, grid worker, street office)",
    response=ActivityOut,
    body=PublishActivityIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def publish(call: ApiRequest) -> ActivityOut:
    community = await community_of(call)
    body: PublishActivityIn = call.body
    made = await workflow.publish(
        workflow.CreateActivity(
            community=community,
            by=call.caller,
            title=body.title,
            description=body.description,
            place=body.place,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            capacity=body.capacity,
            audience=body.audience,
            buildings=tuple(body.buildings),
            signup_deadline=body.signup_deadline,
            volunteer_service=body.volunteer_service,
            hours=body.hours,
            points=body.points,
        ),
        call.now(),
    )
    return activity_out(await queries.find(made.id))


@routes.add(
    "POST",
    "/activities/{activity_id}/cancel",
    summary="Call an activity off, the reason told to everyone signed up (staff)",
    response=ActivityOut,
    body=CancelActivityIn,
    path_params=ACTIVITY_PARAM,
    errors=(403, 404, 409, 422),
)
async def cancel_activity(call: ApiRequest) -> ActivityOut:
    a = await workflow.cancel_activity(call.path["activity_id"], call.caller, call.body.reason, call.now())
    return activity_out(await queries.find(a.id))


@routes.add(
    "GET",
    "/activities/{activity_id}/signups",
    summary="Who signed up: places first, then the waiting list in order (staff)",
    response=RosterOut,
    path_params=ACTIVITY_PARAM,
    errors=(403, 404),
)
async def roster(call: ApiRequest) -> RosterOut:
    a, lines = await queries.roster(call.path["activity_id"], call.caller)
    return RosterOut(activity=activity_out(a), items=[RosterLineOut(**vars(x)) for x in lines])


@routes.add(
    "POST",
    "/activities/{activity_id}/checkins",
    summary="Check in the person whose sign-up has this code; a volunteer activity enters the service record",
    response=CheckInOut,
    body=CheckInIn,
    status=201,
    path_params=ACTIVITY_PARAM,
    errors=(403, 404, 409, 422),
)
async def check_in(call: ApiRequest) -> CheckInOut:
    done = await workflow.check_in(call.path["activity_id"], call.caller, call.body.code, call.now())
    return CheckInOut(name=done.name, activity=done.activity.number, hours=done.hours, points=done.points)


# -- residents and volunteers ----------------------------------------------------------------------------
@routes.add("GET", "/activities/open", summary="Activities I may sign up for", response=ActivityList)
async def open_to_me(call: ApiRequest) -> ActivityList:
    found = await queries.open_to(call.caller, call.now())
    return ActivityList(items=[activity_out(a, mine) for a, mine in found])


@routes.add("GET", "/me/signups", summary="My sign-ups (with their check-in codes)", response=SignupList)
async def my_signups(call: ApiRequest) -> SignupList:
    return SignupList(items=[signup_out(s) for s in await queries.my_signups(call.caller, call.now())])


@routes.add(
    "POST",
    "/activities/{activity_id}/signups",
    summary="Sign up: a place while there is one, else the waiting list",
    response=SignupOut,
    status=201,
    path_params=ACTIVITY_PARAM,
    errors=(403, 404, 409, 422),
)
async def sign_up(call: ApiRequest) -> SignupOut:
    await workflow.sign_up(call.path["activity_id"], call.caller, call.now())
    found = await queries.signup_of(call.caller, call.path["activity_id"])
    assert found is not None
    return signup_out(found)


@routes.add(
    "DELETE",
    "/activities/{activity_id}/signups/mine",
    summary="Cancel my sign-up (a place given back goes to the first on the waiting list)",
    response=SignupCancelledOut,
    path_params=ACTIVITY_PARAM,
    errors=(404, 409),
)
async def cancel(call: ApiRequest) -> SignupCancelledOut:
    a = await queries.find(call.path["activity_id"])
    await workflow.cancel(a.id, call.caller, call.now())
    return SignupCancelledOut(activity=a.number, cancelled=True)


# -- public ----------------------------------------------------------------------------------------------
@routes.add(
    "GET",
    "/communities/{community}/activities",
    summary="A community's activities, soonest first (public)",
    response=ActivityPage,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[
        *PAGE_PARAMS,
        QueryParam(
            "upcoming",
            {"type": "string", "enum": ["true", "false"], "default": "true"},
            "only those not over and not cancelled",
        ),
    ],
)
async def community_activities(call: ApiRequest) -> ActivityPage:
    community = await community_of(call)
    upcoming = call.query.get("upcoming", "true") == "true"
    listed = await queries.community_page(community, call.now() if upcoming else None, *page_of(call.query))
    return ActivityPage(items=[activity_out(a) for a in listed.rows], **listed.meta)


@routes.add(
    "GET",
    "/activities/{activity_id}",
    summary="One activity (public)",
    response=ActivityOut,
    auth=False,
    path_params=ACTIVITY_PARAM,
    errors=(404,),
)
async def one(call: ApiRequest) -> ActivityOut:
    return activity_out(await queries.find(call.path["activity_id"]))
