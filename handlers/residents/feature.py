"""Following, binding a home, roles and invite codes, the mini-program's identity."""

from __future__ import annotations

from bot.feature import Feature
from handlers.residents.api import routes as residents_api
from handlers.residents.console_dialog import router as console_router
from handlers.residents.dialog import router
from handlers.residents.staff_api import routes as staff_api

feature = Feature("residents", routers=[router, console_router], api=[*residents_api.all, *staff_api.all])
