"""One package per feature, each a vertical slice: workflow (no transport), chat dialog, REST routes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.api.core import ApiRoute
from bot.config import Settings
from bot.dispatcher import Router
from bot.wechat.client import WeChatClient
from handlers.common.requests import RequestSource


def routers() -> list[Router]:
    """Every feature's router, in dispatch order: global words first, the catch-all last."""
    from handlers.common import fallback_router, global_router, staff_messages_router
    from handlers.repairs.dialog import router as repairs
    from handlers.residents import router as residents
    from handlers.services.dialog import router as services
    from handlers.votes.committee_dialog import router as vote_committee
    from handlers.votes.dialog import router as votes
    from handlers.wishes.dialog import router as wishes
    from handlers.wishes.service_dialog import router as wish_service

    # wishes and votes before repairs: their commands ("退回 W2611-0003 ...", "意见 ...") must not be read
    # as a repair report
    return [
        global_router,
        staff_messages_router,
        residents,
        wish_service,
        wishes,
        vote_committee,
        votes,
        repairs,
        services,  # the last resort before the fallback: a question the catalog answers
        fallback_router,
    ]


def configure(settings: Settings) -> None:
    """What features need from the deployment's settings before they serve (where its own content is), and
    what they build once per process before the first message (the catalog's search: about a second)."""
    from handlers.services import catalog, search

    catalog.configure(settings.effective_content_dir)
    search.warm_up(catalog.known_communities())


def request_sources() -> list[RequestSource]:
    """Every feature's "my requests" (the residents' API merges them)."""
    from handlers.common.requests import staff_messages
    from handlers.repairs.workflow import requests_of as tickets
    from handlers.votes.workflow import requests_of as proposals
    from handlers.wishes.workflow import requests_of as wishes

    return [staff_messages, tickets, wishes, proposals]


def api_routes() -> list[ApiRoute]:
    """Every feature's REST routes (mounted under /api/v1)."""
    from handlers.repairs.api import routes as tickets
    from handlers.residents.api import routes as residents
    from handlers.residents.staff_api import routes as staff
    from handlers.services.api import routes as services
    from handlers.votes.api import routes as consultations
    from handlers.wishes.api import routes as wishes

    return [*residents.all, *staff.all, *tickets.all, *wishes.all, *consultations.all, *services.all]


def periodic_jobs(
    settings: Settings, wechat: WeChatClient
) -> list[Callable[[dt.datetime], Awaitable[object]]]:
    """What must happen on the clock, not on a message (run by every serve process and every worker)."""
    from handlers.common.photos import fetch_photos
    from handlers.repairs import workflow as repairs
    from handlers.repairs.models import TicketPhoto
    from handlers.votes import workflow as votes
    from handlers.wishes import workflow as wishes
    from handlers.wishes.models import WishPhoto

    close_after = dt.timedelta(days=settings.repairs_autoclose_days)

    async def repairs_sweep(now: dt.datetime) -> object:
        return await repairs.sweep(now, close_after)

    async def repair_photos(now: dt.datetime) -> object:
        return await fetch_photos(wechat, now, TicketPhoto)

    async def wishes_sweep(now: dt.datetime) -> object:
        return await wishes.sweep(now)

    async def wish_photos(now: dt.datetime) -> object:
        return await fetch_photos(wechat, now, WishPhoto)

    return [repairs_sweep, repair_photos, wishes_sweep, wish_photos, votes.sweep]
