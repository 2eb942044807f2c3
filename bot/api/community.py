"""Shared by every slice's community routes: the community path parameter and who may act on it."""

from __future__ import annotations

import content
from bot.api.core import ApiError, ApiRequest
from storage.models import Community, StreetOffice
from storage.roles import CommunityRule, answers_messages, is_staff, on_committee, oversees, works_for_street

COMMUNITY_CODE = r"^[a-z0-9_-]{1,32}$"
COMMUNITY_PARAM = {"community": {"type": "string", "pattern": COMMUNITY_CODE}}
STREET_PARAM = {"street": {"type": "string", "pattern": COMMUNITY_CODE}}


async def community_of(call: ApiRequest) -> Community:
    """The community in the path (404 when there is none)."""
    community = await Community.get_or_none(code=call.path["community"])
    if community is None:
        raise ApiError(404, "not_found", content.text("api.no_community"))
    return community


async def allowed_community(call: ApiRequest, rule: CommunityRule) -> Community:
    """The community in the path, when the caller passes ``rule`` there (403 otherwise)."""
    community = await community_of(call)
    if not await rule(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return community


async def committee_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is on its committee (role *and* community)."""
    return await allowed_community(call, on_committee)


async def staff_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is one of its staff (committee, grid worker, property,
    mediator, street office)."""
    return await allowed_community(call, is_staff)


async def answerer_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller reads and answers its residents' messages (committee,
    grid worker, street office)."""
    return await allowed_community(call, answers_messages)


async def overseer_of(call: ApiRequest) -> Community:
    """The community in the path, when the caller is on its committee or works for its street office."""
    return await allowed_community(call, oversees)


async def street_office_of(call: ApiRequest) -> StreetOffice:
    """The street office in the path, when the caller works for it (holds its role in its communities)."""
    street = await StreetOffice.get_or_none(code=call.path["street"])
    if street is None:
        raise ApiError(404, "not_found", content.text("api.no_street"))
    if not await works_for_street(call.caller, street.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return street
