"""Two `community-bot worker` processes deliver one notice to 600 residents; one is killed (SIGKILL) in the
middle of it. The other carries on, what the dead one had only reserved is sent once its reservation lapses,
what it had in flight is recorded unknown (never sent again), and nobody gets the notice twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable

import aiohttp

from bot.app import china_now
from bot.outbox import OutboxWorker
from bot.wechat.client import WeChatClient
from handlers.notices import workflow
from handlers.notices.workflow import WriteNotice
from storage.kv import MemoryStore
from storage.models import Community, Notification, NotificationStatus, Person
from tests import grid_fixtures as fx
from tests.conftest import REDIS_URL
from tests.e2e.test_cli import ROOT, clean_env
from tests.fake_wechat_api import FakeWeChatAPI

RESIDENTS = 600


def start_worker(database_url: str, api: str) -> subprocess.Popen[bytes]:
    env = clean_env(
        DATABASE_URL=database_url,
        WECHAT_APPID="wx-test",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=api,
        OUTBOX_POLL="0.1",
        OUTBOX_CONCURRENCY="2",
        OUTBOX_BATCH="10",
        OUTBOX_RATE="30",  # slow enough that the second starts before the first is done
        PERIODIC_EVERY="600",
        LOG_LEVEL="ERROR",
    )
    if REDIS_URL:  # each its own prefix: its own access token, so the fake API tells the two apart
        env |= {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": f"cbtest:{uuid.uuid4().hex[:8]}:"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def exited(proc: subprocess.Popen[bytes]) -> None:
    """Wait for the process without blocking the event loop (the fake WeChat API runs on it)."""
    await wait_for(lambda: proc.poll() is not None, "the worker to stop", 30)


async def test_a_worker_killed_midway_sends_nothing_twice(seeded: str, fake_api: FakeWeChatAPI) -> None:
    now = china_now()
    home = await fx.home("3栋2单元502")
    await Person.bulk_create(
        [
            Person(openid=f"r{i}", community_id=home.community_id, home_id=home.id, last_message_at=now)
            for i in range(RESIDENTS)
        ]
    )
    notice = await workflow.write(
        WriteNotice(
            community_id=(await Community.get(code="xingfuli")).id,
            by=await Person.get(openid="demo-committee"),
            title="停水通知",
            text="明天9:00-17:00停水，请提前储水。",
            source_key="fault",
        ),
        now,
    )
    assert notice.recipients == RESIDENTS
    fake_api.answer_delay = 0.03  # a send takes a while: the killed worker has some in flight

    def sends() -> list[dict[str, object]]:
        return [
            c.body | {"token": c.query.get("access_token")}
            for c in fake_api.of("/cgi-bin/message/custom/send")
        ]

    def by_token() -> Counter[object]:
        return Counter(s["token"] for s in sends())

    first = start_worker(seeded, fake_api.base_url)
    second: subprocess.Popen[bytes] | None = None
    try:
        await wait_for(lambda: len(sends()) >= 40, "the first worker to send")
        [token_a] = by_token()
        second = start_worker(seeded, fake_api.base_url)
        await wait_for(lambda: len(by_token()) == 2 and min(by_token().values()) >= 20, "both to send")
        first.send_signal(signal.SIGKILL)  # midway: rows reserved, sends in flight
        await exited(first)
        await asyncio.sleep(1)  # what it had already written to the socket reaches the fake API
        at_kill = by_token()[token_a]
        assert at_kill < RESIDENTS - 100, "the first worker was to be killed in the middle of it"

        async def drained() -> bool:
            left = await Notification.filter(
                topic=f"notice:{notice.id}", status=NotificationStatus.PENDING, locked_until=None
            ).count()
            return left == 0

        for _ in range(2400):  # the survivor takes everything not reserved by the dead one
            if await drained():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the surviving worker did not carry on")
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # it finishes the sends in hand: the fake API must answer
                await exited(proc)
    assert by_token()[token_a] == at_kill  # nothing more from the dead one

    # three minutes on: the dead worker's reservations have lapsed, its claims have expired
    later = china_now() + dt.timedelta(minutes=3)
    async with aiohttp.ClientSession() as session:
        client = WeChatClient(
            session, MemoryStore(), appid="wx-test", secret="test-secret", base_url=fake_api.base_url
        )
        worker = OutboxWorker(client, lambda: max(china_now(), later), templates={})
        while await worker.run_once():
            pass

    delivered = Counter(str(s["touser"]) for s in sends())
    assert max(delivered.values()) == 1  # nobody twice
    statuses = Counter(
        str(s)
        for s in await Notification.filter(topic=f"notice:{notice.id}").values_list("status", flat=True)
    )
    unknown = statuses.pop(NotificationStatus.UNKNOWN.value, 0)
    assert statuses == {NotificationStatus.SENT.value: RESIDENTS - unknown}
    assert unknown <= 2  # only what the dead worker had in flight (its concurrency)
    assert len(delivered) >= RESIDENTS - unknown  # every one sent arrived; an unknown one may have
