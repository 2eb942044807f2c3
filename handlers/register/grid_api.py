"""The REST side of grids: a resident's grid worker, a grid worker's own grid, the committee's grids, visits
(走访) and reports filed for a resident (代报). Care needs go to the grid's staff and the committee only."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, community_of
from bot.api.core import PAGE_PARAMS, ApiError, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.register import grid_queries as queries
from handlers.register import grid_workflow as workflow
from handlers.register.grid_queries import VisitView
from handlers.register.grid_workflow import FileForResident, RecordVisit
from handlers.repairs import queries as tickets
from handlers.repairs.api import TicketOut, ticket_out
from handlers.repairs.categories import categories
from nlp.slots import Address

routes = Routes(
    "grids",
    refusals={
        "grids.staff_only": 403,
        "grids.file_staff_only": 403,
        "grids.not_grid_staff": 403,
        "grids.not_your_grid": 403,
    },
)


class StaffContactOut(BaseModel):
    name: str
    phone: str
    duty_hours: str
    deputy: bool


class OfficeOut(BaseModel):
    name: str
    phone: str
    office: str
    hours: str


class GridContactOut(BaseModel):
    building: str
    grid: str = Field(description="empty when the building is in no grid")
    staff: list[StaffContactOut] = Field(description="workers first, then deputies; empty when none yet")
    head: StaffContactOut | None = Field(description="楼栋长, when recorded")
    office: OfficeOut = Field(description="the community office: whom to call when there is no grid worker")


class OpenTicketOut(BaseModel):
    id: int
    number: str
    category: str
    place: str
    created_at: dt.datetime
    filed_for: str


class CareOut(BaseModel):
    id: int
    name: str
    home: str
    needs: list[str]


class UnboundOut(BaseModel):
    id: int
    name: str
    home: str


class GridOverviewOut(BaseModel):
    grids: list[str]
    buildings: list[str]
    open_tickets: int
    oldest: list[OpenTicketOut]
    care: list[CareOut] = Field(description="residents with care needs: for the grid's staff only")
    unbound: int = Field(description="register residents not yet bound to the account")
    unbound_some: list[UnboundOut]


class GridStaffOut(BaseModel):
    person_id: int
    name: str
    phone: str
    deputy: bool
    duty_hours: str


class GridOut(BaseModel):
    id: int
    code: str
    name: str
    buildings: list[str]
    staff: list[GridStaffOut]
    head_count: int
    households: int
    residents: int
    care: int
    unbound: int
    open_tickets: int


class GridList(BaseModel):
    items: list[GridOut]


class VisitIn(StrictIn):
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int | None = Field(default=None, ge=0, le=99)
    room: str | None = Field(default=None, pattern=r"^[0-9A-Za-z\-]{1,8}$")
    name: str = Field(default="", max_length=32, description="whom: a name or how neighbours call them")
    found: str = Field(min_length=1, max_length=2000)
    follow_up: str = Field(default="", max_length=2000)
    visited_at: dt.datetime | None = Field(default=None, description="now when not given")


class VisitOut(BaseModel):
    id: int
    by: str
    whom: str
    place: str
    resident: str = Field(description="the register resident it was matched to, empty when none")
    visited_at: dt.datetime
    found: str
    follow_up: str


class VisitPage(Paged[VisitOut]):
    pass


class FiledIn(StrictIn):
    category: str = Field(pattern=r"^[a-z_]{1,32}$")
    description: str = Field(min_length=2, max_length=2000)
    filed_for: str = Field(min_length=1, max_length=32, description="the resident: a name or 李奶奶")
    building: int | None = Field(default=None, ge=1, le=999)
    unit: int | None = Field(default=None, ge=0, le=99)
    room: str | None = Field(default=None, pattern=r"^[0-9A-Za-z\-]{1,8}$")
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice files one ticket")


def _address(building: int | None, unit: int | None, room: str | None) -> Address:
    return Address(building=building, unit=unit or None, room=room)


def _visit_out(view: VisitView) -> VisitOut:
    return VisitOut.model_validate(asdict(view))


@routes.add(
    "GET",
    "/me/grid-worker",
    summary="My grid worker (and deputies, 楼栋长), or the community office when there is none",
    response=GridContactOut,
    errors=(422,),
)
async def my_grid_worker(call: ApiRequest) -> GridContactOut:
    contact = await queries.grid_contact(call.caller)
    if contact is None:
        raise ApiError(422, "rule_violation", content.text("residents.bind_first"))
    return GridContactOut.model_validate(asdict(contact))


@routes.add(
    "GET",
    "/me/grid",
    summary="My grid (grid workers): buildings, open tickets, residents with care needs, not yet bound",
    response=GridOverviewOut,
    errors=(403,),
)
async def my_grid(call: ApiRequest) -> GridOverviewOut:
    community_id = await queries.staff_community(call.caller)
    found = await queries.overview(call.caller, community_id) if community_id is not None else None
    if found is None:
        raise ApiError(403, "forbidden", content.text("grids.not_grid_staff"))
    return GridOverviewOut.model_validate(asdict(found))


@routes.add(
    "GET",
    "/communities/{community}/grids",
    summary="Every grid with its buildings, staff and figures (committee)",
    response=GridList,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def community_grids(call: ApiRequest) -> GridList:
    community = await community_of(call)
    if not await queries.oversees(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return GridList(items=[GridOut.model_validate(asdict(g)) for g in await queries.grids_of(community.id)])


@routes.add(
    "POST",
    "/communities/{community}/visits",
    summary="Record a visit (grid workers and the committee)",
    response=VisitOut,
    body=VisitIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def record_visit(call: ApiRequest) -> VisitOut:
    community = await community_of(call)
    body: VisitIn = call.body
    address = _address(body.building, body.unit, body.room)
    if address.empty and not body.name.strip():
        raise ApiError(422, "rule_violation", content.text("grids.whom_missing"))
    seen, _ = await workflow.record_visit(
        RecordVisit(
            by=call.caller,
            community_id=community.id,
            address=address,
            name=body.name,
            found=body.found,
            follow_up=body.follow_up,
            visited_at=body.visited_at,
        ),
        call.now(),
    )
    return _visit_out(seen)


@routes.add(
    "GET",
    "/communities/{community}/visits",
    summary="Visits, newest first (the committee: all, or one grid's; a grid worker: their own)",
    response=VisitPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[
        *PAGE_PARAMS,
        QueryParam("grid", {"type": "string", "pattern": r"^.{1,32}$"}, "a grid's code"),
        QueryParam("since", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, "from this day on"),
    ],
)
async def list_visits(call: ApiRequest) -> VisitPage:
    community = await community_of(call)
    since = None
    if "since" in call.query:
        try:
            day = dt.date.fromisoformat(call.query["since"])
        except ValueError:
            raise ApiError(400, "bad_request", content.text("api.bad_parameter", name="since")) from None
        since = dt.datetime.combine(day, dt.time(), tzinfo=call.now().tzinfo)
    listed = await queries.visits_page(
        call.caller, community.id, call.query.get("grid"), since, *page_of(call.query)
    )
    return VisitPage(items=[_visit_out(v) for v in listed.rows], **listed.meta)


@routes.add(
    "POST",
    "/communities/{community}/tickets",
    summary="File a ticket for a resident (代报: grid workers and the committee)",
    response=TicketOut,
    body=FiledIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def file_for_resident(call: ApiRequest) -> TicketOut:
    community = await community_of(call)
    body: FiledIn = call.body
    category = categories().get(body.category)
    if category is None:
        raise ApiError(422, "rule_violation", content.text("api.no_category"))
    ticket, _ = await workflow.file_for_resident(
        FileForResident(
            by=call.caller,
            community_id=community.id,
            address=_address(body.building, body.unit, body.room),
            name=body.filed_for,
            category=category,
            description=body.description,
            source_key=f"api:{call.caller.id}:{body.client_key}",
        ),
        call.now(),
    )
    return ticket_out((await tickets.views([ticket], call.now(), with_contact=True))[0])
