"""通知公告: notices, their delivery and their receipts."""

from __future__ import annotations

from bot.feature import Feature

feature = Feature("notices", models="handlers.notices.models")
