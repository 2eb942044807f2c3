"""The notices pages in chromium: the committee writes a notice with the form (the targets of the audience
chosen appear, the reach follows each choice), publishes it, and sees its delivery as the app's own outbox
worker fans it out and sends it; a grid worker opens the residents of their grid who have not confirmed.
Screenshots at phone and desktop width go to /tmp/console-shots (``CONSOLE_SHOTS``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from handlers.notices import workflow as notices
from handlers.notices.models import Notice, NoticeStatus
from handlers.notices.workflow import WriteNotice
from handlers.surveys import workflow as surveys
from nlp.slots import Address
from storage.models import Community, Person
from tests import grid_fixtures as fx
from tests.browser.conftest import Tab
from tests.browser.test_console_browser import OpenTab, base_of
from tests.console_helpers import CHINA, last_scene, resident, scan
from tests.e2e.conftest import MakeSim
from tests.e2e.test_console_satisfaction import answered_quarter
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

C = "/console/c/xingfuli"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def signed_in_tab(open_tab: OpenTab, sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str) -> Tab:
    """A browser window signed in as ``openid``: the sign-in page, its QR code scanned in WeChat, and the
    page's own poll taking the browser in."""
    tab: Tab = await open_tab(base_of(sim))
    assert await tab.goto("/console") == 200
    assert "已登录社区工作台" in await scan(sim, openid, last_scene(fake_api))
    await tab.wait_for_path("/console/")
    return tab


async def residents() -> None:
    """Two residents of 3栋 (one living alone, on the register), one of 5栋, all in the 48-hour window."""
    a = await resident("r1", "王秀英", Address(building=3, unit=2, room="502"))
    await resident("r2", "李先生", Address(building=3, unit=1, room="101"))
    await resident("r3", "赵奶奶", Address(building=5, unit=1, room="101"))
    await Person.filter(openid__in=["r1", "r2", "r3"]).update(last_message_at=dt.datetime.now(CHINA))
    await fx.grid("G1", [3, 4], await Person.get(openid="demo-grid"), name="第一网格")
    await fx.resident("3栋2单元502", "王秀英", care=["lives_alone"], phone="13900000001", person=a)


async def test_write_and_publish_a_notice_from_the_page(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    await residents()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    assert await tab.goto(f"{C}/notices") == 200
    await tab.do(lambda p: p.click("#write"))
    await tab.wait_for_path(f"{C}/notices/new")
    await tab.do(lambda p: p.fill("input[name=title]", "3栋停水通知"))
    await tab.do(lambda p: p.fill("textarea[name=text]", "因管道维修，明天9:00-17:00 3栋停水，请提前储水。"))
    assert not await tab.do(lambda p: p.locator(".targets-buildings").is_visible())
    await tab.do(lambda p: p.check("input[name=audience][value=buildings]"))
    assert await tab.do(lambda p: p.locator(".targets-buildings").is_visible())  # the buildings appear
    await tab.do(lambda p: p.check(".targets-buildings input[value='3']"))
    await tab.do(lambda p: p.wait_for_selector("#reach-count:text-is('2')"))  # the reach follows
    await tab.do(lambda p: p.check("input[name=urgent]"))
    await tab.do(lambda p: p.check("input[name=receipt]"))
    assert await tab.do(lambda p: p.locator("input[name=receipt_hours]").is_visible())
    await tab.screenshots("notice-form")
    await tab.do(lambda p: p.click("#publish"))
    await tab.do(lambda p: p.wait_for_url(re.compile(r".*/notices/[0-9]+$")))
    assert "已发布，正在发送给 2 位居民" in await tab.text("#main")
    notice = await Notice.get(title="3栋停水通知")
    assert notice.status == NoticeStatus.PUBLISHED and notice.urgent and notice.receipt
    # the app's outbox worker fans it out and sends it: the page, reloaded, shows it delivered
    for _ in range(40):
        await tab.do(lambda p: p.reload())
        if "客服消息送达\n2" in await tab.text("#delivery"):
            break
        await tab.do(lambda p: p.wait_for_timeout(250))
    else:
        raise AssertionError("the delivery was not shown")
    assert "王秀英" in await tab.text("#unconfirmed")  # lives alone, has not replied 1
    await tab.screenshots("notice-detail")
    assert await tab.goto(f"{C}/notices") == 200
    assert notice.number in await tab.text("#notices")
    await tab.screenshots("notice-list")
    assert len(fake_api.sent_texts()) == 2

    grid = await signed_in_tab(open_tab, sim, fake_api, "demo-grid")
    assert await grid.goto(f"{C}/notices/follow-ups") == 200
    found = await grid.text("#main")
    assert "王秀英" in found and "13900000001" in found
    await grid.screenshots("notice-follow-ups")


async def test_the_public_page_and_the_overview_with_notices_and_satisfaction(
    make_sim: MakeSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    s = await answered_quarter()
    await surveys.sweep(s.closes_at + dt.timedelta(minutes=1))  # closed and published
    where = await Community.get(code="xingfuli")
    text = "本周五上午9点起对小区绿化带和地下车库进行消杀，请关好门窗，看管好宠物和儿童。"
    await notices.write(
        WriteNotice(where.id, await Person.get(openid="demo-committee"), "小区消杀通知", text, "public-1"),
        dt.datetime.now(CHINA),
    )
    sim = await make_sim("safe")
    tab: Tab = await open_tab(base_of(sim))
    assert await tab.goto("/public/xingfuli") == 200
    page = await tab.text("main")
    assert "小区消杀通知" in page and "物业服务" in page and "4.00 分" in page
    await tab.screenshots("public-notices")
    staff = await signed_in_tab(open_tab, sim, fake_api, "demo-street")
    assert await staff.goto("/console/s/xingfu/overview") == 200
    assert "居民满意度测评" in await staff.text("#satisfaction")
    await staff.screenshots("street-overview-satisfaction")
