"""The household register, grids, verified homes and visits."""

from __future__ import annotations

from bot.feature import Feature
from handlers.register.community_api import routes as community_api

feature = Feature("register", api=[*community_api.all])
