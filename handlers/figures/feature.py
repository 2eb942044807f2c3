"""The figures a community and its street office are judged by, for the console, 月报 and 居务公开."""

from __future__ import annotations

from bot.feature import Feature
from handlers.figures import console, public_console, street_pages, street_tickets
from handlers.figures.api import routes

feature = Feature(
    "figures",
    api=routes.all,
    console=[
        *console.pages.all,
        *public_console.pages.all,
        *street_tickets.pages.all,
        *street_pages.pages.all,
    ],
)
