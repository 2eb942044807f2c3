"""Verified homes over REST: the bindings staff may decide, confirm and reject them; a phone WeChat
proved in the mini-program (getPhoneNumber)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, staff_of
from bot.api.core import PAGE_PARAMS, ApiError, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from bot.wechat.client import WeChatAPIError
from handlers.register import verify_queries as queries
from handlers.register import verify_workflow as workflow
from handlers.register.verify_queries import BindingMethod, BindingStatus, BindingView
from handlers.residents.api import MeOut, me_of

routes = Routes(
    "bindings",
    refusals={
        "verify.not_allowed": 403,
        "verify.no_such_binding": 404,
        "verify.not_pending": 409,
        "verify.member_taken": 409,
    },
)

BINDING_PARAM = {"binding_id": {"type": "integer", "minimum": 1, "maximum": 999_999_999}}
PHONE_CODE_ERRORS = {40029, 40163, 40226, 41001, 1400001}  # invalid, used, high-risk, missing, quota


class MemberOut(BaseModel):
    id: int
    name: str
    bound: bool = Field(description="someone is already bound as this register member")


class BindingOut(BaseModel):
    id: int
    number: str = Field(description="how staff and the resident name it: B12")
    status: BindingStatus
    method: BindingMethod
    community: str
    address: str
    said_name: str
    said_phone: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str
    resident_id: int | None = Field(description="the register member it is linked to")
    members: list[MemberOut] = Field(description="the home's active register members")


class BindingPage(Paged[BindingOut]):
    pass


class ConfirmIn(StrictIn):
    resident_id: int | None = Field(default=None, ge=1, le=999_999_999, description="the register member")


class RejectIn(StrictIn):
    reason: str = Field(min_length=2, max_length=200)


class PhoneIn(StrictIn):
    code: str = Field(min_length=1, max_length=128, description="getPhoneNumber's code")


def _out(v: BindingView) -> BindingOut:
    return BindingOut(
        id=v.id,
        number=v.number,
        status=v.status,
        method=v.method,
        community=v.community_code,
        address=v.address,
        said_name=v.said_name,
        said_phone=v.said_phone,
        requested_at=v.requested_at,
        decided_at=v.decided_at,
        reason=v.reason,
        resident_id=v.resident_id,
        members=[MemberOut(id=m.id, name=m.name, bound=m.bound) for m in v.members],
    )


@routes.add(
    "GET",
    "/communities/{community}/bindings",
    summary="Bindings of homes the caller may confirm (committee, the building's grid worker)",
    response=BindingPage,
    query=[*PAGE_PARAMS, QueryParam("status", {"type": "string", "enum": [s.value for s in BindingStatus]})],
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def list_bindings(call: ApiRequest) -> BindingPage:
    community = await staff_of(call)
    listed = await queries.community_page(
        community, call.caller, call.query.get("status"), *page_of(call.query)
    )
    return BindingPage(items=[_out(v) for v in listed.rows], **listed.meta)


@routes.add(
    "POST",
    "/bindings/{binding_id}/confirm",
    summary="Confirm a pending binding, linked to a register member (committee, the grid worker)",
    response=BindingOut,
    body=ConfirmIn,
    path_params=BINDING_PARAM,
    errors=(403, 404, 409, 422),
)
async def confirm_binding(call: ApiRequest) -> BindingOut:
    body: ConfirmIn = call.body
    binding = await workflow.confirm(
        call.path["binding_id"], call.caller, call.now(), resident_id=body.resident_id
    )
    return _out(await queries.view(binding.id))


@routes.add(
    "POST",
    "/bindings/{binding_id}/revoke",
    summary="End a binding that should not stand, voiding its household votes in open consultations "
    "(committee)",
    response=BindingOut,
    body=RejectIn,
    path_params=BINDING_PARAM,
    errors=(403, 404, 409, 422),
)
async def revoke_binding(call: ApiRequest) -> BindingOut:
    binding = await workflow.revoke(call.path["binding_id"], call.caller, call.body.reason, call.now())
    return _out(await queries.view(binding.id))


@routes.add(
    "POST",
    "/bindings/{binding_id}/reject",
    summary="Reject a pending binding with a reason the resident is told (committee, the grid worker)",
    response=BindingOut,
    body=RejectIn,
    path_params=BINDING_PARAM,
    errors=(403, 404, 409, 422),
)
async def reject_binding(call: ApiRequest) -> BindingOut:
    binding = await workflow.reject(call.path["binding_id"], call.caller, call.body.reason, call.now())
    return _out(await queries.view(binding.id))


@routes.add(
    "POST",
    "/me/phone",
    summary="Prove my phone number with WeChat (getPhoneNumber): verifies my home, takes up staff roles",
    response=MeOut,
    body=PhoneIn,
    errors=(422, 503),
)
async def prove_my_phone(call: ApiRequest) -> MeOut:
    try:
        number = await call.services.wechat.phone_number(call.body.code)
    except WeChatAPIError as exc:
        if exc.errcode in PHONE_CODE_ERRORS:
            raise ApiError(422, "invalid_code", content.text("verify.phone_invalid")) from None
        raise ApiError(503, "wechat_unavailable", content.text("api.wechat_unavailable")) from None
    person = await workflow.prove_phone(call.caller, number, call.now())
    return await me_of(person.id)
