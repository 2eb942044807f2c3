"""One package per feature, each a vertical slice: workflow (no transport), chat dialog, REST routes."""

from __future__ import annotations

from bot.api.core import ApiRoute
from bot.dispatcher import Router


def routers() -> list[Router]:
    """Every feature's router, in dispatch order: global words first, the catch-all last."""
    from handlers.common import fallback_router, global_router
    from handlers.residents import router as residents

    return [global_router, residents, fallback_router]


def api_routes() -> list[ApiRoute]:
    """Every feature's REST routes (mounted under /api/v1)."""
    from handlers.residents.api import routes as residents
    from handlers.residents.staff_api import routes as staff

    return [*residents.all, *staff.all]
