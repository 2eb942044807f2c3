"""The residents' REST routes: login, who am I, bind my home, link the chat identity, my requests."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

import content
import handlers
from bot.api.community import COMMUNITY_CODE
from bot.api.core import PAGE_PARAMS, ApiError, ApiRequest, Paged, Routes, StrictIn, bearer_token, page_of
from bot.api.sessions import create_session, session_key
from bot.wechat.client import WeChatAPIError
from handlers.register import verify_queries
from handlers.register.verify_queries import HomeStatus
from handlers.residents import queries, workflow
from handlers.residents.queries import RoleName
from nlp.slots import Address

routes = Routes("residents", refusals={"residents.already_linked": 409, "residents.link_too_many_tries": 429})

CODE_ERRORS = {40029, 40163, 40226}  # invalid, already used, high-risk user


class LoginIn(StrictIn):
    code: str = Field(min_length=1, max_length=128, description="wx.login() code")


class LoginOut(BaseModel):
    token: str
    expires_in: int = Field(description="seconds")
    person_id: int


class CommunityOut(BaseModel):
    code: str
    name: str


class HomeOut(BaseModel):
    community: CommunityOut
    building: int
    unit: int = Field(description="0 when the building has no units")
    room: str
    address: str
    verification: HomeStatus = Field(
        description="checked against the community's register (verified), waiting for staff (pending), not "
        "checked though the community has a register (unverified), or no register to check (unchecked)"
    )


class RoleOut(BaseModel):
    community: str
    role: RoleName


class MeOut(BaseModel):
    id: int
    name: str
    phone: str | None = Field(description="the caller's own number; nobody else's is ever returned")
    community: CommunityOut | None
    home: HomeOut | None
    roles: list[RoleOut]
    official_account: bool = Field(description="linked to a follower of the Official Account")


class HomeIn(StrictIn):
    community: str = Field(pattern=COMMUNITY_CODE)
    building: int = Field(ge=1, le=999)
    unit: int = Field(default=0, ge=0, le=99)
    room: str = Field(pattern=r"^[0-9]{1,5}$")
    name: str = Field(default="", max_length=32, description="checked against the register, when it has one")
    phone: str = Field(default="", pattern=r"^(1[3-9][0-9]{9})?$", description="checked like the name")
    add: bool = Field(default=False, description="a second home: the homes bound before are kept")


class LinkIn(StrictIn):
    code: str = Field(pattern=r"^[0-9]{8}$", description="the code the Official Account chat gave")


class RequestOut(BaseModel):
    kind: Literal["staff_message", "ticket", "wish", "proposal"]
    id: int
    number: str
    text: str
    status: str
    status_label: str
    created_at: dt.datetime


class RequestPage(Paged[RequestOut]):
    pass


async def me_of(person_id: int) -> MeOut:
    found = await queries.person(person_id)
    assert found is not None
    me = await queries.me(found)
    home = me.home
    status = await verify_queries.home_status(found)
    return MeOut(
        id=found.id,
        name=found.name,
        phone=found.phone,
        community=CommunityOut(code=me.community.code, name=me.community.name) if me.community else None,
        home=HomeOut(
            community=CommunityOut(code=home.community.code, name=home.community.name),
            building=home.building.number,
            unit=home.unit,
            room=home.room,
            address=home.describe(),
            verification=status or "unchecked",
        )
        if home
        else None,
        roles=[RoleOut(community=code, role=role) for code, role in me.roles],
        official_account=bool(found.openid),
    )


@routes.add(
    "POST",
    "/auth/login",
    summary="Exchange a mini-program login code for a session token",
    response=LoginOut,
    body=LoginIn,
    auth=False,
    limit="login",
    errors=(401, 503),
)
async def login(call: ApiRequest) -> LoginOut:
    try:
        identity = await call.services.wechat.jscode2session(call.body.code)
    except WeChatAPIError as exc:
        if exc.errcode in CODE_ERRORS:
            raise ApiError(401, "invalid_code", content.text("api.invalid_code")) from None
        raise ApiError(503, "wechat_unavailable", content.text("api.wechat_unavailable")) from None
    mp_openid = identity.get("openid", "")
    if not mp_openid:
        raise ApiError(503, "wechat_unavailable", content.text("api.wechat_unavailable"))
    person = await workflow.person_for_login(mp_openid, identity.get("unionid"))
    ttl = call.services.session_ttl
    token = await create_session(call.services.store, person.id, ttl)
    return LoginOut(token=token, expires_in=ttl, person_id=person.id)


@routes.add("GET", "/me", summary="Who am I: my home and my roles", response=MeOut)
async def me(call: ApiRequest) -> MeOut:
    return await me_of(call.caller.id)


@routes.add("PUT", "/me/home", summary="Bind my home", response=MeOut, body=HomeIn, errors=(404, 422))
async def bind_my_home(call: ApiRequest) -> MeOut:
    body: HomeIn = call.body
    community = await queries.community_by_code(body.community)
    if community is None:
        raise ApiError(404, "not_found", content.text("api.no_community"))
    home = await workflow.resolve_address(community, Address(body.building, body.unit or None, body.room))
    await workflow.bind_home(
        call.caller, home, call.now(), name=body.name, phone=body.phone, keep_others=body.add
    )
    return await me_of(call.caller.id)


class LinkOut(BaseModel):
    status: Literal["pending"] = Field(
        description="the follower is asked in the chat to confirm (回复“确认关联”); GET /me shows the link"
    )


@routes.add(
    "POST",
    "/me/link",
    summary="Ask to link my Official Account chat identity (code from the chat); the chat confirms it",
    response=LinkOut,
    body=LinkIn,
    status=202,
    errors=(409, 422, 429),
)
async def link_official_account(call: ApiRequest) -> LinkOut:
    session = session_key(bearer_token(call.request))
    await workflow.request_link(call.services.store, call.caller, call.body.code, session, call.now())
    return LinkOut(status="pending")


@routes.add(
    "GET",
    "/me/requests",
    summary="My requests of every kind (tickets, wishes, proposals, messages for staff), newest first",
    response=RequestPage,
    query=PAGE_PARAMS,
)
async def my_requests(call: ApiRequest) -> RequestPage:
    page, per_page = page_of(call.query)
    total, items = 0, []
    for source in handlers.request_sources():  # each gives its newest page*per_page: enough to merge
        count, newest = await source(call.caller, page * per_page)
        total += count
        items += newest
    items.sort(key=lambda r: (r.created_at, r.kind, r.id), reverse=True)
    shown = items[(page - 1) * per_page : page * per_page]
    return RequestPage(
        items=[RequestOut(**vars(r)) for r in shown], page=page, per_page=per_page, total=total
    )
