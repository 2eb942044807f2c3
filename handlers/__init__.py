"""One package per feature, each a vertical slice: workflow (no transport), queries, chat dialog, REST routes.

``FEATURES`` is the one list of slices; each declares itself in its ``feature.py`` (a module of its own,
so importing a slice's workflow does not import its dialogs and routes). Everything the composition root
needs is derived from those declarations here.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Mapping, Sequence

from bot.api.core import ApiRoute
from bot.config import Settings
from bot.console.core import ConsolePage, PublicPage
from bot.dispatcher import Router
from bot.feature import Feature, Feed, Job, JobDeps
from bot.wechat.client import WeChatClient
from handlers.common.requests import RequestSource

# the order of routers matters only in the fallback phase: common's catch-all router is marked last
FEATURES = (
    "common",
    "emergency",
    "residents",
    "register",
    "repairs",
    "wishes",
    "votes",
    "activities",
    "surveys",
    "services",
    "notices",
    "figures",
)


@functools.cache
def features() -> tuple[Feature, ...]:
    return tuple(importlib.import_module(f"handlers.{name}.feature").feature for name in FEATURES)


def routers() -> list[Router]:
    return [router for f in features() for router in f.routers]


def api_routes() -> list[ApiRoute]:
    return [route for f in features() for route in f.api]


def console_pages() -> list[ConsolePage | PublicPage]:
    return [page for f in features() for page in f.console]


def model_modules() -> list[str]:
    """The features' table modules (Tortoise loads them by name), read without importing the slices."""
    return [
        f"handlers.{name}.models"
        for name in FEATURES
        if importlib.util.find_spec(f"handlers.{name}.models") is not None
    ]


def request_sources() -> list[RequestSource]:
    return [source for f in features() for source in f.requests]


def periodic_jobs(settings: Settings, wechat: WeChatClient) -> list[Job]:
    deps = JobDeps(settings, wechat)
    return [job for f in features() if f.periodic for job in f.periodic(deps)]


def outbox_feeds() -> list[Feed]:
    """What the outbox workers turn into outbox rows, round by round (a notice's audience)."""
    return [feed for f in features() for feed in f.feeds]


def intent_keywords() -> dict[str, dict[str, int]]:
    """Words from the slices' own content that point to their intents (categories' keywords...)."""
    merged: dict[str, dict[str, int]] = {}
    for f in features():
        found: Mapping[str, Mapping[str, int]] = f.keywords() if f.keywords else {}
        for intent, words in found.items():
            merged.setdefault(intent, {}).update(words)
    return merged


def configure(settings: Settings) -> None:
    for f in features():
        if f.configure:
            f.configure(settings)


def reload() -> Sequence[str]:
    """Each feature reads its content again; returns the problems that kept something as it was."""
    problems: list[str] = []
    for f in features():
        if f.reload:
            problems += f.reload()
    return problems
