"""GET /metrics after real traffic: a conversation through the signed /wechat endpoint, a reply sent late
through the fake WeChat API, refusals; who may read it; two worker processes adding up."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from tortoise import connections

from bot.app import ENDPOINT
from bot.dispatcher import Context, Phase, Router, has_text
from bot.metrics import dependency_of
from storage.kv import RedisStore
from storage.models import Notification, Person
from tests.conftest import REDIS_URL
from tests.e2e.conftest import MakeSim
from tests.e2e.test_cli import ROOT, clean_env, free_port, healthy_answers
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import TOKEN, WeChatSim, event_xml, sign, text_xml

ids = itertools.count(880_000)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a series not yet there (a counter that never moved)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(sim: WeChatSim, headers: Mapping[str, str] | None = None) -> Samples:
    response = await sim.client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    return parse(await response.text())


def slow_router(delay: float) -> Router:
    router = Router("test.metrics.slow")

    @router.handle(has_text(), lambda ctx: ctx.msg.text == "慢", phase=Phase.GLOBAL)
    async def slow(ctx: Context) -> None:
        await asyncio.sleep(delay)
        ctx.say_text("慢慢来，已经办好了")

    return router


async def until(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


REQUESTS = "community_bot_http_requests_total"
TURNS = "community_bot_turn_seconds_count"
DELIVERIES = "community_bot_outbox_deliveries_total"


async def test_a_conversation_moves_the_counters(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    sim = await make_sim("safe", extra_routers=[slow_router(0.8)])
    before = await scrape(sim)
    assert value(before, REQUESTS, method="POST", route="/wechat", status="200") == 0
    assert value(before, TURNS) == 0

    user = "o-metrics"
    assert "欢迎关注" in sim.reply((await sim.post(event_xml(user, "subscribe")))[1])["Content"]
    assert await sim.say(user, "你好", next(ids))
    assert await sim.say(user, "帮助", next(ids))
    # past the deadline: `success` now, the reply later through the customer-service API (the outbox)
    endpoint = sim.client.server.app[ENDPOINT]
    endpoint.settings = replace(endpoint.settings, reply_deadline=0.3)
    assert await sim.post(text_xml(user, "慢", next(ids))) == (200, "success")
    # refused: a wrong signature, then WeChat's server check, a path nobody serves, an API route unsigned
    ts = str(int(time.time()))
    _, query = sim.envelope(text_xml(user, "你好", next(ids)), ts, "n")
    query["signature"] = sign("wrong-token", ts, "n")
    assert (await sim.post(text_xml(user, "你好", next(ids)), query=query))[0] == 403
    check = {"signature": sign(TOKEN, ts, "n"), "timestamp": ts, "nonce": "n", "echostr": "e"}
    assert (await sim.client.get("/wechat", params=check)).status == 200
    assert (await sim.client.get("/no/such/page")).status == 404
    assert (await sim.client.get("/api/v1/tickets/12345")).status == 401

    async def delivered() -> bool:
        return value(await scrape(sim), DELIVERIES, result="sent", channel="custom") >= 1

    await until(delivered)
    assert fake_api.sent_texts(user) == ["慢慢来，已经办好了"]
    after = await scrape(sim)
    assert value(after, REQUESTS, method="POST", route="/wechat", status="200") == 4
    assert value(after, REQUESTS, method="POST", route="/wechat", status="403") == 1
    assert value(after, REQUESTS, method="GET", route="/wechat", status="200") == 1
    assert value(after, REQUESTS, method="GET", route="unmatched", status="404") == 1
    assert value(after, REQUESTS, method="GET", route="/api/v1/tickets/{ticket_id}", status="401") == 1
    assert not [key for key in after if key[0] == REQUESTS and ("route", "/no/such/page") in key[1]]
    # four turns (the subscription, two words, the slow one), timed until each was done, the slow one too
    assert value(after, TURNS) == 4
    assert value(after, "community_bot_turn_seconds_bucket", le="+Inf") == 4
    assert value(after, "community_bot_turn_seconds_bucket", le="0.5") <= 3
    assert value(after, "community_bot_turn_seconds_sum") >= 0.8
    # late: past the deadline, or queued at once when too little of it was left (a busy machine's lag)
    late = [value(after, "community_bot_late_replies_total", reason=r) for r in ("deadline", "queued")]
    assert sum(late) == 1
    assert value(after, DELIVERIES, result="sent", channel="custom") == 1
    assert value(after, DELIVERIES, result="retry", channel="none") == 0
    assert value(after, "community_bot_outbox_notifications", status="pending") == 0
    assert value(after, "community_bot_outbox_oldest_pending_seconds") == 0
    assert value(after, "community_bot_dependency_errors_total", dependency="database") == 0
    assert value(after, "community_bot_dependency_errors_total", dependency="redis") == 0
    assert value(after, "process_resident_memory_bytes") > 0  # one process: its own memory beside


async def test_the_outbox_depth_and_its_oldest_pending(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    person = await Person.create(openid="o-waiting")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # not due yet: the worker leaves them
    for key in ("a", "b", "c"):
        await Notification.create(person=person, key=f"wait:{key}", text="t", next_attempt_at=later)
    await Notification.filter(key="wait:a").update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    samples = await scrape(sim)
    assert value(samples, "community_bot_outbox_notifications", status="pending") == 3
    assert value(samples, "community_bot_outbox_notifications", status="sending") == 0
    assert 7200 <= value(samples, "community_bot_outbox_oldest_pending_seconds") < 7300


async def test_a_dead_redis_is_counted(make_sim: MakeSim) -> None:
    """Every turn needs the store: with Redis away each fails, the resident is answered kindly, and the
    failure is counted as Redis's."""
    port = free_port()  # nothing listens there
    sim = await make_sim("safe", redis_url=f"redis://127.0.0.1:{port}/0")
    status, raw = await sim.post(text_xml("o-no-redis", "你好", next(ids)))
    assert status == 200 and "出了点问题" in sim.reply(raw)["Content"]
    samples = await scrape(sim)
    assert value(samples, "community_bot_dependency_errors_total", dependency="redis") >= 1
    assert value(samples, "community_bot_dependency_errors_total", dependency="database") == 0


async def test_a_database_error_is_counted_once(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    logger = logging.getLogger("tests.metrics")
    try:
        await connections.get("default").execute_query("SELECT nothing FROM no_such_table")
    except Exception as exc:
        assert dependency_of(exc) == "database"
        logger.exception("a query failed")
        logger.error("and logged again higher up", exc_info=exc)  # one failure, one count
    logger.warning("no exception here")
    try:
        raise KeyError("not the database's")
    except KeyError:
        logger.exception("a bug")
    samples = await scrape(sim)
    assert value(samples, "community_bot_dependency_errors_total", dependency="database") == 1
    assert value(samples, "community_bot_dependency_errors_total", dependency="redis") == 0


async def test_a_refused_connection_counts_for_whose_connection_it_was() -> None:
    import aiohttp
    import asyncpg

    port = free_port()  # nothing listens there
    with pytest.raises(OSError) as database:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", timeout=5)
    assert dependency_of(database.value) == "database"
    async with aiohttp.ClientSession() as session:  # WeChat's API, say: neither the database nor Redis
        with pytest.raises(aiohttp.ClientConnectionError) as other:
            await session.get(f"http://127.0.0.1:{port}/")
    assert dependency_of(other.value) is None


async def test_overload_counts_queued_and_shed_messages(make_sim: MakeSim) -> None:
    sim = await make_sim("safe", extra_routers=[slow_router(1.0)], max_turns=1, turn_backlog=1)
    running = asyncio.ensure_future(sim.post(text_xml("o-running", "慢", next(ids))))
    await asyncio.sleep(0.2)
    assert await sim.post(text_xml("o-queued", "帮助", next(ids))) == (200, "success")
    statuses = [(await sim.post(text_xml(f"o-shed-{i}", "帮助", next(ids))))[0] for i in range(3)]
    assert statuses == [503] * 3
    assert (await running)[0] == 200
    samples = await scrape(sim)
    assert value(samples, "community_bot_shed_messages_total") == 3
    assert value(samples, "community_bot_late_replies_total", reason="queued") == 1
    assert value(samples, REQUESTS, method="POST", route="/wechat", status="503") == 3


# -- who may read it --------------------------------------------------------------------------------
async def status_of(sim: WeChatSim, headers: Mapping[str, str] | None = None) -> int:
    return (await sim.client.get("/metrics", headers=headers)).status


async def test_metrics_are_for_loopback_by_default_not_for_whoever_a_proxy_brings(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    assert await status_of(sim) == 200  # the test client connects from 127.0.0.1
    # through a reverse proxy on this host that we were not told to trust: the visitor is unknown
    assert await status_of(sim, {"X-Forwarded-For": "203.0.113.7"}) == 403
    assert await status_of(sim, {"Forwarded": "for=203.0.113.7"}) == 403
    assert await status_of(sim, {"Authorization": "Bearer anything"}) == 200  # no token configured: ignored


async def test_metrics_behind_a_trusted_proxy_judge_the_client(make_sim: MakeSim) -> None:
    sim = await make_sim("safe", trusted_proxies="127.0.0.1", metrics_networks="10.0.0.0/8")
    assert await status_of(sim) == 403  # the proxy itself is not in the metrics networks
    assert await status_of(sim, {"X-Forwarded-For": "203.0.113.7"}) == 403
    assert await status_of(sim, {"X-Forwarded-For": "10.1.2.3"}) == 200


async def test_metrics_with_a_token_only(make_sim: MakeSim) -> None:
    sim = await make_sim("safe", metrics_token="s3cret-token", metrics_networks="")
    assert await status_of(sim) == 403  # loopback alone is not enough when no network is allowed
    assert await status_of(sim, {"Authorization": "Bearer wrong"}) == 403
    assert await status_of(sim, {"Authorization": "Basic s3cret-token"}) == 403
    assert await status_of(sim, {"Authorization": "Bearer s3cret-token"}) == 200
    assert await status_of(sim, {"Authorization": "Bearer s3cret-token", "X-Forwarded-For": "1.2.3.4"}) == 200


def test_metrics_networks_are_checked_at_start() -> None:
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="METRICS_NETWORKS"):
        load_settings(environ={"METRICS_NETWORKS": "127.0.0.1, not-a-network"})


def test_metrics_are_not_in_the_api_document() -> None:
    from bot.api.server import openapi
    from handlers import api_routes

    assert not [path for path in openapi(api_routes())["paths"] if "metrics" in path]


# -- two worker processes ---------------------------------------------------------------------------
def post_plain(port: int, user: str, text: str, msg_id: int) -> tuple[int, str]:
    ts, nonce = str(int(time.time())), f"n{msg_id}"
    query = f"signature={sign('t', ts, nonce)}&timestamp={ts}&nonce={nonce}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/wechat?{query}", data=text_xml(user, text, msg_id).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # a new connection each time
        return response.status, response.headers["X-Request-Id"]


async def forget(prefix: str) -> None:
    store = RedisStore(REDIS_URL, prefix)
    await store.flush_prefix()
    await store.close()


def scrape_port(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return parse(response.read().decode())


@pytest.mark.redis_only
def test_two_workers_add_up_in_one_scrape(tmp_path: Path) -> None:
    port = free_port()
    prefix = f"cbtest:{uuid.uuid4().hex[:8]}:"  # a run of its own: no message is a repeat of an earlier run's
    env = clean_env(PYTHONPATH=str(ROOT), WECHAT_TOKEN="t", REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    messages, processes = 0, set()
    try:
        assert len(healthy_answers(port, wanted=2, within=120)) == 2  # a busy machine starts slowly
        # each request on a new connection: the kernel spreads them over both workers (SO_REUSEPORT)
        while messages < 40 and (messages < 12 or len(processes) < 2):
            status, request_id = post_plain(port, f"o-w{messages % 4}", "帮助", 990_000 + messages)
            assert status == 200
            messages += 1
            processes.add(request_id.split("-")[0])  # the id's prefix is per process
        assert len(processes) == 2, "one worker answered every request"
        # a busy machine queues some turns (answered `success`, run later): wait until every one has run
        deadline = time.monotonic() + 60
        while value(scrape_port(port), TURNS) < messages and time.monotonic() < deadline:
            time.sleep(0.2)
        scrapes = [scrape_port(port) for _ in range(6)]  # whichever worker answers, the sum of both
        for samples in scrapes:
            assert value(samples, REQUESTS, method="POST", route="/wechat", status="200") == messages
            assert value(samples, TURNS) == messages
        assert not [key for key in scrapes[0] if key[0].startswith("process_")]  # one worker's own: left out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=40)
        asyncio.run(forget(prefix))
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err[max(0, err.find("Traceback") - 1000) :][:4000]
    [folder] = re.findall(r'"folder": "([^"]+)"', err)
    assert "community-bot-metrics-" in folder and not Path(folder).exists()  # its own folder, removed
