"""The street office's and the committee's set-up routes: a street office's communities, a community's
settings, its buildings. (Their figures are ``handlers.figures``'.)"""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.api.community import (
    COMMUNITY_CODE,
    COMMUNITY_PARAM,
    STREET_PARAM,
    overseer_of,
    staff_of,
    street_office_of,
)
from bot.api.core import ApiRequest, Routes, StrictIn
from handlers.register import community_queries as queries
from handlers.register import community_workflow as workflow
from handlers.register.community_queries import CommunityKind

routes = Routes(
    "set-up",
    refusals={
        "street.community_exists": 409,
        "street.street_exists": 409,
        "street.no_street": 404,
    },
)


class StreetOut(BaseModel):
    code: str
    name: str
    district: str
    phone: str


class CommunitySetupOut(BaseModel):
    code: str
    name: str
    kind: CommunityKind
    street: str | None = Field(description="the street office's code")
    district: str
    phone: str
    office: str = Field(description="where the office is (党群服务中心...)")
    hours: str = Field(description="office hours as written to residents")
    verify_household_votes: bool = Field(description="one vote per household needs a verified home")
    verify_owner_votes: bool = Field(description="owners-only consultations need a verified home")
    verify_wishes: bool = Field(description="a micro-wish needs a verified home")
    has_register: bool = Field(description="its household register has been imported")


class StreetCommunitiesOut(BaseModel):
    street: StreetOut
    items: list[CommunitySetupOut]


class CommunitySettingsIn(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=64)
    district: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    office: str | None = Field(default=None, max_length=128)
    hours: str | None = Field(default=None, max_length=128)
    verify_household_votes: bool | None = None
    verify_owner_votes: bool | None = None
    verify_wishes: bool | None = None

    def settings(self) -> workflow.CommunitySettings:
        return workflow.CommunitySettings(**self.model_dump(include=set(CommunitySettingsIn.model_fields)))


class NewCommunityIn(CommunitySettingsIn):
    code: str = Field(pattern=COMMUNITY_CODE)
    name: str = Field(min_length=1, max_length=64)
    kind: CommunityKind = CommunityKind.URBAN
    buildings: str = Field(default="", max_length=500, description="1-6:2,7:1,8:0,A座:2 (a village: 1-5)")
    rooms: list[str] = Field(default=[], max_length=50, description="1-6:6x2 (a village: 1-5:40)")


class BuildingsIn(StrictIn):
    spec: str = Field(default="", max_length=500, description="1-6:2,7:1,8:0,A座:2 (a village: 1-5)")
    rooms: list[str] = Field(default=[], max_length=50, description="1-6:6x2 (a village: 1-5:40)")


class BuildingOut(BaseModel):
    number: int
    name: str = Field(description="its name when it is not '{number}栋': A座, 3组")
    label: str = Field(description="how residents write it: 3栋, A座, 3组")
    units: int = Field(description="0 when it has none")
    homes: int


class BuildingsOut(BaseModel):
    items: list[BuildingOut]


def _community(row: queries.Community) -> CommunitySetupOut:
    street = row.street_office.code if row.street_office_id and row.street_office else None
    return CommunitySetupOut(
        code=row.code,
        name=row.name,
        kind=row.kind,
        street=street,
        district=row.district,
        phone=row.phone,
        office=row.office,
        hours=row.hours,
        verify_household_votes=row.verify_household_votes,
        verify_owner_votes=row.verify_owner_votes,
        verify_wishes=row.verify_wishes,
        has_register=row.register_at is not None,
    )


@routes.add(
    "GET",
    "/streets/{street}/communities",
    summary="A street office's communities (the street office)",
    response=StreetCommunitiesOut,
    path_params=STREET_PARAM,
    errors=(403, 404),
)
async def street_communities(call: ApiRequest) -> StreetCommunitiesOut:
    street = await street_office_of(call)
    listed = await queries.communities_of(street, with_street=True)
    return StreetCommunitiesOut(
        street=StreetOut(code=street.code, name=street.name, district=street.district, phone=street.phone),
        items=[_community(c) for c in listed],
    )


@routes.add(
    "POST",
    "/streets/{street}/communities",
    summary="Set up a community with its buildings (the street office)",
    response=CommunitySetupOut,
    body=NewCommunityIn,
    status=201,
    path_params=STREET_PARAM,
    errors=(403, 404, 409),
)
async def create_community(call: ApiRequest) -> CommunitySetupOut:
    street = await street_office_of(call)
    body: NewCommunityIn = call.body
    created = await workflow.create_community(
        workflow.CreateCommunity(
            code=body.code,
            name=body.name,
            kind=body.kind,
            street=street.code,
            settings=body.settings(),
            buildings=body.buildings,
            rooms=body.rooms,
        )
    )
    return _community(await _fresh(created.code))


@routes.add(
    "GET",
    "/communities/{community}",
    summary="A community's settings (its committee, its street office)",
    response=CommunitySetupOut,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def community_settings(call: ApiRequest) -> CommunitySetupOut:
    community = await overseer_of(call)
    return _community(await _fresh(community.code))


@routes.add(
    "PATCH",
    "/communities/{community}",
    summary="Change a community's office, hours and what needs a verified home (committee, street office)",
    response=CommunitySetupOut,
    body=CommunitySettingsIn,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def edit_community(call: ApiRequest) -> CommunitySetupOut:
    community = await overseer_of(call)
    await workflow.edit_community(community, call.body.settings())
    return _community(await _fresh(community.code))


@routes.add(
    "GET",
    "/communities/{community}/buildings",
    summary="A community's buildings (its staff, its street office)",
    response=BuildingsOut,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def list_buildings(call: ApiRequest) -> BuildingsOut:
    community = await staff_of(call)
    return BuildingsOut(items=[_building(b) for b in await queries.buildings(community)])


@routes.add(
    "POST",
    "/communities/{community}/buildings",
    summary="Add buildings (or correct their units) and rooms (committee, street office)",
    response=BuildingsOut,
    body=BuildingsIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def add_buildings(call: ApiRequest) -> BuildingsOut:
    community = await overseer_of(call)
    body: BuildingsIn = call.body
    await workflow.add_buildings(community, body.spec, body.rooms)
    return BuildingsOut(items=[_building(b) for b in await queries.buildings(community)])


def _building(row: queries.BuildingView) -> BuildingOut:
    return BuildingOut(number=row.number, name=row.name, label=row.label, units=row.units, homes=row.homes)


async def _fresh(code: str) -> queries.Community:
    found = await queries.community(code)
    assert found is not None, "just read or written"
    return found
