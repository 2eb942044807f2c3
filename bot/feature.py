"""What a feature slice declares about itself, once: the composition root derives the rest from it.

``handlers.FEATURES`` lists the slices; from their declarations come the dispatcher's routers, the API's
routes, the console's pages, the database's model modules (and so the tests' tables), the clock-driven
jobs, "my requests", the intent vocabulary and what a content reload re-reads. Adding a feature is
writing its slice and one line in that list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.api.core import ApiRoute
    from bot.config import Settings
    from bot.console.core import ConsolePage, PublicPage
    from bot.dispatcher import Router
    from bot.wechat.client import WeChatClient
    from handlers.common.requests import RequestSource

Job = Callable[[dt.datetime], Awaitable[object]]
# a feed of the outbox: turns some waiting work into outbox rows (a notice's audience, a batch at a time);
# every outbox worker calls it each round; returns how much it did (0: nothing waits)
Feed = Callable[[dt.datetime], Awaitable[int]]


@dataclass(frozen=True)
class JobDeps:
    """What clock-driven jobs may use."""

    settings: Settings
    wechat: WeChatClient


@dataclass(frozen=True)
class Feature:
    name: str
    routers: Sequence[Router] = ()
    api: Sequence[ApiRoute] = ()
    console: Sequence[ConsolePage | PublicPage] = ()  # its console pages (``bot.console.core.Pages``)
    models: str | None = None  # the module of its tables, loaded by name by Tortoise
    periodic: Callable[[JobDeps], Sequence[Job]] | None = None
    feeds: Sequence[Feed] = ()  # run by the outbox workers (``bot.outbox.OutboxWorker``), each round
    requests: Sequence[RequestSource] = ()
    # intent -> {keyword: weight}: words from the slice's own content that point to its intents
    keywords: Callable[[], Mapping[str, Mapping[str, int]]] | None = None
    configure: Callable[[Settings], None] | None = None  # before serving: where its content is
    reload: Callable[[], Sequence[str]] | None = None  # re-read its content; returns problems kept out
    extra: Mapping[str, object] = field(default_factory=dict)
