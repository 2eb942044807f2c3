"""The composition root: the one place that builds and wires everything.

``open_runtime`` opens the database and the store and builds the conversation engine; the WeChat
server (``init_app``) and the terminal chat both use it. Nothing is created at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import functools
import itertools
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web

import content
import handlers
from bot.api.core import ApiServices, proxy_networks
from bot.api.server import SERVICES as API_SERVICES
from bot.api.server import api_errors
from bot.api.server import mount as mount_api
from bot.background import Background
from bot.config import Settings
from bot.console.core import ConsoleServices
from bot.console.server import SERVICES as CONSOLE_SERVICES
from bot.console.server import mount as mount_console
from bot.dispatcher import Dispatcher, Router, Services
from bot.logs import request_id
from bot.metrics import PATH as METRICS_PATH
from bot.metrics import Access, Metrics
from bot.metrics import handler as metrics_handler
from bot.outbox import OutboxWorker, log_round_failure
from bot.runtime import Conversations
from bot.wechat.client import WeChatClient
from bot.wechat.endpoint import WeChatEndpoint
from handlers.demo import seed_activity
from nlp.intents import IntentClassifier
from nlp.model import intent_model
from nlp.tokenize import Tokenizer, parse_userdict, strip_punctuation
from nlp.understand import EmergencySignals, Understanding
from storage import db, demo
from storage.kv import Store, open_store
from storage.models import Person
from storage.outbox import notify
from storage.turns import TurnSettings, open_turns

log = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


class StartupError(RuntimeError):
    """The bot cannot start; the message tells the operator what to do."""


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


@functools.cache
def classifier() -> Understanding:
    """The rules (jieba with the community dictionary and the intent keywords) and the trained model:
    built once per process (~1 s), and again after a content reload."""
    words = parse_userdict(content.path("userdict.txt").read_text(encoding="utf-8").splitlines())
    intents = copy.deepcopy(content.load_yaml("intents.yaml"))
    for intent, keywords in handlers.intent_keywords().items():
        own = intents["intents"][intent]["keywords"]
        for keyword, weight in keywords.items():
            own.setdefault(keyword, weight)
    signals = EmergencySignals.from_mapping(content.load_yaml("emergency.yaml"))
    return Understanding(IntentClassifier.from_mapping(intents, Tokenizer(words)), intent_model(), signals)


def global_words() -> dict[str, frozenset[str]]:
    data = content.load_yaml("intents_global.yaml")
    return {name: frozenset(strip_punctuation(str(w)).lower() for w in words) for name, words in data.items()}


def build_conversations(
    store: Store,
    *,
    clock: Callable[[], dt.datetime] = china_now,
    turn_settings: TurnSettings | None = None,
    extra_routers: Sequence[Router] = (),
) -> Conversations:
    """``extra_routers`` run before the features' own (tests use it to add a deliberately slow handler)."""
    # strict (the test suite): a message two handlers of one phase would answer is an error, not a race
    strict = os.environ.get("COMMUNITY_BOT_STRICT_DISPATCH") == "1"
    dispatcher = Dispatcher([*extra_routers, *handlers.routers()], strict=strict)
    services = Services(
        current_classifier=classifier,
        store=store,
        global_words=global_words(),
        clock=clock,
    )
    return Conversations(dispatcher, services, open_turns(store, turn_settings or TurnSettings()))


@dataclass
class Runtime:
    settings: Settings
    store: Store
    conversations: Conversations


async def prepare_database(settings: Settings, *, seed_demo: bool | None = None) -> None:
    """Embedded default: create or upgrade the SQLite file and seed the demo on first run.
    PostgreSQL: refuse to start while migrations are pending (run ``community-bot db upgrade``)."""
    url = settings.effective_database_url
    if db.is_sqlite(url):
        await db.upgrade(url)
    else:
        pending = await db.pending_migrations(url)
        if pending:
            raise StartupError(
                f"the database needs {len(pending)} migration(s): run `community-bot db upgrade` first"
            )
    if seed_demo is None:
        seed_demo = db.is_sqlite(url) and not settings.database_url
    if seed_demo:
        await db.open_db(url)
        try:
            if not await demo.has_communities():
                await demo.seed_demo()
                await seed_activity(china_now())
                log.info("created the demo communities (content/demo.yaml)")
        finally:
            await db.close_db()


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = china_now,
    prepare: bool = True,
    seed_demo: bool | None = None,
    extra_routers: Sequence[Router] = (),
    own_database: bool = True,
) -> AsyncIterator[Runtime]:
    """``own_database=False``: the caller has opened the database and will close it (Tortoise's connections
    are per process; tests that run two apps side by side, standing for two workers, share them)."""
    handlers.configure(settings)
    classifier()  # jieba's dictionary and the model now (~1 s), not during the first residents' turns
    if prepare:
        await prepare_database(settings, seed_demo=seed_demo)
    if own_database:
        await db.open_db(settings.effective_database_url)
    store = open_store(settings.redis_url or None, settings.redis_prefix, settings.redis_max_connections)
    try:
        turn_settings = TurnSettings(state_ttl=settings.dialog_ttl, dedup_ttl=settings.dedup_ttl)
        conversations = build_conversations(
            store, clock=clock, turn_settings=turn_settings, extra_routers=extra_routers
        )
        try:
            yield Runtime(settings, store, conversations)
        finally:
            await conversations.turns.close()
    finally:
        await store.close()
        if own_database:
            await db.close_db()


def wechat_client(settings: Settings, session: aiohttp.ClientSession, store: Store) -> WeChatClient:
    return WeChatClient(
        session,
        store,
        appid=settings.wechat_appid,
        secret=settings.wechat_secret,
        base_url=settings.wechat_api_base,
        miniprogram_appid=settings.wechat_mp_appid,
        miniprogram_secret=settings.wechat_mp_secret,
    )


def outbox_worker(
    settings: Settings,
    client: WeChatClient,
    store: Store,
    clock: Callable[[], dt.datetime],
    metrics: Metrics | None = None,
) -> OutboxWorker:
    return OutboxWorker(
        client,
        clock,
        poll=settings.outbox_poll,
        batch=settings.outbox_batch,
        concurrency=settings.outbox_concurrency,
        rate=settings.outbox_rate,
        burst=settings.outbox_burst,
        store=store,
        feeds=handlers.outbox_feeds(),
        metrics=metrics,
    )


@asynccontextmanager
async def outbox_running(worker: OutboxWorker, settings: Settings) -> AsyncIterator[None]:
    """The outbox worker and the clock-driven jobs as background tasks for the duration of the block."""
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(worker.run(stop), name="outbox"),
        asyncio.create_task(run_periodic(settings, worker.client, worker.clock, stop), name="periodic"),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def run_periodic(
    settings: Settings, client: WeChatClient, clock: Callable[[], dt.datetime], stop: asyncio.Event
) -> None:
    jobs = handlers.periodic_jobs(settings, client)
    while not stop.is_set():
        for job in jobs:
            try:
                await job(clock())
            except Exception:
                log.exception("periodic job failed", extra={"job": getattr(job, "__name__", "?")})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.periodic_every)


async def run_outbox_worker(settings: Settings, stop: asyncio.Event) -> None:
    """``community-bot worker``: deliver the outbox without serving WeChat (for larger deployments). Its
    counts reach ``/metrics`` when it shares the server's PROMETHEUS_MULTIPROC_DIR (same host)."""
    metrics = Metrics()
    async with (
        metrics.watch_errors(),
        open_runtime(settings, prepare=False) as runtime,
        aiohttp.ClientSession() as session,
    ):
        worker = outbox_worker(
            settings, wechat_client(settings, session, runtime.store), runtime.store, china_now, metrics
        )
        await asyncio.gather(worker.run(stop), run_periodic(settings, worker.client, china_now, stop))


# -- the web application ----------------------------------------------------------------------------
SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
ENDPOINT = web.AppKey("endpoint", WeChatEndpoint)
BACKGROUND = web.AppKey("background", Background)
WECHAT = web.AppKey("wechat", WeChatClient)
METRICS = web.AppKey("metrics", Metrics)


_ID_PREFIX = uuid.uuid4().hex[:8]  # per process; the counter makes each request's id unique and cheap
_ids = itertools.count(1)


def _new_id_prefix() -> None:
    """A worker forked after the preload takes a prefix of its own (else two workers give the same ids)."""
    global _ID_PREFIX, _ids
    _ID_PREFIX, _ids = uuid.uuid4().hex[:8], itertools.count(1)


os.register_at_fork(after_in_child=_new_id_prefix)


@web.middleware
async def request_ids(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    rid = request.headers.get("X-Request-Id") or f"{_ID_PREFIX}-{next(_ids):x}"
    token = request_id.set(rid)
    started = time.perf_counter()
    try:
        response = await handler(request)
    finally:
        request_id.reset(token)
    response.headers["X-Request-Id"] = rid
    if request.path not in ("/healthz", METRICS_PATH):
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": rid,
            },
        )
    return response


def init_app(
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = china_now,
    wall_clock: Callable[[], float] = time.time,
    prepare: bool = True,
    seed_demo: bool | None = None,
    extra_routers: Sequence[Router] = (),
    own_database: bool = True,
) -> web.Application:
    metrics = Metrics()
    app = web.Application(
        middlewares=[metrics.middleware(), request_ids, api_errors], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics

    async def resources(app: web.Application) -> AsyncIterator[None]:
        background = Background()
        async with (
            metrics.watch_errors(),
            open_runtime(
                settings,
                clock=clock,
                prepare=prepare,
                seed_demo=seed_demo,
                extra_routers=extra_routers,
                own_database=own_database,
            ) as runtime,
            aiohttp.ClientSession() as session,
        ):
            client = wechat_client(settings, session, runtime.store)
            worker = outbox_worker(settings, client, runtime.store, clock, metrics)

            async def send_later(openid: str, key: str, text: str) -> None:
                person = await Person.get_or_none(openid=openid)
                if person is not None and await notify(person, key, text, now=clock()) is not None:
                    worker.wake()

            app[RUNTIME] = runtime
            app[BACKGROUND] = background
            app[WECHAT] = client
            app[ENDPOINT] = WeChatEndpoint(
                settings, runtime.conversations, send_later, background, wall_clock, metrics
            )
            app[API_SERVICES] = ApiServices(
                store=runtime.store,
                wechat=client,
                clock=clock,
                rate_limit=settings.api_rate_limit,
                login_rate_limit=settings.api_login_rate_limit,
                trusted_proxies=proxy_networks(settings.trusted_proxies),
            )
            app[CONSOLE_SERVICES] = ConsoleServices(
                settings=settings,
                store=runtime.store,
                wechat=client,
                clock=clock,
                wall_clock=wall_clock,
                trusted_proxies=proxy_networks(settings.trusted_proxies),
            )
            async with outbox_running(worker, settings):
                yield
                await background.drain()  # finish the turns in flight; their late replies join the outbox
                app[ENDPOINT].close()
            try:
                await worker.last_round()  # and go out now, before the database and store close
            except Exception as exc:  # a store or database gone: what is left goes out after the restart
                log_round_failure("the outbox's last round before stopping failed", exc)

    app.cleanup_ctx.append(resources)

    async def wechat_get(request: web.Request) -> web.Response:
        return await request.app[ENDPOINT].verify(request)

    async def wechat_post(request: web.Request) -> web.Response:
        return await request.app[ENDPOINT].receive(request)

    async def healthz(request: web.Request) -> web.Response:
        runtime = request.app[RUNTIME]
        checks = {"database": await db.ping(), "store": await runtime.store.ping()}
        status = 200 if all(checks.values()) else 503
        return web.json_response({"ok": status == 200, **checks}, status=status)

    app.router.add_get(settings.wechat_path, wechat_get)
    app.router.add_post(settings.wechat_path, wechat_post)
    app.router.add_get("/healthz", healthz)
    trusted = proxy_networks(settings.trusted_proxies)
    access = Access(settings.metrics_token, settings.metrics_networks, trusted)
    app.router.add_get(METRICS_PATH, metrics_handler(metrics, access))  # not part of the API's document
    mount_api(app, handlers.api_routes())
    mount_console(app, handlers.console_pages())
    return app
