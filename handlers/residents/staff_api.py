"""Staff management for committee members: who has which role in their community, grant, revoke, invite."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, committee_of
from bot.api.core import PAGE_PARAMS, ApiError, ApiRequest, Paged, Routes, StrictIn, page_of
from handlers.residents import queries, workflow
from handlers.residents.queries import RoleName, RoleView

routes = Routes("staff")


class PersonRef(BaseModel):
    id: int
    name: str


class StaffRoleOut(BaseModel):
    id: int
    person: PersonRef
    role: RoleName
    granted_at: dt.datetime


class StaffRolePage(Paged[StaffRoleOut]):
    pass


class GrantIn(StrictIn):
    person_id: int = Field(ge=1, le=999_999_999)
    role: RoleName


class InviteIn(StrictIn):
    role: RoleName


class InviteOut(BaseModel):
    code: str
    role: RoleName
    expires_at: dt.datetime


def _out(role: RoleView) -> StaffRoleOut:
    return StaffRoleOut(
        id=role.id,
        person=PersonRef(id=role.person_id, name=role.person_name),
        role=role.role,
        granted_at=role.granted_at,
    )


@routes.add(
    "GET",
    "/communities/{community}/roles",
    summary="Roles in a community (committee)",
    response=StaffRolePage,
    query=PAGE_PARAMS,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def list_roles(call: ApiRequest) -> StaffRolePage:
    community = await committee_of(call)
    listed = await queries.roles_in(community, *page_of(call.query))
    return StaffRolePage(items=[_out(r) for r in listed.rows], **listed.meta)


@routes.add(
    "POST",
    "/communities/{community}/roles",
    summary="Grant a role (committee)",
    response=StaffRoleOut,
    body=GrantIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 409),
)
async def grant_role(call: ApiRequest) -> StaffRoleOut:
    community = await committee_of(call)
    body: GrantIn = call.body
    person = await queries.person(body.person_id)
    if person is None:
        raise ApiError(404, "not_found", content.text("api.no_person"))
    if not await workflow.grant_role(person, community, body.role, by=call.caller):
        raise ApiError(409, "conflict", content.text("api.role_exists"))
    return _out(await queries.role(person, community, body.role))


@routes.add(
    "DELETE",
    "/communities/{community}/roles/{role_id}",
    summary="Revoke a role (committee)",
    response=None,
    status=204,
    errors=(403, 404),
    path_params={**COMMUNITY_PARAM, "role_id": {"type": "integer", "minimum": 1}},
)
async def revoke_role(call: ApiRequest) -> None:
    community = await committee_of(call)
    if not await workflow.revoke_role_by_id(call.path["role_id"], community):
        raise ApiError(404, "not_found", content.text("api.not_found"))


@routes.add(
    "POST",
    "/communities/{community}/invites",
    summary="A one-time invite code (committee)",
    response=InviteOut,
    body=InviteIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def create_invite(call: ApiRequest) -> InviteOut:
    community = await committee_of(call)
    invite = await workflow.create_invite(call.caller, community, call.body.role, call.now())
    return InviteOut(code=invite.code, role=invite.role, expires_at=invite.expires_at)
