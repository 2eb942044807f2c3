"""The household register, grids, verified homes and visits."""

from __future__ import annotations

from bot.feature import Feature
from handlers.register.grid_api import routes as grid_routes
from handlers.register.grid_dialog import router as grid_router

feature = Feature("register", routers=[grid_router], api=[*grid_routes.all])
