"""The household register, grids, verified homes and visits."""

from __future__ import annotations

from bot.feature import Feature

feature = Feature("register")
