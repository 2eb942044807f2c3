"""The REST side of tickets: residents report and follow their own; staff of the community list, filter and
move them. Contact details are shown to the reporter and the community's staff only."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM
from bot.api.core import (
    PAGE_PARAMS,
    ApiError,
    ApiRequest,
    Binary,
    QueryParam,
    Routes,
    StrictIn,
    paginate,
    refused,
)
from handlers.common.photos import kept_photo
from handlers.common.rules import Refusal
from handlers.repairs import workflow
from handlers.repairs.categories import categories
from handlers.repairs.models import OPEN_STATUSES, Ticket, TicketEvent, TicketPhoto, TicketStatus
from handlers.repairs.workflow import ReportRepair, status_label
from storage.models import STAFF_ROLES, Building, Community, Person, RoleName
from storage.roles import is_staff

routes = Routes("tickets")

_ERROR_STATUS = {
    "repairs.not_allowed": 403,
    "repairs.not_yours": 403,
    "repairs.no_such_ticket": 404,
    "repairs.not_now": 409,
    "repairs.someone_else": 409,
}
ACTIONS = ["accept", "start", "resolve", "reject", "duplicate", "transfer", "cancel", "confirm", "reopen"]
TICKET_PARAM = {"ticket_id": {"type": "integer", "minimum": 1}}


class Contact(BaseModel):
    name: str
    phone: str | None


class EventOut(BaseModel):
    action: str
    from_status: str
    to_status: str
    note: str
    at: dt.datetime


class TicketOut(BaseModel):
    id: int
    number: str
    kind: str
    category: str
    category_label: str
    description: str
    place: str
    status: TicketStatus
    status_label: str
    overdue: bool
    created_at: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime
    outcome_note: str
    rating: int | None
    reporter: Contact | None = Field(description="the reporter's contact: only for the community's staff")


class TicketDetail(TicketOut):
    events: list[EventOut]
    photos: list[int] = Field(description="ids of the photos kept so far (GET .../photos/{id})")


class TicketPage(BaseModel):
    items: list[TicketOut]
    page: int
    per_page: int
    total: int


class ReportIn(StrictIn):
    category: str = Field(pattern=r"^[a-z_]{1,32}$")
    description: str = Field(min_length=2, max_length=2000)
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int = Field(default=0, ge=0, le=99)
    place: str = Field(default="", max_length=128)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice files one ticket")


class ActionIn(StrictIn):
    note: str = Field(default="", max_length=2000)
    rating: int | None = Field(default=None, ge=1, le=5)
    role: RoleName | None = Field(default=None, description="transfer: the role whose pool takes it")


async def ticket_out(ticket: Ticket, now: dt.datetime, with_contact: bool) -> TicketOut:
    reporter = await Person.get(id=ticket.reporter_id) if with_contact else None
    return TicketOut(
        id=ticket.id,
        number=ticket.number,
        kind=ticket.kind,
        category=ticket.category,
        category_label=categories()[ticket.category].label,
        description=ticket.description,
        place=await workflow.describe_place(ticket),
        status=ticket.status,
        status_label=status_label(ticket.status),
        overdue=workflow.is_overdue(ticket, now),
        created_at=ticket.created_at,
        respond_by=ticket.respond_by,
        resolve_by=ticket.resolve_by,
        outcome_note=ticket.outcome_note,
        rating=ticket.rating,
        reporter=Contact(name=reporter.name, phone=reporter.phone) if reporter else None,
    )


@routes.add("GET", "/tickets/mine", summary="My tickets", response=TicketPage, query=PAGE_PARAMS)
async def my_tickets(call: ApiRequest) -> TicketPage:
    mine = await paginate(Ticket.filter(reporter=call.caller), call.query, "-created_at", "-id")
    return TicketPage(items=[await ticket_out(t, call.now(), False) for t in mine.rows], **mine.meta)


@routes.add(
    "POST",
    "/tickets",
    summary="Report a repair or a complaint",
    response=TicketOut,
    body=ReportIn,
    status=201,
    errors=(422,),
)
async def report(call: ApiRequest) -> TicketOut:
    body: ReportIn = call.body
    caller = call.caller
    category = categories().get(body.category)
    if category is None:
        raise ApiError(422, "rule_violation", content.text("api.no_category"))
    if caller.community_id is None:
        raise ApiError(422, "rule_violation", content.text("residents.bind_first"))
    building = None
    if body.building is not None:
        building = await Building.get_or_none(community_id=caller.community_id, number=body.building)
        if building is None:
            raise ApiError(422, "rule_violation", content.text("api.no_building"))
    try:
        ticket = await workflow.report(
            ReportRepair(
                reporter=caller,
                community=await Community.get(id=caller.community_id),
                category=category,
                description=body.description,
                source_key=f"api:{caller.id}:{body.client_key}",
                building_id=building.id if building else None,
                unit=body.unit,
                place=body.place,
                latitude=body.latitude,
                longitude=body.longitude,
            ),
            call.now(),
        )
    except Refusal as problem:
        raise ApiError(422, "rule_violation", problem.text()) from None
    return await ticket_out(ticket, call.now(), True)


@routes.add(
    "GET",
    "/communities/{community}/tickets",
    summary="A community's tickets (staff)",
    response=TicketPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[
        *PAGE_PARAMS,
        QueryParam("status", {"type": "string", "enum": [s.value for s in TicketStatus]}),
        QueryParam("category", {"type": "string", "pattern": r"^[a-z_]{1,32}$"}),
        QueryParam("building", {"type": "integer", "minimum": 1, "maximum": 999}),
        QueryParam("overdue", {"type": "string", "enum": ["true", "false"]}),
    ],
)
async def community_tickets(call: ApiRequest) -> TicketPage:
    community = await Community.get_or_none(code=call.path["community"])
    if community is None:
        raise ApiError(404, "not_found", content.text("api.no_community"))
    if not await is_staff(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    query = Ticket.filter(community=community)
    if "status" in call.query:
        query = query.filter(status=call.query["status"])
    if "category" in call.query:
        query = query.filter(category=call.query["category"])
    if "building" in call.query:
        query = query.filter(building__number=call.query["building"])
    now = call.now()
    if call.query.get("overdue") == "true":
        from tortoise.expressions import Q

        query = query.filter(
            Q(status__in=(TicketStatus.SUBMITTED, TicketStatus.REOPENED), respond_by__lt=now)
            | Q(status__in=OPEN_STATUSES, resolve_by__lt=now)
        )
    listed = await paginate(query, call.query, "resolve_by", "id")
    return TicketPage(items=[await ticket_out(t, now, True) for t in listed.rows], **listed.meta)


async def _visible(call: ApiRequest, ticket_id: int) -> tuple[Ticket, bool]:
    """The ticket, when the caller reported it or is staff of its community; and whether staff."""
    ticket = await Ticket.get_or_none(id=ticket_id)
    if ticket is None:
        raise ApiError(404, "not_found", content.text("repairs.no_such_ticket"))
    staff = await is_staff(call.caller, ticket.community_id)
    if not staff and ticket.reporter_id != call.caller.id:
        raise ApiError(404, "not_found", content.text("repairs.no_such_ticket"))
    return ticket, staff


@routes.add(
    "GET",
    "/tickets/{ticket_id}",
    summary="One ticket with its history",
    response=TicketDetail,
    path_params=TICKET_PARAM,
    errors=(404,),
)
async def one_ticket(call: ApiRequest) -> TicketDetail:
    ticket, staff = await _visible(call, call.path["ticket_id"])
    out = await ticket_out(ticket, call.now(), staff)
    events = await TicketEvent.filter(ticket=ticket).order_by("id")
    return TicketDetail(
        **out.model_dump(),
        photos=[
            p.id for p in await TicketPhoto.filter(ticket=ticket).exclude(data=None).only("id").order_by("id")
        ],
        events=[
            EventOut(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
                at=e.created_at,
            )
            for e in events
        ],
    )


class PhotoOut(BaseModel):
    id: int


@routes.add(
    "POST",
    "/tickets/{ticket_id}/photos",
    summary="Add a photo (staff: the work done)",
    response=PhotoOut,
    upload=True,
    status=201,
    errors=(403, 404),
    path_params=TICKET_PARAM,
)
async def add_photo(call: ApiRequest) -> PhotoOut:
    ticket, staff = await _visible(call, call.path["ticket_id"])
    if not staff:
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    image: Binary = call.body
    photo = await TicketPhoto.create(
        ticket=ticket, data=image.data, content_type=image.content_type, by_staff=True, created_at=call.now()
    )
    return PhotoOut(id=photo.id)


# after the fixed paths above: {action} would match them too
@routes.add(
    "POST",
    "/tickets/{ticket_id}/{action}",
    summary="Move a ticket (who may do what: see the states)",
    response=TicketOut,
    body=ActionIn,
    errors=(403, 404, 409, 422),
    path_params={**TICKET_PARAM, "action": {"type": "string", "enum": ACTIONS}},
)
async def act(call: ApiRequest) -> TicketOut:
    ticket, staff = await _visible(call, call.path["ticket_id"])
    body: ActionIn = call.body
    action = call.path["action"]
    values: dict[str, object] = {}
    try:
        if action == "confirm":
            if body.rating is None:
                raise ApiError(422, "rule_violation", content.text("repairs.rating_range"))
            moved = await workflow.rate(ticket.id, call.caller, body.rating, body.note, call.now())
        else:
            if action == "transfer":
                if body.role is None or body.role not in STAFF_ROLES - {RoleName.COMMITTEE}:
                    raise ApiError(422, "rule_violation", content.text("api.transfer_role"))
                values = {"handler_role": body.role.value, "assignee_id": None}
            moved = await workflow.move(ticket.id, action, call.caller, call.now(), note=body.note, **values)
    except Refusal as problem:
        raise refused(problem, _ERROR_STATUS) from None
    return await ticket_out(moved, call.now(), staff)


@routes.add(
    "GET",
    "/tickets/{ticket_id}/photos/{photo_id}",
    summary="A photo kept with a ticket",
    response=None,
    binary=True,
    errors=(404,),
    path_params={**TICKET_PARAM, "photo_id": {"type": "integer", "minimum": 1}},
)
async def ticket_photo(call: ApiRequest) -> Binary:
    ticket, _ = await _visible(call, call.path["ticket_id"])
    return await kept_photo(TicketPhoto, call.path["photo_id"], ticket=ticket)
