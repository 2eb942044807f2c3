"""The figures over REST: a community's (its committee, grid workers and street office), a street office's
(its staff), and a community's public ones (居务公开: anyone, no sign-in)."""

from __future__ import annotations

import content
from bot.api.community import COMMUNITY_PARAM, STREET_PARAM, community_of, street_office_of
from bot.api.core import ApiError, ApiRequest, QueryParam, Routes
from handlers.figures import queries
from handlers.figures.period import Period, chosen
from handlers.figures.views import Overview

routes = Routes("figures")

DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PERIOD_PARAMS = [
    QueryParam("start", {"type": "string", "pattern": DAY}, "the first day (default: this month's first)"),
    QueryParam(
        "end", {"type": "string", "pattern": DAY}, "the day after the last (default: next month's first)"
    ),
    QueryParam("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "a calendar year instead"),
]


def _period(call: ApiRequest) -> Period:
    try:
        return chosen(call.query, call.now().date())
    except ValueError as wrong:
        raise ApiError(400, "bad_request", content.text("api.bad_parameter", name=str(wrong))) from None


@routes.add(
    "GET",
    "/communities/{community}/figures",
    summary="A community's figures for a period: 办结率, 按时办结率, 响应及时率, 满意度, wishes, volunteers, "
    "turnout, messages; by category, month, grid, building, handler (committee, grid workers, street office)",
    response=Overview,
    path_params=COMMUNITY_PARAM,
    query=PERIOD_PARAMS,
    errors=(400, 403, 404, 422),
)
async def community_figures(call: ApiRequest) -> Overview:
    community = await community_of(call)
    if not await queries.may_read(call.caller, community.id):
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    return await queries.community_overview(community, _period(call), call.now())


@routes.add(
    "GET",
    "/streets/{street}/figures",
    summary="A street office's figures for a period, in all and per community (the street office)",
    response=Overview,
    path_params=STREET_PARAM,
    query=PERIOD_PARAMS,
    errors=(400, 403, 404, 422),
)
async def street_figures(call: ApiRequest) -> Overview:
    street = await street_office_of(call)
    return await queries.street_overview(street, _period(call), call.now())


@routes.add(
    "GET",
    "/public/communities/{community}/figures",
    summary="居务公开: a community's figures for a period, aggregates only (no names, no links)",
    response=Overview,
    path_params=COMMUNITY_PARAM,
    query=PERIOD_PARAMS,
    auth=False,
    errors=(400, 404, 422),
)
async def public_figures(call: ApiRequest) -> Overview:
    community = await community_of(call)
    return await queries.public_overview(community, _period(call), call.now())
