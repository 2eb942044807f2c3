"""Two workers serving a steady stream of residents while Redis and then PostgreSQL crash and come back.

``community-bot serve --workers 2`` runs on a private Redis and a private PostgreSQL, with the fake WeChat
API on loopback for the replies sent later. Residents keep writing the whole time and, like WeChat, send a
message again (same MsgId) when an answer is not a 200 in time. Nothing may be a 5xx; every message WeChat
delivered is answered, in the reply or once through the customer-service API, never twice; and once both
servers are back, both workers answer as before without a restart.
"""

from __future__ import annotations

import asyncio
import collections
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import xmltodict
from aiohttp import web

from tests.e2e.test_cli import ROOT, clean_env
from tests.fake_wechat_api import FakeWeChatAPI
from tests.faults.conftest import (
    PrivatePostgres,
    PrivateRedis,
    free_port,
    health,
    say,
    signed_post,
    wait_until,
    with_the_demo,
)
from tests.wechat_sim import TOKEN, text_xml

RESIDENTS = 8
# what residents write all day: each message answered in one turn, whatever state the dialog is in
MESSAGES = ["帮助", "我的信息", "办居住证要带什么", "取消", "社区办公时间", "谢谢"]


@pytest.fixture
def wechat_api() -> Iterator[tuple[FakeWeChatAPI, str]]:
    """The fake WeChat API in a thread of its own (the server under test is another process)."""
    fake, port, loop = FakeWeChatAPI(), free_port(), asyncio.new_event_loop()
    ready, stop = threading.Event(), asyncio.Event()

    async def main() -> None:
        runner = web.AppRunner(fake.app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await stop.wait()
        await runner.cleanup()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield fake, f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)


@dataclass
class Tally:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    # per resident: messages answered in the reply, and those answered `success` (a reply comes later)
    replied: collections.Counter[str] = field(default_factory=collections.Counter)
    later: collections.Counter[str] = field(default_factory=collections.Counter)
    dropped: int = 0  # WeChat gave up after its retries (not accepted: no answer owed)
    sent: int = 0


def deliver(port: int, user: str, text: str, msg_id: int, tally: Tally) -> None:
    """As WeChat does: the message, then the same message again (up to three tries) until a 200."""
    tally.sent += 1
    for _ in range(3):
        try:
            status, raw = signed_post(port, text_xml(user, text, msg_id))
        except OSError:  # no answer in time: WeChat tries again
            tally.statuses[0] += 1
            continue
        tally.statuses[status] += 1
        if status == 200:
            if raw == "success":
                tally.later[user] += 1
            else:
                assert xmltodict.parse(raw)["xml"]["Content"], raw
                tally.replied[user] += 1
            return
    tally.dropped += 1


@pytest.mark.redis_only
def test_redis_and_postgres_crash_under_load_and_two_workers_carry_on(
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
    wechat_api: tuple[FakeWeChatAPI, str],
    tmp_path: Path,
) -> None:
    fake, api_base = wechat_api
    env = clean_env(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=private_postgres.url,
        REDIS_URL=private_redis.url,
        WECHAT_TOKEN=TOKEN,
        WECHAT_APPID="wx-fault",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=api_base,
        OUTBOX_POLL="0.2",
    )
    with_the_demo(env, tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--workers", "2", "--host", "127.0.0.1", "--port",
         str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "server.log").open("wb"),
    )  # fmt: skip
    tally, stop, ids = Tally(), threading.Event(), iter(range(100, 10_000_000))
    lock = threading.Lock()

    def resident(n: int) -> None:
        user = f"o-load-{n}"
        turn = 0
        while not stop.is_set():
            with lock:
                msg_id = next(ids)
            deliver(port, user, MESSAGES[turn % len(MESSAGES)], msg_id, tally)
            turn += 1

    def answer(text: str, msg_id: int) -> str:
        """o-home's answer: the reply, or (answered `success` while busy) the message sent after it."""
        before = len(fake.sent_texts("o-home"))
        reply = say(port, "o-home", text, msg_id)
        if reply:
            return reply
        wait_until(lambda: len(fake.sent_texts("o-home")) > before)
        return fake.sent_texts("o-home")[-1]

    try:
        wait_until(lambda: health(port) == 200)
        assert "请核对" in answer("我住3栋2单元502", 1)
        assert "绑定成功" in answer("1", 2)
        # staff and residents wrote to the account lately: replies go as customer-service messages
        threads = [threading.Thread(target=resident, args=(n,), daemon=True) for n in range(RESIDENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        private_redis.kill()
        time.sleep(1.5)
        private_redis.start()
        time.sleep(2)
        private_postgres.crash()
        time.sleep(1.5)
        private_postgres.start()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(60)
        wait_until(lambda: health(port) == 200)

        assert not [s for s in tally.statuses if s >= 500 and s != 503], tally.statuses  # 503: WeChat retries
        assert tally.sent > 100 and tally.replied, tally
        # every message answered `success` gets its reply later, once
        late = collections.Counter(str(c.body["touser"]) for c in fake.of("/cgi-bin/message/custom/send"))
        wait_until(lambda: all(late[u] >= n for u, n in tally.later.items()), seconds=30)
        late = collections.Counter(str(c.body["touser"]) for c in fake.of("/cgi-bin/message/custom/send"))
        load_users = [f"o-load-{n}" for n in range(RESIDENTS)]
        assert [late[u] for u in load_users] == [tally.later[u] for u in load_users], (late, tally)

        # both workers are whole again: every new connection (spread over them) answers from the database
        for n in range(12):
            assert "3栋2单元502" in answer("我的信息", 20_000_000 + n)
    except BaseException:
        print((tmp_path / "server.log").read_text()[-6000:], tally, sep="\n")  # what the server said
        raise
    finally:
        server.terminate()
        server.wait(30)
