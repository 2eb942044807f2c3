"""Conversations on a seeded database, with a clock the tests move."""

from __future__ import annotations

import pytest

from bot.app import build_conversations
from bot.runtime import Conversations
from storage.kv import Store
from tests.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()  # Tuesday 2026-11-24 09:00


@pytest.fixture
def conv(seeded: str, store: Store, clock: Clock) -> Conversations:
    return build_conversations(store, clock=clock)
