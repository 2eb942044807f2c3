"""The outbox against the fake WeChat API: window, templates, failures, retries, races and restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
from tortoise.transactions import in_transaction

from bot.outbox import OutboxWorker
from bot.wechat.client import WeChatClient
from storage.kv import Store
from storage.models import Notification, NotificationStatus, Person
from storage.outbox import notify
from tests.fake_wechat_api import FakeWeChatAPI
from tests.helpers import Clock

TEMPLATES = {"service_update": {"template_id": "TPL-1", "fields": {"first": "{text}", "keyword1": "{title}"}}}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(fake_api: FakeWeChatAPI, store: Store) -> AsyncIterator[WeChatClient]:
    async with aiohttp.ClientSession() as session:
        yield WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url, timeout=2
        )


def worker_for(
    client: WeChatClient, clock: Clock, templates: dict[str, object] | None = None
) -> OutboxWorker:
    return OutboxWorker(client, clock, base_delay=10, max_attempts=3, templates=templates or TEMPLATES)


async def person(clock: Clock, openid: str = "o1", hours_since_message: float = 1) -> Person:
    return await Person.create(
        openid=openid, last_message_at=clock.now - dt.timedelta(hours=hours_since_message)
    )


async def test_within_the_window_a_customer_service_message(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "k1", "您的报修已受理", now=clock.now)
    assert await worker_for(client, clock).run_once() == 1
    assert fake_api.sent_texts("o1") == ["您的报修已受理"]
    note = await Notification.get(key="k1")
    assert (note.status, note.channel, note.attempts) == (NotificationStatus.SENT, "custom", 1)
    assert note.sent_at == clock.now
    assert await worker_for(client, clock).run_once() == 0  # nothing twice


async def test_outside_the_window_a_template_message(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock, hours_since_message=49)
    await notify(p, "k1", "工单已完成", now=clock.now, template_data={"title": "楼道灯"})
    await worker_for(client, clock).run_once()
    [call] = fake_api.of("/cgi-bin/message/template/send")
    assert call.body["template_id"] == "TPL-1"
    assert call.body["data"] == {"first": {"value": "工单已完成"}, "keyword1": {"value": "楼道灯"}}
    assert not fake_api.sent_texts()
    assert (await Notification.get(key="k1")).channel == "template"


async def test_window_closed_by_wechat_falls_back_to_the_template(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "k1", "进度更新", now=clock.now)
    fake_api.fail_next = [45015]
    await worker_for(client, clock).run_once()
    assert len(fake_api.of("/cgi-bin/message/template/send")) == 1
    assert (await Notification.get(key="k1")).status is NotificationStatus.SENT


async def test_no_template_configured_is_recorded_not_dropped(
    database: str, client: WeChatClient, clock: Clock
) -> None:
    p = await person(clock, hours_since_message=72)
    await notify(p, "k1", "进度更新", now=clock.now)
    await worker_for(
        client, clock, templates={"service_update": {"template_id": "", "fields": {}}}
    ).run_once()
    note = await Notification.get(key="k1")
    assert note.status is NotificationStatus.UNDELIVERABLE and "template" in note.last_error


async def test_failures_are_retried_with_backoff_then_given_up(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    worker = worker_for(client, clock)
    fake_api.fail_next = [-1]  # WeChat busy
    await worker.run_once()
    note = await Notification.get(key="k1")
    assert (note.status, note.attempts) == (NotificationStatus.PENDING, 1)
    assert note.next_attempt_at == clock.now + dt.timedelta(seconds=10)
    assert await worker.run_once() == 0  # not due yet
    clock.now += dt.timedelta(seconds=10)
    fake_api.fail_next = [-1]
    await worker.run_once()
    assert (await Notification.get(key="k1")).next_attempt_at == clock.now + dt.timedelta(seconds=20)
    clock.now += dt.timedelta(seconds=20)
    fake_api.fail_next = [-1]
    await worker.run_once()
    note = await Notification.get(key="k1")
    assert (note.status, note.attempts) == (NotificationStatus.FAILED, 3)
    assert len(fake_api.sent_texts()) == 3


async def test_a_timeout_is_retried(
    database: str, store: Store, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    async with aiohttp.ClientSession() as session:
        dead = WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url="http://127.0.0.1:9", timeout=0.3
        )
        await worker_for(dead, clock).run_once()
        assert (await Notification.get(key="k1")).status is NotificationStatus.PENDING
        clock.now += dt.timedelta(seconds=10)
        alive = WeChatClient(session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url)
        await worker_for(alive, clock).run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.SENT


async def test_refused_for_good_is_undeliverable(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    fake_api.fail_next = [43004]  # the person unfollowed
    await worker_for(client, clock).run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.UNDELIVERABLE


async def test_mini_program_only_person_is_undeliverable(
    database: str, client: WeChatClient, clock: Clock
) -> None:
    p = await Person.create(openid=None, mp_openid="mp-1")
    await notify(p, "k1", "通知", now=clock.now)
    await worker_for(client, clock).run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.UNDELIVERABLE


async def test_recorded_once_per_key_and_only_with_its_change(database: str, clock: Clock) -> None:
    p = await person(clock)
    assert await notify(p, "same", "一", now=clock.now) is not None
    assert await notify(p, "same", "二", now=clock.now) is None
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await notify(p, "rolled-back", "三", now=clock.now)
            raise RuntimeError("the change failed")
    assert [n.text for n in await Notification.all()] == ["一"]


async def test_concurrent_workers_never_send_twice(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    people = [await person(clock, f"o{i}") for i in range(12)]
    for i, p in enumerate(people):
        await notify(p, f"k{i}", f"通知{i}", now=clock.now)
    workers = [worker_for(client, clock) for _ in range(4)]
    handled = await asyncio.gather(*(w.run_once() for w in workers))
    assert sum(handled) == 12
    assert sorted(fake_api.sent_texts()) == sorted(f"通知{i}" for i in range(12))
    assert await Notification.filter(status=NotificationStatus.SENT).count() == 12


async def test_a_slow_wechat_gets_several_sends_at_once_each_once(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    # WeChat answers, but takes its time: one send after another would hold a resident's reply behind
    # the whole batch, so a worker keeps several in flight (each still claimed on its own)
    people = [await person(clock, f"o{i}") for i in range(6)]
    for i, p in enumerate(people):
        await notify(p, f"k{i}", f"通知{i}", now=clock.now)
    await client.access_token()
    fake_api.answer_delay = 0.3
    assert await worker_for(client, clock).run_once() == 6
    assert fake_api.most_in_flight > 1
    assert sorted(fake_api.sent_texts()) == sorted(f"通知{i}" for i in range(6))
    assert await Notification.filter(status=NotificationStatus.SENT).count() == 6


async def test_a_restart_loses_nothing_and_sends_nothing_twice(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    p = await person(clock)
    await notify(p, "waiting", "等着发", now=clock.now)
    await notify(p, "in-hand", "发送中崩溃", now=clock.now)
    # a worker claimed "in-hand" and died before it knew whether WeChat had it
    await Notification.filter(key="in-hand").update(
        status=NotificationStatus.SENDING, locked_until=clock.now + dt.timedelta(minutes=2)
    )
    clock.now += dt.timedelta(minutes=3)
    fresh = worker_for(client, clock)  # the restarted process
    assert await fresh.run_once() == 1
    assert fake_api.sent_texts() == ["等着发"]
    in_hand = await Notification.get(key="in-hand")
    assert in_hand.status is NotificationStatus.UNKNOWN


async def test_worker_loop_wakes_and_stops(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    worker = OutboxWorker(client, clock, poll=30, templates=TEMPLATES)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    p = await person(clock)
    await notify(p, "k1", "马上送达", now=clock.now)
    worker.wake()  # without it the next look would be 30 s away
    for _ in range(100):
        if fake_api.sent_texts():
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert fake_api.sent_texts() == ["马上送达"]


async def test_a_repeated_key_inside_a_transaction_keeps_that_transaction(
    database: str, clock: Clock
) -> None:
    p = await person(clock)
    async with in_transaction():
        await notify(p, "k", "一", now=clock.now)
        assert await notify(p, "k", "一", now=clock.now) is None  # a savepoint absorbed the conflict
        await Person.create(openid="written-after")
    assert await Person.exists(openid="written-after")


async def test_an_outage_of_a_day_loses_nothing(
    database: str, store: Store, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    # WeChat's API unreachable for 20 hours: the outbox keeps trying, at most half an hour apart
    p = await person(clock)
    await notify(p, "k1", "停水通知", now=clock.now)
    start = clock.now
    async with aiohttp.ClientSession() as session:
        dead = WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url="http://127.0.0.1:9", timeout=0.3
        )
        worker = OutboxWorker(dead, clock, templates=TEMPLATES)
        attempts = 0
        while clock.now - start < dt.timedelta(hours=20):
            note = await Notification.get(key="k1")
            assert note.status is NotificationStatus.PENDING
            assert note.next_attempt_at - clock.now <= dt.timedelta(minutes=30)
            clock.now = max(clock.now, note.next_attempt_at)
            attempts += await worker.run_once()
        assert attempts > 30
        alive = WeChatClient(session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url)
        clock.now = (await Notification.get(key="k1")).next_attempt_at
        await OutboxWorker(alive, clock, templates=TEMPLATES).run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.SENT
    assert fake_api.sent_texts("o1") == ["停水通知"]


async def test_given_up_after_a_day_and_retried_by_the_operator(
    database: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    from bot.outbox import retry_failed

    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    worker = OutboxWorker(client, clock, templates=TEMPLATES)
    for _ in range(200):
        note = await Notification.get(key="k1")
        if note.status is not NotificationStatus.PENDING:
            break
        clock.now = max(clock.now, note.next_attempt_at)
        fake_api.fail_next = [-1]  # WeChat busy, every time
        await worker.run_once()
    note = await Notification.get(key="k1")
    assert note.status is NotificationStatus.FAILED and 40 < note.attempts < 60
    assert await retry_failed(clock.now) == 1
    await worker.run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.SENT


async def test_a_send_without_an_answer_is_unknown_and_never_sent_again(
    database: str, store: Store, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    # WeChat took the message but its answer did not come back in time: sending again would send twice
    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    async with aiohttp.ClientSession() as session:
        slow = WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url, timeout=0.5
        )
        await slow.access_token()  # the token first, so that only the send itself is slow
        fake_api.answer_delay = 1.0  # it takes the message, then answers too late
        await OutboxWorker(slow, clock, templates=TEMPLATES).run_once()
        note = await Notification.get(key="k1")
        assert note.status is NotificationStatus.UNKNOWN and "may be delivered" in note.last_error
        clock.now += dt.timedelta(hours=1)
        assert await OutboxWorker(slow, clock, templates=TEMPLATES).run_once() == 0
    assert fake_api.sent_texts("o1") == ["通知"]  # it reached WeChat once, and is never sent again


async def test_a_token_fetch_without_an_answer_is_retried_the_message_never_left(
    database: str, store: Store, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    # WeChat answers too late while we fetch the access token: the message itself was never sent, so it
    # is retried, not recorded as unknown (which is never sent again)
    p = await person(clock)
    await notify(p, "k1", "通知", now=clock.now)
    async with aiohttp.ClientSession() as session:
        slow = WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url, timeout=0.5
        )
        fake_api.token_delay = 1.0
        await worker_for(slow, clock).run_once()
        assert (await Notification.get(key="k1")).status is NotificationStatus.PENDING
        fake_api.token_delay = 0
        clock.now += dt.timedelta(seconds=10)
        await worker_for(slow, clock).run_once()
    assert (await Notification.get(key="k1")).status is NotificationStatus.SENT
    assert fake_api.sent_texts("o1") == ["通知"]
