"""Emergencies: the number to call at once, then the grid worker told with a top-priority ticket."""

from __future__ import annotations

from bot.feature import Feature
from handlers.emergency.dialog import router

feature = Feature("emergency", routers=[router])
