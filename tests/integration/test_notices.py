"""Notices on the real database: who each audience reaches, publishing once in batches, the outbox's order
(urgent notices first, routine ones last), several workers sharing a sending, the grid workers' list."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.outbox import OutboxWorker
from bot.wechat.client import WeChatClient
from handlers.common.rules import Refusal
from handlers.notices import audience, fanout, queries, workflow
from handlers.notices.models import Notice, NoticeAudience, NoticeReceipt
from handlers.notices.workflow import WriteNotice
from handlers.register.models import Grid
from storage import outbox
from storage.kv import Store
from storage.models import Community, Notification, NotificationStatus, Person, Role, RoleName
from storage.outbox import notify
from tests import grid_fixtures as fx
from tests.fake_wechat_api import FakeWeChatAPI
from tests.helpers import Clock

TEMPLATES = {
    "service_update": {"template_id": "TPL-1", "fields": {"first": "{text}"}},
    "notice": {"template_id": "TPL-N", "fields": {"first": "{title}", "keyword1": "{community}"}},
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(fake_api: FakeWeChatAPI, store: Store) -> AsyncIterator[WeChatClient]:
    async with aiohttp.ClientSession() as session:
        yield WeChatClient(
            session, store, appid="wx1", secret="test-secret", base_url=fake_api.base_url, timeout=2
        )


async def resident(address: str, openid: str, clock: Clock, *, hours_since_message: float = 1) -> Person:
    home = await fx.home(address)
    return await Person.create(
        openid=openid,
        name=openid,
        community_id=home.community_id,
        home=home,
        last_message_at=clock.now - dt.timedelta(hours=hours_since_message),
    )


async def write(clock: Clock, key: str, **changes: object) -> Notice:
    spec: dict[str, object] = {
        "community_id": (await Community.get(code="xingfuli")).id,
        "by": await Person.get(openid="demo-committee"),
        "title": "停水通知",
        "text": "明天9:00-17:00停水，请提前储水。",
        "source_key": key,
    }
    spec.update(changes)
    notice = await workflow.write(WriteNotice(**spec), clock.now)  # type: ignore[arg-type]
    await fanout.run_all(clock.now)  # what the outbox workers do in the background
    return notice


async def sent_to(notice: Notice) -> set[str]:
    rows = await Notification.filter(topic=f"notice:{notice.id}").prefetch_related("person")
    return {r.person.openid or "" for r in rows}


async def test_each_audience_reaches_its_people_and_nobody_else(seeded: str, clock: Clock) -> None:
    a3 = await resident("3栋2单元502", "a3", clock)
    b3 = await resident("3栋1单元101", "b3", clock)
    c5 = await resident("5栋1单元101", "c5", clock)
    d1 = await resident("1栋1单元101", "d1", clock)
    grid = await fx.grid("G1", [3, 4], name="第一网格")
    where = await Community.get(code="xingfuli")
    await Role.create(person=c5, community=where, role=RoleName.VOLUNTEER)
    await fx.resident("1栋1单元101", "d1", care=["lives_alone"], person=d1)
    await fx.resident("3栋1单元101", "b3", care=["disabled"], person=b3)
    owner = await fx.resident("3栋2单元502", "a3", person=a3)
    await owner.__class__.filter(id=owner.id).update(is_owner=True)  # 业主 on the register
    cases = [
        (NoticeAudience.COMMUNITY, (), {"a3", "b3", "c5", "d1"}),
        (NoticeAudience.BUILDINGS, (3,), {"a3", "b3"}),
        (NoticeAudience.GRIDS, (grid.id,), {"a3", "b3"}),
        (NoticeAudience.ROLES, ("volunteer",), {"c5", "demo-volunteer"}),
        (NoticeAudience.ROLES, ("owner",), {"a3"}),
        (NoticeAudience.CARE, (), {"b3", "d1"}),
        (NoticeAudience.CARE, ("lives_alone",), {"d1"}),
    ]
    for i, (kind, targets, expected) in enumerate(cases):
        notice = await write(clock, f"case-{i}", audience=kind, targets=targets, title=f"通知{i}")
        assert await sent_to(notice) == expected, kind
        assert notice.recipients == len(expected)
    # an elsewhere community's resident with the same building number hears nothing
    village = await fx.home("1栋101", community_code="hepingcun")
    await Person.create(openid="village", community_id=village.community_id, home=village)
    notice = await write(clock, "elsewhere", audience=NoticeAudience.BUILDINGS, targets=(1,))
    assert await sent_to(notice) == {"d1"}


async def test_audiences_are_checked(seeded: str, clock: Clock) -> None:
    with pytest.raises(Refusal, match=r"notices\.no_building"):
        await write(clock, "k1", audience=NoticeAudience.BUILDINGS, targets=(99,))
    other = await Grid.create(community=await Community.get(code="hepingcun"), code="X")
    with pytest.raises(Refusal, match=r"notices\.no_grid"):
        await write(clock, "k2", audience=NoticeAudience.GRIDS, targets=(other.id,))
    with pytest.raises(Refusal, match=r"notices\.bad_role"):
        await write(clock, "k3", audience=NoticeAudience.ROLES, targets=("mayor",))
    with pytest.raises(Refusal, match=r"notices\.care_not_public"):
        await write(clock, "k4", audience=NoticeAudience.CARE, public=True)
    with pytest.raises(Refusal, match=r"notices\.staff_only"):
        await write(clock, "k5", by=await Person.get(openid="demo-volunteer"))
    assert not await Notice.exists()


async def test_a_large_audience_is_recorded_in_batches_and_published_once(seeded: str, clock: Clock) -> None:
    home = await fx.home("3栋2单元502")
    await Person.bulk_create(
        [Person(openid=f"o{i}", community_id=home.community_id, home_id=home.id) for i in range(2500)]
    )
    notice = await write(clock, "big", publish_at=clock.now + dt.timedelta(hours=1))
    clock.now += dt.timedelta(hours=1)
    published = await asyncio.gather(*(workflow.publish(notice, clock.now) for _ in range(3)))
    assert sorted(published) == [0, 0, 2500]  # whichever is first: the others publish nothing
    assert not await Notification.filter(topic=f"notice:{notice.id}").exists()  # the workers' to do
    assert (await queries.figures([notice.id]))[notice.id].waiting == 2500  # not in the outbox yet
    await asyncio.gather(*(fanout.run_all(clock.now) for _ in range(3)))
    figures = (await queries.figures([notice.id]))[notice.id]
    assert (figures.waiting, figures.queued, figures.recorded) == (2500, 0, 2500)
    rows = await Notification.filter(topic=f"notice:{notice.id}").count()
    assert rows == 2500 == len(await audience.recipients(audience.Target.of(notice)))
    assert (
        len(set(await Notification.filter(topic=f"notice:{notice.id}").values_list("person_id", flat=True)))
        == 2500
    )


async def test_urgent_first_then_the_rest_then_routine_notices(
    seeded: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    for i in range(30):
        await resident("3栋2单元502", f"r{i}", clock)
    routine = await write(clock, "routine", title="小区消杀通知")  # 30 rows queued first
    ticket_news = await notify(await Person.get(openid="r0"), "ticket:1", "您的报修已受理", now=clock.now)
    clock.now += dt.timedelta(seconds=1)
    urgent = await write(clock, "urgent", title="紧急停水", urgent=True)  # queued last
    worker = OutboxWorker(client, clock, templates=TEMPLATES, batch=10, concurrency=1)
    while await worker.run_once():
        pass
    sent = [c.body["text"]["content"] for c in fake_api.of("/cgi-bin/message/custom/send")]
    assert len(sent) == 61 and ticket_news is not None
    kinds = ["urgent" if "紧急停水" in t else "routine" if "消杀" in t else "ticket" for t in sent]
    assert kinds == ["urgent"] * 30 + ["ticket"] + ["routine"] * 30
    assert await Notification.filter(status=NotificationStatus.SENT).count() == 61
    assert routine.id != urgent.id


async def test_workers_at_once_share_a_sending_and_send_nothing_twice(
    seeded: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    for i in range(60):
        await resident("3栋2单元502", f"r{i}", clock, hours_since_message=1 if i % 2 else 72)
    notice = await write(clock, "many")
    workers = [OutboxWorker(client, clock, templates=TEMPLATES, batch=7, concurrency=3) for _ in range(4)]

    async def drain(worker: OutboxWorker) -> int:
        done = 0
        while handled := await worker.run_once():
            done += handled
        return done

    handled = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(handled) == 60
    touser = Counter(c.body["touser"] for c in fake_api.calls if "touser" in c.body)
    assert len(touser) == 60 and set(touser.values()) == {1}  # everyone once, nobody twice
    assert len(fake_api.of("/cgi-bin/message/template/send")) == 30  # outside the 48 hours: the template
    [template] = fake_api.of("/cgi-bin/message/template/send")[:1]
    assert template.body["template_id"] == "TPL-N"
    assert template.body["data"]["first"]["value"] == "停水通知"
    assert (
        await Notification.filter(topic=f"notice:{notice.id}", status=NotificationStatus.SENT).count() == 60
    )


async def test_a_reservation_left_by_a_stopped_worker_lapses_and_is_sent_once(
    seeded: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    for i in range(5):
        await resident("3栋2单元502", f"r{i}", clock)
    await write(clock, "lapsing")
    reserved = await outbox.reserve(clock.now, 5, clock.now + dt.timedelta(minutes=2), "dead")  # then it died
    assert len(reserved) == 5
    worker = OutboxWorker(client, clock, templates=TEMPLATES)
    assert await worker.run_once() == 0  # reserved by another: left alone
    clock.now += dt.timedelta(minutes=3)
    assert await worker.run_once() == 5
    assert len(fake_api.sent_texts()) == 5


async def test_a_rate_shared_by_every_worker(
    seeded: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock, store: Store
) -> None:
    for i in range(8):
        await resident("3栋2单元502", f"r{i}", clock)
    await write(clock, "rated")
    # a bucket of 3 refilled once in 100 s: three sends, then the workers wait for tokens
    workers = [
        OutboxWorker(client, clock, templates=TEMPLATES, rate=0.01, burst=3, store=store, concurrency=2)
        for _ in range(2)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    for _ in range(1000):
        if len(fake_api.sent_texts()) >= 3:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    assert len(fake_api.sent_texts()) == 3
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_the_grid_worker_gets_who_with_care_needs_has_not_confirmed(seeded: str, clock: Clock) -> None:
    worker = await fx.staff("grid-w1", "张晓燕", "13800000001")
    await fx.grid("G1", [3, 4], worker, name="第一网格")
    li = await resident("3栋2单元502", "li", clock)
    wang = await resident("4栋1单元101", "wang", clock)
    await fx.resident("3栋2单元502", "李秀英", care=["lives_alone"], phone="13900000001", person=li)
    await fx.resident("4栋1单元101", "王大爷", care=["elderly"], person=wang)
    await fx.resident("4栋1单元102", "赵奶奶", care=["disabled"])  # not on WeChat at all
    await fx.resident("1栋1单元101", "马六", care=["lives_alone"])  # no grid there: the committee
    await fx.resident("3栋2单元502", "周强")  # no care need
    notice = await write(clock, "typhoon", title="台风防范通知", urgent=True, receipt=True, receipt_hours=2)
    await workflow.confirm(wang, "收到", clock.now)
    clock.now += dt.timedelta(hours=1)
    assert await workflow.follow_up(clock.now) == 0  # not yet
    clock.now += dt.timedelta(hours=1)
    assert await workflow.follow_up(clock.now) == 2  # the grid worker, and the committee for 1栋
    assert await workflow.follow_up(clock.now) == 0  # once
    [told] = await Notification.filter(key=f"notice:{notice.id}:follow-up:{worker.id}")
    assert "台风防范通知" in told.text and "李秀英 3栋2单元502（独居老人）13900000001" in told.text
    assert "赵奶奶 4栋1单元102（残疾）无电话，未关注服务号" in told.text
    assert "王大爷" not in told.text and "周强" not in told.text and "马六" not in told.text
    committee = await Person.get(openid="demo-committee")
    [also] = await Notification.filter(key=f"notice:{notice.id}:follow-up:{committee.id}")
    assert "马六" in also.text and "李秀英" not in also.text
    assert told.priority == outbox.URGENT
    assert await NoticeReceipt.filter(notice=notice).count() == 1


async def test_a_slow_worker_whose_reservation_lapsed_sends_nothing_another_took(
    seeded: str, client: WeChatClient, fake_api: FakeWeChatAPI, clock: Clock
) -> None:
    for i in range(4):
        await resident("3栋2单元502", f"r{i}", clock)
    await write(clock, "slow")
    slow = await outbox.reserve(clock.now, 4, clock.now + dt.timedelta(minutes=2), "slow")  # then it stalls
    clock.now += dt.timedelta(minutes=3)
    assert await OutboxWorker(client, clock, templates=TEMPLATES).run_once() == 4  # another takes them
    taken = await outbox.claim([n.id for n in slow], "slow", clock.now, clock.now + dt.timedelta(minutes=2))
    assert taken == set()  # the slow one wakes up: each is gone, nothing is sent again
    assert len(fake_api.sent_texts()) == 4


async def test_the_fan_out_pages_make_up_the_audience_whatever_their_size(seeded: str, clock: Clock) -> None:
    people = [await resident(f"{b}栋1单元10{i}", f"p{b}{i}", clock) for b in (3, 5) for i in range(1, 5)]
    where = await Community.get(code="xingfuli")
    for p in people[:5]:  # some hold two of the roles asked for: once each
        await Role.create(person=p, community=where, role=RoleName.VOLUNTEER)
        await Role.create(person=p, community=where, role=RoleName.PARTY_MEMBER)
    for p in people[3:7]:  # 业主 on the register too, and some with two entries there
        await fx.resident(f"3栋1单元10{people.index(p) % 4 + 1}", p.openid or "", care=["elderly"], person=p)
        owner = await fx.resident(
            f"5栋1单元10{people.index(p) % 4 + 1}", "又一户", care=["disabled"], person=p
        )
        await owner.__class__.filter(id=owner.id).update(is_owner=True)
    grid = await fx.grid("G1", [3, 4], name="第一网格")
    targets = [
        audience.Target(where.id, NoticeAudience.COMMUNITY, ()),
        audience.Target(where.id, NoticeAudience.BUILDINGS, (5,)),
        audience.Target(where.id, NoticeAudience.GRIDS, (grid.id,)),
        audience.Target(where.id, NoticeAudience.ROLES, ("volunteer", "party_member", "owner")),
        audience.Target(where.id, NoticeAudience.CARE, ("disabled",)),
        audience.Target(where.id, NoticeAudience.CARE, ()),
    ]
    for target in targets:
        whole = await audience.recipients(target)
        assert whole and await audience.count(target) == len(whole), target
        for size in (1, 2, 3, 1000):
            found: list[int] = []
            after: int | None = 0
            while after is not None:
                page, after = await audience.recipients_page(target, after, size)
                found += page
            assert found == whole, (target, size)  # each once, in order, none missing
