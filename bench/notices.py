"""A notice to 50,000 residents against a fake WeChat API on loopback: how long publishing takes (what the
API's and the console's request awaits), how long the outbox workers take to turn the audience into outbox
rows (the fan-out, in batches, while they send), how fast they send them, and how long an urgent notice
waits behind the routine one already queued. The baseline, in the same run: the fan-out done inside the
request, as publishing did before (the same batches, in this process, no worker running).

    python bench/notices.py [--residents 50000] [--workers 2] [--concurrency 16] [--batch 100]
                            [--fanout-batch 2000] [--answer-ms 10] [--rate 0]
                            [--database-url URL] [--redis-url URL]

The fake WeChat API (tests/fake_wechat_api.py) runs in a process of its own and answers each send after
``--answer-ms``; each outbox worker is a process of its own (``bot.outbox.OutboxWorker``, as `community-bot
worker` runs it). Half the residents wrote lately (customer-service message), half did not (template
message). Once a fifth of the routine notice is sent, an urgent notice goes to one building (1 in 40 of the
residents). The floor first: the WeChat client alone, without database or outbox, at the same number of
sends in flight. With a PostgreSQL ``--database-url`` (or DATABASE_URL) a fresh database is created for the
run and dropped after it; without one, a temporary SQLite file (use ``--workers 1`` there: SQLite has one
writer, and several processes wait on each other's locks). ``--rate`` (sends a second for the account,
needs ``--redis-url`` to hold across the workers) is 0, no limit, by default: the figure is what the code
and the database can do.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_import import drop_database, fresh_database
from bot.app import china_now
from bot.outbox import OutboxWorker
from bot.wechat.client import WeChatClient
from handlers.notices import fanout, workflow
from handlers.notices.models import NoticeAudience, NoticeFanout
from handlers.notices.workflow import WriteNotice
from storage import db
from storage.kv import MemoryStore, RedisStore, open_store
from storage.models import Building, Community, Home, Notification, Person, Role, RoleName
from tests.fake_wechat_api import FakeWeChatAPI

BUILDINGS = 40
URGENT_MARK = "紧急"
TEMPLATES = {
    "service_update": {"template_id": "TPL-S", "fields": {"first": "{text}"}},
    "notice": {"template_id": "TPL-N", "fields": {"first": "{title}", "keyword1": "{community}"}},
}


# -- the fake WeChat API, in a process of its own -------------------------------------------------------
class TimedFake(FakeWeChatAPI):
    """The fake API, remembering when each send arrived, for whom, and whether it was the urgent notice."""

    def __init__(self, answer_delay: float) -> None:
        super().__init__(answer_delay=answer_delay)
        self.sends: list[tuple[float, str, bool]] = []

    async def custom_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", {}).get("content", ""))
        self.sends.append((time.time(), str(body.get("touser")), URGENT_MARK in text.split("\n", 1)[0]))
        return await super().custom_send(request)

    async def template_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        first = str(body.get("data", {}).get("first", {}).get("value", ""))
        self.sends.append((time.time(), str(body.get("touser")), URGENT_MARK in first))
        return await super().template_send(request)

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"sends": self.sends})

    async def count(self, _request: web.Request) -> web.Response:
        return web.json_response({"count": len(self.sends)})

    async def reset(self, _request: web.Request) -> web.Response:
        self.sends.clear()
        self.calls.clear()
        return web.json_response({})


def fake_api(port: int, answer_delay: float) -> None:
    api = TimedFake(answer_delay)
    app = api.app()
    app.router.add_get("/stats", api.stats)
    app.router.add_post("/reset", api.reset)
    app.router.add_get("/count", api.count)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- an outbox worker, in a process of its own -----------------------------------------------------------
def outbox_worker(
    url: str, redis: tuple[str, str], api: str, options: dict[str, Any], stop: Any, ready: Any
) -> None:
    asyncio.run(_work(url, redis, api, options, stop, ready))


async def _work(
    url: str, redis: tuple[str, str], api: str, options: dict[str, Any], stop: Any, ready: Any
) -> None:
    """``redis``: its URL (empty: a store of this process alone) and the run's prefix, shared by the
    workers as a deployment's are (the access token, the rate's token bucket)."""
    await db.open_db(url)
    store = open_store(redis[0] or None, redis[1])
    try:
        async with aiohttp.ClientSession() as session:
            client = WeChatClient(session, store, appid="wx-bench", secret="test-secret", base_url=api)
            fanout.configure(options.pop("fanout_batch"))
            worker = OutboxWorker(
                client, china_now, poll=0.05, templates=TEMPLATES, store=store, feeds=[fanout.step], **options
            )
            stopping = asyncio.Event()
            ready.set()  # imported and connected: the clock may start

            async def watch() -> None:
                while not stop.is_set():
                    await asyncio.sleep(0.1)
                stopping.set()

            await asyncio.gather(worker.run(stopping), watch())
    finally:
        await store.close()
        await db.close_db()


# -- the run ---------------------------------------------------------------------------------------------
async def residents(count: int) -> tuple[int, Person]:
    """A community of 40 buildings with ``count`` residents; returns its id and its committee member."""
    community = await Community.create(code="bench", name="基准社区")
    await Building.bulk_create(
        [Building(community=community, number=n, units=2) for n in range(1, BUILDINGS + 1)]
    )
    buildings = await Building.filter(community=community).order_by("number")
    per_building = max(1, count // (BUILDINGS * 2 * 2))  # about two residents a home
    await Home.bulk_create(
        [
            Home(community=community, building=b, unit=unit, room=f"{1 + r // 4}{1 + r % 4:02d}")
            for b in buildings
            for unit in (1, 2)
            for r in range(per_building)
        ],
        batch_size=2000,
    )
    homes: list[Any] = (
        await Home.filter(community=community).order_by("building_id", "id").values_list("id", flat=True)
    )
    now = china_now()
    for start in range(0, count, 5000):
        await Person.bulk_create(
            [
                Person(
                    openid=f"bench-{i}",
                    community=community,
                    home_id=homes[i * len(homes) // count],
                    last_message_at=now if i % 2 else now - dt.timedelta(hours=72),
                )
                for i in range(start, min(count, start + 5000))
            ]
        )
    staff = await Person.create(openid="bench-committee", name="主任", community=community)
    await Role.create(person=staff, community=community, role=RoleName.COMMITTEE)
    return community.id, staff


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def floor(api: str, sends: int, in_flight: int) -> float:
    """Sends a second of the WeChat client alone (no database, no outbox) at the same concurrency: what
    this machine and the fake API allow at best."""
    async with aiohttp.ClientSession() as session:
        client = WeChatClient(session, MemoryStore(), appid="wx-bench", secret="test-secret", base_url=api)
        await client.access_token()
        left = list(range(sends))

        async def send() -> None:
            while left:
                await client.send_text(f"floor-{left.pop()}", "【社区通知】基准")

        start = time.perf_counter()
        await asyncio.gather(*(send() for _ in range(in_flight)))
        seconds = time.perf_counter() - start
        await session.post(api + "/reset")
    return sends / seconds


async def api_up(api: str, seconds: float = 120) -> None:
    """Wait for the fake API's process to answer (its imports take a while on a busy machine)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            await count(api)
            return
        except aiohttp.ClientError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def count(api: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(api + "/count") as response:
        return int((await response.json())["count"])


async def stats(api: str) -> list[tuple[float, str, bool]]:
    async with aiohttp.ClientSession() as session, session.get(api + "/stats") as response:
        return [(float(t), str(u), bool(x)) for t, u, x in (await response.json())["sends"]]


async def run(args: argparse.Namespace, url: str) -> None:
    await db.upgrade(url)
    await db.open_db(url)
    ctx = mp.get_context("spawn")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    fake = ctx.Process(target=fake_api, args=(port, args.answer_ms / 1000), daemon=True)
    fake.start()
    stop = ctx.Event()
    workers: list[Any] = []
    redis = (args.redis_url, f"cbbench:{uuid.uuid4().hex[:6]}:")
    timings: dict[str, float] = {}
    try:
        start = time.perf_counter()
        community_id, staff = await residents(args.residents)
        print(f"{args.residents} residents created in {time.perf_counter() - start:.1f} s")
        await api_up(api)
        best = await floor(api, 5000, args.workers * args.concurrency)
        in_flight = args.workers * args.concurrency
        print(f"floor: the WeChat client alone sends {best:,.0f}/s to the fake API ({in_flight} in flight)")
        options = {
            "concurrency": args.concurrency,
            "batch": args.batch,
            "rate": args.rate,
            "fanout_batch": args.fanout_batch,
        }
        readies = [ctx.Event() for _ in range(args.workers)]
        workers = [
            ctx.Process(target=outbox_worker, args=(url, redis, api, options, stop, ready))
            for ready in readies
        ]
        for w in workers:
            w.start()
        while not all(r.is_set() for r in readies):  # the workers are up before the clock starts
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)

        start = time.perf_counter()
        routine = await workflow.write(
            WriteNotice(
                community_id,
                staff,
                "小区消杀通知",
                "本周五上午对小区绿化带消杀，请关好门窗。",
                "bench-routine",
            ),
            china_now(),
        )
        timings["publish"] = time.perf_counter() - start
        rows_then = await Notification.filter(topic=f"notice:{routine.id}").count()
        print(
            f"routine notice to {routine.recipients} residents published in "
            f"{timings['publish'] * 1000:.0f} ms "
            f"({rows_then} outbox rows then: the fan-out is the workers')"
        )
        while not await NoticeFanout.filter(notice_id=routine.id, finished_at__not_isnull=True).exists():
            await asyncio.sleep(0.05)
        timings["fanout"] = time.perf_counter() - start
        rows = await Notification.filter(topic=f"notice:{routine.id}").count()
        job = await NoticeFanout.get(notice_id=routine.id)
        print(
            f"fan-out by the workers: {rows} outbox rows in {timings['fanout']:.2f} s after publishing "
            f"({rows / timings['fanout']:,.0f} rows/s, {job.batches} batches of {args.fanout_batch}, "
            f"while sending; {await count(api)} sent by then)"
        )

        while await count(api) < args.residents // 5:
            await asyncio.sleep(0.05)
        queued = await Notification.filter(topic=f"notice:{routine.id}", status="pending").count()
        urgent_at = time.time()
        urgent = await workflow.write(
            WriteNotice(
                community_id,
                staff,
                "1栋紧急停水通知",
                "1栋供水管爆裂，现紧急停水抢修，请提前储水。",
                "bench-urgent",
                audience=NoticeAudience.BUILDINGS,
                targets=(1,),
                urgent=True,
            ),
            china_now(),
        )
        committed = time.time()
        while await Notification.filter(status__in=["pending", "sending"]).exists():
            await asyncio.sleep(0.2)
        sends = await stats(api)
        stop.set()
        for w in workers:
            w.join(30)
        await baseline(community_id, staff, timings)
    finally:
        stop.set()
        for w in workers:
            w.join(30)
        fake.terminate()
        await db.close_db()
        if args.redis_url:
            shared = RedisStore(*redis)
            await shared.flush_prefix()
            await shared.close()
    report(args, sends, urgent.recipients, queued, urgent_at, committed, url)
    print(
        f"publishing: {timings['publish'] * 1000:.0f} ms now, against {timings['inline']:.2f} s with the "
        f"fan-out in the request (baseline, no worker running): "
        f"{timings['inline'] / timings['publish']:,.0f}x"
    )


async def baseline(community_id: int, staff: Person, timings: dict[str, float]) -> None:
    """The fan-out inside the request, as publishing did before: the same notice, published, then its
    batches run here at once (no worker running); its rows are deleted after (nothing is sent)."""
    start = time.perf_counter()
    notice = await workflow.write(
        WriteNotice(
            community_id, staff, "基准：旧的发布方式", "同一批居民，在请求内写入发件箱。", "bench-inline"
        ),
        china_now(),
    )
    await fanout.run_all(china_now())
    timings["inline"] = time.perf_counter() - start
    rows = await Notification.filter(topic=f"notice:{notice.id}").count()
    print(
        f"baseline: publishing with the fan-out in the request took {timings['inline']:.2f} s ({rows} rows)"
    )
    await Notification.filter(topic=f"notice:{notice.id}").delete()


def report(
    args: argparse.Namespace,
    sends: list[tuple[float, str, bool]],
    urgent_count: int,
    queued: int,
    urgent_at: float,
    committed: float,
    url: str,
) -> None:
    times = sorted(t for t, _, _ in sends)
    per_person = Counter((u, x) for _, u, x in sends)
    urgent_times = sorted(t for t, _, x in sends if x)
    routine_rate = (len(sends) - len(urgent_times)) / (times[-1] - times[0])
    twice = sum(c > 1 for c in per_person.values())
    print(f"sent: {len(sends)} ({len(urgent_times)} urgent), sent twice: {twice}")
    print(
        f"sends/s: {len(sends) / (times[-1] - times[0]):,.0f} overall with {args.workers} workers x "
        f"{args.concurrency} in flight, WeChat answering in {args.answer_ms} ms"
    )
    print(
        f"urgent notice ({urgent_count} residents) published in {committed - urgent_at:.2f} s, "
        f"with {queued} routine rows still queued"
    )
    print(
        f"urgent waited: first sent {urgent_times[0] - committed:.2f} s after it was published, "
        f"the last {urgent_times[-1] - committed:.2f} s after"
    )
    print(f"(behind the routine queue without priorities: about {queued / routine_rate:.0f} s)")
    database = "SQLite" if db.is_sqlite(url) else "PostgreSQL"
    print(f"database: {database}, store: {'Redis' if args.redis_url else 'memory'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--fanout-batch", type=int, default=2000)
    parser.add_argument("--answer-ms", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    args = parser.parse_args()
    if args.database_url and not db.is_sqlite(args.database_url):
        url, admin = asyncio.run(fresh_database(args.database_url))
        try:
            asyncio.run(run(args, url))
        finally:
            asyncio.run(drop_database(url, admin))
    else:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(args, f"sqlite://{folder}/bench.sqlite3"))


if __name__ == "__main__":
    main()
