"""The console's notices pages over HTTP: a notice written with the form (its audience's reach shown before
publishing), published at once and fanned out by the app's own outbox worker, its delivery and receipts;
refusals shown on the form as typed; a scheduled notice published now; the export; the residents with care
needs who have not confirmed, for the committee (all) and a grid worker (their grid's); who may do what;
every action in the audit log."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest

from handlers.notices.models import Notice, NoticeFanout, NoticeStatus
from nlp.slots import Address
from storage.models import AuditEntry, Notification, NotificationStatus, Person
from tests import grid_fixtures as fx
from tests.console_helpers import CHINA, HTMX, browser, csrf_of, origin, resident, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

C = "/console/c/xingfuli"
NEW = f"{C}/notices/new"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def form(token: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "csrf": token,
        "client_key": "k" + "0" * 15,
        "title": "3栋停水通知",
        "text": "明天9:00-17:00 3栋停水，请提前储水。",
        "link": "",
        "audience": "buildings",
        "buildings": "3",
        "when": "now",
        "receipt_hours": "2",
    }
    values.update(changes)
    return values


async def residents_of_3_and_5() -> tuple[Person, Person, Person]:
    a = await resident("r1", "王女士", Address(building=3, unit=2, room="502"))
    b = await resident("r2", "李先生", Address(building=3, unit=1, room="101"))
    c = await resident("r3", "赵奶奶", Address(building=5, unit=1, room="101"))
    wrote = ["r1", "r2", "r3", "demo-resident"]  # in the 48-hour window: customer-service messages
    await Person.filter(openid__in=wrote).update(last_message_at=dt.datetime.now(CHINA))
    return a, b, c


async def sent(notice_id: int, count: int) -> None:
    """The app's own outbox worker fans the notice out and sends it."""
    for _ in range(400):
        done = await Notification.filter(topic=f"notice:{notice_id}", status=NotificationStatus.SENT).count()
        if done >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the notice was not sent")


async def test_write_see_the_reach_publish_and_follow_the_delivery(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await residents_of_3_and_5()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    page = await client.get(NEW)
    html = await page.text()
    assert page.status == 200 and "发给哪些居民" in html and "3栋" in html
    reach = await client.get(f"{C}/notices/reach?audience=buildings&buildings=3", headers=HTMX)
    assert re.search(r'id="reach-count">2<', await reach.text())
    everyone = await (await client.get(f"{C}/notices/reach?audience=community", headers=HTMX)).text()
    assert re.search(r'id="reach-count">3<', everyone)
    unnamed = await (await client.get(f"{C}/notices/reach?audience=buildings", headers=HTMX)).text()
    assert "选好发给哪些居民" in unnamed

    token = csrf_of(html)
    done = await client.post(
        NEW, data=form(token, urgent="1", receipt="1"), headers=origin(sim) | HTMX, allow_redirects=False
    )
    assert done.status == 200 and done.headers["HX-Redirect"].startswith(f"{C}/notices/")
    notice = await Notice.get(title="3栋停水通知")
    assert (notice.status, notice.recipients, notice.urgent, notice.receipt) == (
        NoticeStatus.PUBLISHED,
        2,
        True,
        True,
    )
    assert await NoticeFanout.exists(notice_id=notice.id)  # the workers' to send, not the request's
    again = await client.post(NEW, data=form(token), headers=origin(sim), allow_redirects=False)
    assert again.status == 303 and await Notice.all().count() == 1  # the same form twice: one notice
    await sent(notice.id, 2)
    [text] = fake_api.sent_texts("r1")
    assert "【紧急通知】3栋停水通知" in text and '收到请回复"1"' in text

    detail = await (await client.get(done.headers["HX-Redirect"])).text()
    assert f"通知 {notice.number} 已发布，正在发送给 2 位居民" in detail  # the flash
    assert "王女士" in detail and "李先生" in detail and "赵奶奶" not in detail
    assert "客服消息" in detail and "未回复的重点关怀居民" in detail
    listed = await (await client.get(f"{C}/notices")).text()
    assert notice.number in listed and "2（2 / 0）" in listed
    audited = await AuditEntry.filter(action="notices.write").values_list("outcome", "target")
    assert ("ok", notice.number) in audited


async def test_refusals_come_back_on_the_form_as_typed(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    token = csrf_of(await (await client.get(NEW)).text())
    past = (dt.datetime.now(CHINA) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for changes, said in [
        ({"title": "停"}, "标题"),
        ({"buildings": "99"}, "99 栋"),
        ({"buildings": ""}, "哪些楼栋"),
        ({"link": "ftp://x/y"}, "http"),
        ({"when": "at", "publish_at": past}, "已经过去"),
        ({"receipt": "1", "receipt_hours": "100"}, "小时"),
    ]:
        refused = await client.post(NEW, data=form(token, **changes), headers=origin(sim) | HTMX)
        html = await refused.text()
        assert refused.status == 422 and said in html, changes
        assert "明天9:00-17:00 3栋停水" in html  # as typed
    assert not await Notice.exists()
    outcomes = await AuditEntry.filter(action="notices.write").values_list("outcome", flat=True)
    assert outcomes == ["refused"] * 6


async def test_a_scheduled_notice_published_now_and_the_export(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await residents_of_3_and_5()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    token = csrf_of(await (await client.get(NEW)).text())
    later = (dt.datetime.now(CHINA) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    scheduled = await client.post(
        NEW,
        data=form(token, title="小区消杀通知", audience="community", when="at", publish_at=later),
        headers=origin(sim) | HTMX,
    )
    assert scheduled.status == 200
    notice = await Notice.get(title="小区消杀通知")
    assert notice.status == NoticeStatus.SCHEDULED and notice.public
    page = await (await client.get(f"{C}/notices/{notice.id}")).text()
    assert "将在" in page and "现在就发布" in page
    now = await client.post(f"{C}/notices/{notice.id}/publish", data={"csrf": token}, headers=origin(sim))
    assert now.status == 200 and "已发布" in await now.text()
    assert (await Notice.get(id=notice.id)).status == NoticeStatus.PUBLISHED
    await sent(notice.id, 3)
    assert await AuditEntry.filter(action="notices.publish", target=notice.number).exists()

    export = await client.get(f"{C}/notices/export")
    assert export.status == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(await export.read())).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("编号", "标题", "发给") and len(rows) == 2
    assert rows[1][:3] == (notice.number, "小区消杀通知", "全社区居民") and rows[1][7] == 3
    assert rows[1][8:11] == (3, 0, 0)  # by customer-service message, by template, waiting
    assert await AuditEntry.filter(action="notices.export").exists()


async def test_the_unconfirmed_for_the_committee_and_a_grid_worker(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    a, _, c = await residents_of_3_and_5()
    grid_worker = await Person.get(openid="demo-grid")
    await fx.grid("G1", [3, 4], grid_worker, name="第一网格")
    await fx.resident("3栋2单元502", "王女士", care=["lives_alone"], phone="13900000001", person=a)
    await fx.resident("5栋1单元101", "赵奶奶", care=["elderly"], person=c)
    await fx.resident("3栋1单元101", "孙爷爷", care=["disabled"])  # not on WeChat
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    token = csrf_of(await (await client.get(NEW)).text())
    await client.post(
        NEW,
        data=form(token, title="台风防范通知", audience="community", urgent="1", receipt="1"),
        headers=origin(sim) | HTMX,
    )
    notice = await Notice.get(title="台风防范通知")
    await sent(notice.id, 3)
    everyone = await (await client.get(f"{C}/notices/follow-ups")).text()
    assert "王女士" in everyone and "赵奶奶" in everyone and "孙爷爷" in everyone and "李先生" not in everyone

    other = browser(sim)
    try:
        await sign_in(other, sim, fake_api, "demo-grid")
        mine = await other.get(f"{C}/notices/follow-ups")
        html = await mine.text()
        assert mine.status == 200 and "王女士" in html and "孙爷爷" in html and "13900000001" in html
        assert "赵奶奶" not in html  # 5栋: not their grid
        assert (await other.get(f"{C}/notices")).status == 403  # the list and writing: the API's rules
        assert (await other.get(NEW)).status == 403
        assert (await other.get(f"{C}/notices/{notice.id}")).status == 403
    finally:
        await other.close()


async def test_who_may_open_the_pages(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    for openid, status in (("demo-property", 403), ("demo-hp-committee", 403), ("demo-street", 200)):
        other = browser(sim)
        try:
            await sign_in(other, sim, fake_api, openid)
            assert (await other.get(f"{C}/notices")).status == status, openid
            assert (await other.get(f"{C}/notices/follow-ups")).status == status, openid
            page = await other.get(NEW)
            assert page.status == status, openid
            token = csrf_of(await (await other.get("/console/home?all=1")).text())
            posted = await other.post(
                NEW, data=form(token, client_key=openid.replace("-", "") * 2), headers=origin(sim)
            )
            assert posted.status == (403 if status == 403 else 200), openid
        finally:
            await other.close()
    assert await Notice.all().count() == 1  # the street office's
    await sign_in(sim.client, sim, fake_api, "demo-committee")
    forged = await sim.client.post(NEW, data=form("not-the-token"), headers=origin(sim))
    assert forged.status == 403 and await Notice.all().count() == 1  # no CSRF token: nothing written
