"""Publishing a notice returns before its audience is turned into outbox rows; two `community-bot worker`
processes then share that fan-out, a batch at a time, and one of them is killed (SIGKILL) in the middle of
it: the other finishes it, every resident gets one outbox row, and the fan-out counted each batch once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from collections import Counter

from bot.app import china_now
from handlers.notices import workflow
from handlers.notices.models import NoticeFanout, NoticeStatus
from handlers.notices.workflow import WriteNotice
from storage.models import Community, Notification, Person
from tests import grid_fixtures as fx
from tests.conftest import REDIS_URL
from tests.e2e.test_cli import ROOT, clean_env
from tests.fake_wechat_api import FakeWeChatAPI
from tests.faults.test_outbox_workers import exited, wait_for

RESIDENTS = 400
BATCH = 2  # people a worker turns into outbox rows at a time: 200 batches, long enough to kill one midway


def start_worker(database_url: str, api: str) -> subprocess.Popen[bytes]:
    env = clean_env(
        DATABASE_URL=database_url,
        WECHAT_APPID="wx-test",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=api,
        OUTBOX_POLL="0.1",
        OUTBOX_CONCURRENCY="4",
        OUTBOX_BATCH="20",
        OUTBOX_RATE="0",
        NOTICES_FANOUT_BATCH=str(BATCH),
        PERIODIC_EVERY="600",
        LOG_LEVEL="ERROR",
    )
    if REDIS_URL:
        env |= {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": f"cbtest:{uuid.uuid4().hex[:8]}:"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_publish_returns_before_the_fan_out_which_two_workers_finish_once(
    seeded: str, fake_api: FakeWeChatAPI
) -> None:
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
            source_key="fan-out",
        ),
        now,
    )
    # published, its reach known, and not one outbox row yet: the fan-out is the workers'
    assert notice.status == NoticeStatus.PUBLISHED and notice.recipients == RESIDENTS
    topic = f"notice:{notice.id}"
    assert not await Notification.filter(topic=topic).exists()
    job = await NoticeFanout.get(notice_id=notice.id)
    assert job.finished_at is None and job.recorded == 0

    rows = 0

    async def count_rows() -> None:
        nonlocal rows
        rows = await Notification.filter(topic=topic).count()

    first = start_worker(seeded, fake_api.base_url)
    second = start_worker(seeded, fake_api.base_url)
    try:
        for _ in range(2400):  # both are at it: some batches done, most not
            await count_rows()
            if rows >= 10 * BATCH:
                break
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # midway through the fan-out (its batch in hand is rolled back)
        await exited(first)
        job = await NoticeFanout.get(notice_id=notice.id)
        assert job.finished_at is None, "the first worker was to be killed in the middle of the fan-out"

        async def finished() -> bool:
            return await NoticeFanout.filter(notice_id=notice.id, finished_at__not_isnull=True).exists()

        for _ in range(2400):
            if await finished():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the surviving worker did not finish the fan-out")
        await wait_for(lambda: len(fake_api.sent_texts()) >= RESIDENTS - 8, "the sends", 120)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                await exited(proc)

    job = await NoticeFanout.get(notice_id=notice.id)
    assert job.recorded == RESIDENTS  # each batch counted once: none done twice, none lost
    people = Counter(await Notification.filter(topic=topic).values_list("person_id", flat=True))
    assert len(people) == RESIDENTS and set(people.values()) == {1}
    assert (await Person.filter(openid__startswith="r").count()) == RESIDENTS
    delivered = Counter(c.body["touser"] for c in fake_api.of("/cgi-bin/message/custom/send"))
    assert max(delivered.values()) == 1  # nobody twice
