"""The REST side of tickets: residents report and follow their own; staff list, filter and move the ones
they see (``queries``: the same rule as the chat's). Contact details go to the staff who see it as staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, community_of
from bot.api.core import (
    PAGE_PARAMS,
    ApiError,
    ApiRequest,
    Binary,
    Paged,
    QueryParam,
    Routes,
    StrictIn,
    page_of,
)
from handlers.repairs import filters, queries, workflow
from handlers.repairs.categories import categories
from handlers.repairs.queries import RoleName, TicketFilter, TicketStatus, TicketView
from handlers.repairs.workflow import ReportRepair

routes = Routes(
    "tickets",
    refusals={
        "repairs.not_allowed": 403,
        "repairs.not_yours": 403,
        "repairs.no_such_ticket": 404,
        "repairs.not_now": 409,
        "repairs.someone_else": 409,
    },
)
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
    filed_for: str = Field(default="", description="代报: the resident a grid worker filed it for")


class TicketDetail(TicketOut):
    events: list[EventOut]
    photos: list[int] = Field(description="ids of the photos kept so far (GET .../photos/{id})")


class TicketPage(Paged[TicketOut]):
    pass


class ReportIn(StrictIn):
    category: str = Field(pattern=r"^[a-z_]{1,32}$")
    description: str = Field(min_length=2, max_length=2000)
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int = Field(default=0, ge=0, le=99)
    place: str = Field(default="", max_length=128)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice files one ticket")


class TicketActionIn(StrictIn):
    note: str = Field(default="", max_length=2000)
    rating: int | None = Field(default=None, ge=1, le=5)
    role: RoleName | None = Field(default=None, description="transfer: the role whose pool takes it")


def ticket_out(view: TicketView) -> TicketOut:
    return TicketOut.model_validate(asdict(view))


@routes.add("GET", "/tickets/mine", summary="My tickets", response=TicketPage, query=PAGE_PARAMS)
async def my_tickets(call: ApiRequest) -> TicketPage:
    mine = await queries.mine_page(call.caller, *page_of(call.query), call.now())
    return TicketPage(items=[ticket_out(v) for v in mine.rows], **mine.meta)


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
    building = await queries.building_numbered(caller.community_id, body.building)
    if body.building is not None and building is None:
        raise ApiError(422, "rule_violation", content.text("api.no_building"))
    ticket = await workflow.report(
        ReportRepair(
            reporter=caller,
            community_id=caller.community_id,
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
    return ticket_out((await queries.views([ticket], call.now(), with_contact=True))[0])


@routes.add(
    "GET",
    "/communities/{community}/tickets",
    summary="A community's tickets (staff: the ones in their roles' pools or theirs; the committee: all)",
    response=TicketPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[
        *PAGE_PARAMS,
        *(QueryParam(name, schema, text) for name, (schema, text) in filters.PARAMS.items()),
    ],
)
async def community_tickets(call: ApiRequest) -> TicketPage:
    community = await community_of(call)
    roles = await queries.staff_roles(call.caller, community.id)
    if roles is None:
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    try:
        chosen = TicketFilter.from_params(call.query, call.now())
    except ValueError as wrong:
        raise ApiError(400, "bad_request", content.text("api.bad_parameter", name=str(wrong))) from None
    listed = await queries.community_page(
        call.caller, community.id, roles, chosen, *page_of(call.query), call.now()
    )
    return TicketPage(items=[ticket_out(v) for v in listed.rows], **listed.meta)


@routes.add(
    "GET",
    "/tickets/{ticket_id}",
    summary="One ticket with its history",
    response=TicketDetail,
    path_params=TICKET_PARAM,
    errors=(404,),
)
async def one_ticket(call: ApiRequest) -> TicketDetail:
    seen = await queries.seen_by(call.caller, call.path["ticket_id"])
    detail = await queries.detail(seen, call.now())
    return TicketDetail(
        **asdict(detail.ticket),
        photos=detail.photos,
        events=[EventOut.model_validate(asdict(e)) for e in detail.events],
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
    seen = await queries.seen_by(call.caller, call.path["ticket_id"])
    image: Binary = call.body
    photo_id = await workflow.add_photo(
        seen.ticket.id, call.caller, image.data, image.content_type, call.now()
    )
    return PhotoOut(id=photo_id)


# after the fixed paths above: {action} would match them too
@routes.add(
    "POST",
    "/tickets/{ticket_id}/{action}",
    summary="Move a ticket (who may do what: see the states)",
    response=TicketOut,
    body=TicketActionIn,
    errors=(403, 404, 409, 422),
    path_params={**TICKET_PARAM, "action": {"type": "string", "enum": ACTIONS}},
)
async def act(call: ApiRequest) -> TicketOut:
    seen = await queries.seen_by(call.caller, call.path["ticket_id"])
    body: TicketActionIn = call.body
    action = call.path["action"]
    ticket_id, now = seen.ticket.id, call.now()
    if action == "confirm":
        if body.rating is None:
            raise ApiError(422, "rule_violation", content.text("repairs.rating_range"))
        moved = await workflow.rate(ticket_id, call.caller, body.rating, body.note, now)
    elif action == "transfer":
        if body.role is None:
            raise ApiError(422, "rule_violation", content.text("api.transfer_role"))
        moved = await workflow.transfer(ticket_id, body.role, call.caller, now, body.note)
    else:
        moved = await workflow.move(ticket_id, action, call.caller, now, note=body.note)
    return ticket_out((await queries.views([moved], now, with_contact=seen.as_staff))[0])


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
    seen = await queries.seen_by(call.caller, call.path["ticket_id"])
    return await queries.photo(seen, call.path["photo_id"])
