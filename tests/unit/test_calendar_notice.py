"""`community-bot content check` asks for next year's holiday arrangement 60 days ahead."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content_cli import check


@pytest.mark.parametrize(
    ("today", "warned"),
    [(dt.date(2026, 10, 1), False), (dt.date(2026, 11, 5), True), (dt.date(2026, 12, 10), True)],
)
def test_the_calendar_is_asked_for_60_days_ahead(tmp_path: Path, today: dt.date, warned: bool) -> None:
    _, warnings = check(Settings(data_dir=str(tmp_path)), today=today)
    assert any("calendar" in w and "2026-12-31" in w for w in warnings) is warned, warnings
