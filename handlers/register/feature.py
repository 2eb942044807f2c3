"""The household register, grids, verified homes and visits; street offices and communities set up."""

from __future__ import annotations

from bot.feature import Feature
from handlers.register.community_api import routes as community_api
from handlers.register.console import pages as register_pages
from handlers.register.grid_api import routes as grid_routes
from handlers.register.grid_console import pages as grid_pages
from handlers.register.grid_dialog import router as grid_router
from handlers.register.import_api import routes as import_routes
from handlers.register.import_console import pages as import_pages
from handlers.register.verify_api import routes as verify_api
from handlers.register.verify_console import pages as verify_pages
from handlers.register.verify_dialog import router as verify_router

feature = Feature(
    "register",
    routers=[verify_router, grid_router],
    api=[*community_api.all, *verify_api.all, *import_routes.all, *grid_routes.all],
    console=[*register_pages.all, *grid_pages.all, *verify_pages.all, *import_pages.all],
)
