"""The household register, grids, verified homes and visits."""

from __future__ import annotations

from bot.feature import Feature
from handlers.register.import_api import routes as import_routes

feature = Feature("register", api=[*import_routes.all])
