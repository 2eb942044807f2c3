"""What operators watch: ``GET /metrics`` in the Prometheus text format (prometheus-client).

One process (``serve``, the default): the metrics live in the app's own registry, in memory, with the
process's CPU, memory and file descriptors beside them; nothing is written to disk on the hot path.

Several worker processes (``serve --workers N``): prometheus-client's multiprocess mode. It is chosen when the
library is first imported, from ``PROMETHEUS_MULTIPROC_DIR``, so the supervisor sets it (a fresh folder per
start, unless the operator gave one) before it starts the workers; each worker writes its counters to its own
memory-mapped files there, and whichever worker answers a scrape sums every worker's files. The supervisor
clears a stopped worker's live files (``mark_process_dead``) and removes the folder it made.

The outbox's depth and the age of its oldest pending notification are read from the database when scraped
(one query on the outbox's status index): the same answer whichever worker is asked, so no gauge has to be
summed or maxed across processes, and nothing on the hot path keeps them up to date.

Database and Redis errors are counted where every failure already goes: the log. A handler on the root logger
counts each logged exception whose chain holds a database or a Redis error, once per exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType

import asyncpg
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from redis.exceptions import RedisError
from tortoise import exceptions as orm

from bot.api.core import IPNetwork, address_within, bearer_token, client_address, proxy_networks
from storage import outbox

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"
# seconds from a message's arrival to its reply; WeChat's deadline is 5 s (REPLY_DEADLINE 4 s by default)
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 30.0, 60.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SCRAPE_QUERY_LIMIT = 5.0  # seconds the outbox query may take before a scrape goes without it (Prometheus
# gives a scrape 10 s by default)


def multiprocess() -> bool:
    """Several processes share the metrics: the mode prometheus-client chose when it was imported (from
    PROMETHEUS_MULTIPROC_DIR)."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


class Metrics:
    """The process's metrics. Hot-path calls are one counter increment (and one histogram observation for a
    turn): the labelled children are looked up once and kept."""

    def __init__(self) -> None:
        self.shared = multiprocess()
        if self.shared and os.environ.get(MULTIPROC_ENV):
            os.makedirs(os.environ[MULTIPROC_ENV], exist_ok=True)
        # multiprocess mode: the metrics live in the shared folder, a scrape reads them from there
        self.registry = CollectorRegistry()
        own = None if self.shared else self.registry
        self.requests = Counter(
            "community_bot_http_requests",
            "HTTP requests answered, by method, route (the route's pattern, not the path) and status",
            ["method", "route", "status"],
            registry=own,
        )
        self.turn_seconds = Histogram(
            "community_bot_turn_seconds",
            "Conversation turns: seconds from the message's arrival until its reply was ready",
            buckets=TURN_BUCKETS,
            registry=own,
        )
        self.late_replies = Counter(
            "community_bot_late_replies",
            "Messages answered `success` and replied to later by the customer-service API: "
            "deadline (the turn overran WeChat's deadline), queued (no turn slot or too little time left)",
            ["reason"],
            registry=own,
        )
        self.shed = Counter(
            "community_bot_shed_messages",
            "Messages refused with 503 under overload (WeChat delivers them again)",
            registry=own,
        )
        self.deliveries = Counter(
            "community_bot_outbox_deliveries",
            "Outbox notifications handled, by result (sent, retry, failed, unknown, undeliverable) "
            "and channel",
            ["result", "channel"],
            registry=own,
        )
        self.dependency_errors = Counter(
            "community_bot_dependency_errors",
            "Logged failures caused by the database or by Redis",
            ["dependency"],
            registry=own,
        )
        if not self.shared:  # one process: its own CPU and memory (several: each would report only itself)
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
        else:
            MultiProcessCollector(self.registry)
        self._requests: dict[tuple[str, str, int], Callable[[], None]] = {}
        self._late = {reason: self.late_replies.labels(reason) for reason in ("deadline", "queued")}
        self._errors = {name: self.dependency_errors.labels(name) for name in ("database", "redis")}

    # -- the hot path -------------------------------------------------------------------------------
    def request(self, method: str, route: str, status: int) -> None:
        if method not in _METHODS:  # whatever a client invents is one label value, not many
            method = "other"
        key = (method, route, status)
        inc = self._requests.get(key)
        if inc is None:
            inc = self._requests[key] = self.requests.labels(method, route, str(status)).inc
        inc()

    def turn(self, arrived: float) -> None:
        self.turn_seconds.observe(time.monotonic() - arrived)

    def late(self, reason: str) -> None:
        self._late[reason].inc()

    def delivered(self, result: str, channel: str = "none", count: int = 1) -> None:
        if count:
            self.deliveries.labels(result, channel).inc(count)

    def dependency_error(self, dependency: str) -> None:
        self._errors[dependency].inc()

    # -- a scrape -----------------------------------------------------------------------------------
    async def render(self) -> bytes:
        outbox = await outbox_families()
        return generate_latest(_Together(self.registry, outbox))

    def middleware(self) -> Callable[..., Awaitable[web.StreamResponse]]:
        """Counts every request by method, route and status (the outermost middleware: it sees what the
        others made of errors)."""

        @web.middleware
        async def count_requests(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                self.request(request.method, route_of(request), exc.status)
                raise
            except Exception:  # aiohttp answers 500 (a cancelled request is answered nothing: not counted)
                self.request(request.method, route_of(request), 500)
                raise
            self.request(request.method, route_of(request), response.status)
            return response

        return count_requests

    def watch_errors(self) -> ErrorWatch:
        return ErrorWatch(self)


def route_of(request: web.Request) -> str:
    """The route's pattern (``/api/v1/tickets/{id}``), a bounded set; a path no route serves is one value."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


class _Together:
    def __init__(self, registry: CollectorRegistry, extra: list[Metric]) -> None:
        self.registry = registry
        self.extra = extra

    def collect(self) -> Iterable[Metric]:
        yield from self.registry.collect()
        yield from self.extra


async def outbox_families() -> list[Metric]:
    """The outbox read when scraped: notifications waiting (pending) or being sent, and how long the oldest
    pending one has waited. Nothing when the database does not answer in time (the failure is logged)."""
    try:
        async with asyncio.timeout(_SCRAPE_QUERY_LIMIT):
            now = await outbox.waiting()
    except TimeoutError:
        log.warning("metrics: the outbox was not read in time", extra={"seconds": _SCRAPE_QUERY_LIMIT})
        return []
    except Exception:
        log.exception("metrics: the outbox could not be read")
        return []
    depth = GaugeMetricFamily(
        "community_bot_outbox_notifications",
        "Outbox notifications not yet delivered, by status (read from the database when scraped)",
        labels=["status"],
    )
    depth.add_metric(["pending"], float(now.pending))
    depth.add_metric(["sending"], float(now.sending))
    age = GaugeMetricFamily(
        "community_bot_outbox_oldest_pending_seconds",
        "Seconds since the oldest pending outbox notification was recorded (0 when none is pending)",
        value=_age(now.oldest_pending),
    )
    return [depth, age]


def _age(oldest: dt.datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC in some configurations
        oldest = oldest.replace(tzinfo=dt.UTC)
    return max(0.0, (dt.datetime.now(dt.UTC) - oldest).total_seconds())


# -- database and Redis errors, from the log ----------------------------------------------------------
_NOT_FAILURES = (orm.NotExistOrMultiple, orm.NoValuesFetched, orm.IncompleteInstanceError)
_DATABASE_ERRORS = (
    orm.OperationalError,
    orm.DBConnectionError,
    orm.TransactionManagementError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    sqlite3.Error,
)
_DATABASE_MODULES = ("asyncpg", "aiosqlite", "sqlite3", "tortoise")


def dependency_of(exc: BaseException | None) -> str | None:
    """``database``, ``redis`` or None: what caused ``exc``, through its causes and contexts. A network error
    (a refused connection, a time-out) counts for whichever of them it was raised in."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, RedisError):
            return "redis"
        if isinstance(exc, _DATABASE_ERRORS) and not isinstance(exc, _NOT_FAILURES):
            return "database"
        if isinstance(exc, OSError | TimeoutError):
            where = _raised_in(exc.__traceback__)
            if where is not None:
                return where
        exc = exc.__cause__ or exc.__context__
    return None


def _raised_in(tb: TracebackType | None) -> str | None:
    modules = []
    while tb is not None:
        modules.append(str(tb.tb_frame.f_globals.get("__name__", "")))
        tb = tb.tb_next
    for module in reversed(modules):  # the innermost library frame says whose connection it was
        top = module.partition(".")[0]
        if top == "redis":
            return "redis"
        if top in _DATABASE_MODULES:
            return "database"
    return None


class _ErrorCounter(logging.Handler):
    """Counts logged exceptions caused by the database or Redis; an exception logged twice counts once."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(logging.WARNING)  # the logger skips this handler for the INFO lines of requests
        self.metrics = metrics

    def handle(self, record: logging.LogRecord) -> bool:  # no lock and no formatting: a counter only
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or getattr(exc, "_metrics_counted", False):
            return True
        dependency = dependency_of(exc)
        if dependency is not None:
            self.metrics.dependency_error(dependency)
            with contextlib.suppress(AttributeError):  # an exception type without a __dict__
                exc._metrics_counted = True  # type: ignore[attr-defined]
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() does the work
        pass


class ErrorWatch:
    """Counts database and Redis errors from the log while entered (a handler on the root logger)."""

    def __init__(self, metrics: Metrics) -> None:
        self.handler = _ErrorCounter(metrics)

    def __enter__(self) -> ErrorWatch:
        logging.getLogger().addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self.handler)

    async def __aenter__(self) -> ErrorWatch:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()


# -- who may read /metrics ----------------------------------------------------------------------------
_FORWARDING = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


class Access:
    """``/metrics`` is for the operator's Prometheus, not the internet: a request is let in with the bearer
    token of METRICS_TOKEN, or from an address in METRICS_NETWORKS (loopback by default). A request that came
    through a proxy we do not trust (it carries a forwarding header) is from an unknown address: only the
    token lets it in (a reverse proxy on the same host would otherwise make every visitor loopback)."""

    def __init__(self, token: str, networks: str, trusted_proxies: tuple[IPNetwork, ...]) -> None:
        self.token = token.encode()
        self.networks = proxy_networks(networks)
        self.trusted = trusted_proxies

    def allows(self, request: web.Request) -> bool:
        if self.token:
            offered = bearer_token(request).encode()
            if offered and hmac.compare_digest(offered, self.token):
                return True
        if not self.networks:
            return False
        forwarded = any(name in request.headers for name in _FORWARDING)
        if forwarded and not address_within(request.remote or "", self.trusted):
            return False
        return address_within(client_address(request, self.trusted), self.networks)


def handler(metrics: Metrics, access: Access) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve_metrics(request: web.Request) -> web.Response:
        if not access.allows(request):
            log.warning("metrics refused", extra={"peer": request.remote or "-"})
            return web.Response(status=403, text="forbidden")
        body = await metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return serve_metrics


# -- the supervisor's side of multiprocess mode -------------------------------------------------------
class SharedFolder:
    """``serve --workers N``: the folder the workers write their metrics to, set in the environment before
    they start. The operator's PROMETHEUS_MULTIPROC_DIR is used as given (they empty it before each start,
    e.g. systemd's RuntimeDirectory=); otherwise a fresh temporary folder, removed at the end."""

    def __init__(self) -> None:
        self.path = os.environ.get(MULTIPROC_ENV, "")
        self.owned = False

    def __enter__(self) -> SharedFolder:
        import tempfile

        if not self.path:
            self.path = tempfile.mkdtemp(prefix="community-bot-metrics-")
            self.owned = True
            os.environ[MULTIPROC_ENV] = self.path
        os.makedirs(self.path, exist_ok=True)
        # the library chose its kind of value when first imported, here before the folder was set: choose
        # again, so that the workers forked from this process (after the preload) write to the folder
        values.ValueClass = values.get_value_class()
        return self

    def worker_stopped(self, pid: int | None) -> None:
        """A worker is gone: its live gauges no longer count (its counters still do)."""
        from prometheus_client import multiprocess as mp

        if pid is not None:
            mp.mark_process_dead(pid, self.path)

    def __exit__(self, *exc: object) -> None:
        import shutil

        if self.owned:
            shutil.rmtree(self.path, ignore_errors=True)
            os.environ.pop(MULTIPROC_ENV, None)
