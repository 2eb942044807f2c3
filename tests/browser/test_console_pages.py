"""The console's other pages in chromium: a wish's public text edited and approved, a consultation launched
from its form, a resident's message answered, the register imported from the page and its export against
the page; screenshots of every page at phone and desktop width (``CONSOLE_SHOTS``)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from handlers.common import workflow as common
from handlers.register import grid_workflow
from handlers.register.grid_workflow import RecordVisit
from handlers.votes.models import Consultation
from handlers.wishes.models import Wish, WishStatus
from nlp.slots import Address
from storage.models import Community, Notification, Person, StaffMessage
from tests.browser.conftest import Tab
from tests.browser.test_console_browser import signed_in_tab
from tests.console_helpers import CHINA, resident, some_consultations, some_wishes
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.register_books import generated
from tests.wechat_sim import WeChatSim

OpenTab = Callable[[str], Any]
C = "/console/c/xingfuli"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def flash(tab: Tab, text: str) -> None:
    await tab.do(lambda p: p.wait_for_selector(f".flash:has-text('{text}')"))


async def test_a_wish_edited_and_approved(sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab) -> None:
    made = await some_wishes()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await tab.goto("/console/home")
    await tab.do(lambda p: p.click("text=微心愿"))
    await tab.wait_for_path(f"{C}/wishes")
    await tab.screenshots("wishes-review")
    await tab.do(lambda p: p.click(f"text={made['review'].number}"))
    await tab.wait_for_path(f"{C}/wishes/{made['review'].id}")
    assert "发现：偷" in await tab.text("#main")
    await tab.screenshots("wish-detail")
    await tab.do(lambda p: p.click("button[value=approve]"))  # as it is: the workflow refuses
    await tab.do(lambda p: p.wait_for_selector(".flash.error"))
    assert "公开内容里还有偷" in await tab.text(".flash.error")
    await tab.screenshots("wish-refused")
    edited = "孩子想悄悄给奶奶准备生日礼物，想找人教折纸花"

    def approve(p: Any) -> None:
        p.fill("textarea[name=public_text]", edited)
        p.click("button[value=approve]")

    await tab.do(approve)
    await flash(tab, "已通过审核")
    assert edited in await tab.text("#public-text")
    wish = await Wish.get(id=made["review"].id)
    assert wish.status is WishStatus.OPEN and wish.public_text == edited
    await tab.screenshots("wish-approved")
    for status, name in (
        ("open", "wishes-board"),
        ("claimed", "wishes-claims"),
        ("fulfilled", "wishes-confirm"),
    ):
        await tab.goto(f"{C}/wishes?status={status}")
        await tab.screenshots(name)
    await tab.goto(f"{C}/wishes/{made['fulfilled'].id}")
    await tab.do(lambda p: p.click("button[value=confirm]"))
    await flash(tab, "已代居民确认")
    await tab.goto(f"{C}/service-records")
    assert "赵阿姨" in await tab.text("#records")
    await tab.screenshots("service-records")


async def test_a_consultation_launched_from_the_form(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    made = await some_consultations()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await tab.goto(f"{C}/consultations")
    await tab.screenshots("consultations")
    await tab.do(lambda p: p.click("a.button:has-text('发起议事')"))
    await tab.wait_for_path(f"{C}/consultations/new")
    closes = (dt.datetime.now(CHINA) + dt.timedelta(days=10)).strftime("%Y-%m-%dT20:00")

    def fill(p: Any) -> None:
        p.fill("input[name=title]", "2栋楼顶防水维修方案")
        p.fill("textarea[name=background]", "2栋顶层多户反映漏水，拟使用维修资金整体翻新楼顶防水层。")
        p.fill("textarea[name=options]", "同意\n不同意")
        p.select_option("select[name=per]", "household")
        p.check("input[name=buildings][value='2']")
        p.fill("input[name=closes_at]", closes)
        p.fill("input[name=quorum]", "50")
        p.select_option("select[name=rule]", "two_thirds")

    await tab.do(fill)
    await tab.screenshots("consultation-new")
    await tab.do(lambda p: p.click("form.launch button[type=submit]"))
    await flash(tab, "已发起议事")
    launched = await Consultation.get(title="2栋楼顶防水维修方案")
    assert launched.buildings == [2] and launched.per == "household" and launched.rule == "two_thirds"
    assert launched.quorum == 0.5 and launched.approve_option == 0
    assert await Notification.filter(person__openid="v-fang", text__contains="楼顶防水").exists()
    assert tab.path == f"{C}/consultations/{launched.id}"
    await tab.screenshots("consultation-open")
    await tab.goto(f"{C}/consultations/{made['closed'].id}")
    assert "核验一致" in await tab.text("#main")
    await tab.screenshots("consultation-result")
    await tab.goto(f"{C}/consultations/{made['open'].id}/participants")
    assert "王芳" in await tab.text("#participants")
    await tab.screenshots("consultation-participants")
    await tab.goto(f"{C}/proposals")
    await tab.screenshots("proposals")


async def test_a_message_answered(sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab) -> None:
    fang = await resident("m-fang", "王芳", Address(2, 1, "101"), phone="13900001111")
    now = dt.datetime.now(CHINA)
    await common.record_message(fang, "楼下垃圾桶好几天没人清了，能不能催一下物业？", now)
    await common.record_message(fang, "社区什么时候组织打疫苗？", now)
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-grid")
    await tab.goto(f"{C}/messages")
    await tab.screenshots("messages")
    message = await StaffMessage.get(text__startswith="楼下垃圾桶")

    def answer(p: Any) -> None:
        p.fill(f"#message-{message.id} textarea[name=answer]", "已联系物业，今天下午清理。")
        p.click(f"#message-{message.id} button[type=submit]")

    await tab.do(answer)
    await flash(tab, "已答复留言")
    assert (await StaffMessage.get(id=message.id)).status == "answered"
    assert await Notification.filter(person=fang, text__contains="已联系物业").exists()
    assert await tab.do(lambda p: p.locator(f"#message-{message.id}").count()) == 0  # off the open list
    await tab.screenshots("messages-answered")


async def test_the_register_imported_and_its_export_matches_the_page(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    proven = dt.datetime.now(CHINA)
    await Person.filter(openid="demo-grid").update(phone="13700000001", phone_verified_at=proven)
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await tab.goto(f"{C}/register/import")
    book = generated(120, 6, units=1)

    def upload(p: Any) -> None:
        p.set_input_files(
            "input[name=workbook]",
            files=[{"name": "名册.xlsx", "mimeType": "application/octet-stream", "buffer": book.xlsx()}],
        )
        p.click("form[action$='/check'] button[type=submit]")
        p.wait_for_selector("button[value=import]")

    await tab.do(upload)
    assert "检查通过" in await tab.text("#summary")
    await tab.screenshots("register-import-checked")
    await tab.do(lambda p: p.click("button[value=import]"))
    await tab.do(lambda p: p.wait_for_selector("#summary:has-text('导入完成')"))
    community = await Community.get(code="xingfuli")
    worker = await Person.get(openid="demo-grid")
    await grid_workflow.record_visit(
        RecordVisit(
            by=worker, community_id=community.id, address=Address(1, 1, "101"), name="", found="老人身体不错"
        ),
        dt.datetime.now(CHINA),
    )
    await resident("b-new", "新来的", Address(1, 1, "102"))
    await tab.goto(f"{C}/register?building=3")
    shown = await tab.do(lambda p: p.locator("#residents td[data-label='姓名']").all_inner_texts())
    assert shown

    def download(p: Any) -> bytes:
        with p.expect_download() as info:
            p.click("#export")
        return bytes(open(info.value.path(), "rb").read())

    rows = list(
        openpyxl.load_workbook(io.BytesIO(await tab.do(download))).worksheets[0].iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == [name.replace("户主", "").strip() for name in shown]
    homes = await tab.do(lambda p: p.locator("#residents td[data-label='住址']").all_inner_texts())
    assert [r[1] for r in rows[1:]] == homes
    await tab.screenshots("register-residents")
    for path, name in (
        ("/households", "register-households"),
        ("/grids", "register-grids"),
        ("/bindings", "register-bindings"),
        ("/visits", "register-visits"),
    ):
        await tab.goto(C + path)
        await tab.screenshots(name)
