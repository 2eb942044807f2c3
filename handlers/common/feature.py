"""Help, menu, cancel, the hand-off to a person (staff messages), events, and the kind fallback."""

from __future__ import annotations

from bot.feature import Feature
from handlers.common.addendum import router as addendum
from handlers.common.console import pages
from handlers.common.fallback import router as fallback
from handlers.common.globals import router as globals_
from handlers.common.pause import router as pause
from handlers.common.requests import staff_messages
from handlers.common.staff_messages import router as staff_messages_router
from handlers.common.staff_messages_api import routes as staff_messages_api

feature = Feature(
    "common",
    routers=[globals_, pause, addendum, staff_messages_router, fallback],
    api=staff_messages_api.all,
    console=pages.all,
    requests=[staff_messages],
)
