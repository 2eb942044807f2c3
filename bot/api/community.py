"""Shared by every slice's community routes: the community path parameter and who may act on it."""

from __future__ import annotations

import content
from bot.api.core import ApiError, ApiRequest
from storage.models import OVERSEERS, Community, RoleName, StreetOffice
from storage.roles import answers_messages, is_staff, roles_of, works_for_street

COMMUNITY_CODE = r"^[a-z0-9_-]{1,32}$"
COMMUNITY_PARAM = {"community": {"type": "string", "pattern": COMMUNITY_CODE}}
STREET_PARAM = {"street": {"type": "string", "pattern": COMMUNITY_CODE}}


async def community_of(call: ApiRequest) -> Community:
    """The community in the path (404 when there is none)."""
    community = await Community.get_or_none(code=call.path["community"])
    if community is None:
        raise ApiError(404, "not_found", content.text("api.no_community"))
    return community


async def committee_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is on its committee (role *and* community)."""
    community = await community_of(call)
    if RoleName.COMMITTEE not in await roles_of(call.caller, community):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return community


async def staff_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is one of its staff (committee, grid worker, property,
    mediator)."""
    community = await community_of(call)
    if not await is_staff(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return community


async def answerer_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller reads and answers its residents' messages (committee,
    grid worker, street office)."""
    community = await community_of(call)
    if not await answers_messages(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return community


async def overseer_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is on its committee or works for its street office."""
    community = await community_of(call)
    if not OVERSEERS & await roles_of(call.caller, community):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return community


async def street_office_of(call: ApiRequest) -> StreetOffice:
    """The street office in the path, when the caller works for it (holds its role in its communities)."""
    street = await StreetOffice.get_or_none(code=call.path["street"])
    if street is None:
        raise ApiError(404, "not_found", content.text("api.no_street"))
    if not await works_for_street(call.caller, street.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return street
