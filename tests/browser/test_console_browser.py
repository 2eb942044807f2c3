"""The console in chromium: signing in by a scan, the tickets page with data, a ticket accepted and resolved
from the page, the export against the page, who may open what, CSRF, signing out. Screenshots of each
page at phone and desktop width go to /tmp/console-shots (``CONSOLE_SHOTS``)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from handlers.repairs import queries, workflow
from handlers.repairs.models import Ticket, TicketStatus
from storage.models import AuditEntry, Person
from tests.browser.conftest import Tab
from tests.console_helpers import CHINA, last_scene, scan, some_tickets
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

OpenTab = Callable[[str], Any]
LIST = "/console/c/xingfuli/tickets"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def base_of(sim: WeChatSim) -> str:
    return str(sim.client.make_url("")).rstrip("/")


def png(width: int = 48, height: int = 32) -> bytes:
    """A small real PNG (a green square): the photo of the work done."""
    row = b"\x00" + bytes((60, 160, 90)) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


async def signed_in_tab(open_tab: OpenTab, sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str) -> Tab:
    """A browser window signed in as ``openid``: the sign-in page, its QR code scanned in WeChat, then
    "已扫码？点这里继续" (the page's own poll takes up to two seconds: the first test waits for it)."""
    tab: Tab = await open_tab(base_of(sim))
    assert await tab.goto("/console") == 200
    assert await tab.do(lambda p: p.locator(".qr svg").count()) == 1
    reply = await scan(sim, openid, last_scene(fake_api))
    assert "已登录社区工作台" in reply
    await tab.do(lambda p: p.click("text=已扫码？点这里继续"))
    await tab.wait_for_path("/console/")  # the home, or the only place's first page (its overview)
    return tab


def table_numbers(tab: Tab) -> Callable[[Any], list[str]]:
    return lambda p: p.locator("#tickets tbody td[data-label='编号']").all_inner_texts()


async def test_sign_in_by_scan_and_the_tickets_list(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    water, lighting, noise, village = await some_tickets()
    tab: Tab = await open_tab(base_of(sim))
    await tab.goto(LIST)  # not signed in: to the sign-in page, back here after it
    assert tab.path.startswith("/console?next=")
    await tab.screenshots("signin")
    await scan(sim, "demo-committee", last_scene(fake_api))
    await tab.wait_for_path(LIST)
    assert "李主任" in await tab.text("header")
    assert await tab.do(table_numbers(tab)) == [lighting.number, water.number, noise.number]
    assert village.number not in await tab.text()
    assert await tab.do(lambda p: p.locator("tr.overdue").count()) == 1
    await tab.screenshots("tickets-list")
    # a filter through htmx: the list is swapped in and the address follows
    await tab.do(lambda p: p.select_option("select[name=category]", "water"))
    await tab.do(lambda p: p.wait_for_url(lambda url: "category=water" in url))
    await tab.do(lambda p: p.wait_for_function("document.querySelectorAll('#tickets tbody tr').length === 1"))
    assert await tab.do(table_numbers(tab)) == [water.number]
    await tab.goto("/console/home?all=1")
    await tab.screenshots("home")
    await tab.goto("/console/c/xingfuli/audit")
    assert "扫码登录" in await tab.text("#main")
    await tab.screenshots("audit")


async def test_accept_and_resolve_a_ticket_from_the_page(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    water, *_ = await some_tickets()
    # a line the resident added after filing ("补充一下 …"): in the description and the history
    reporter = await Person.get(id=water.reporter_id)
    assert await workflow.add_note(water.id, reporter, "阀门在楼梯下面", dt.datetime.now(CHINA))
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-property")
    await tab.goto(LIST)
    await tab.do(lambda p: p.click(f"text={water.number}"))
    await tab.wait_for_path(f"{LIST}/{water.id}")
    main = await tab.text("#main")
    assert "5栋地下室水管漏水" in main and "补充：阀门在楼梯下面" in main and "居民补充" in main
    await tab.screenshots("ticket-detail")
    await tab.do(lambda p: p.click("button[value=accept]"))
    await tab.do(lambda p: p.wait_for_selector(".flash:has-text('已受理工单')"))
    staff = await Person.get(openid="demo-property")
    seen = await queries.seen_by(staff, water.id)
    assert seen.ticket.status is TicketStatus.ACCEPTED and seen.ticket.assignee_id == staff.id

    def resolve(p: Any) -> None:
        p.fill("textarea[name=note]", "已更换水管接头，地下室已清理")
        p.set_input_files(
            "input[name=photo]", files=[{"name": "done.png", "mimeType": "image/png", "buffer": png()}]
        )
        p.click("form[action$='/resolve'] button[type=submit]")
        p.wait_for_selector(".flash:has-text('已办结')")

    await tab.do(resolve)
    detail = await queries.detail(await queries.seen_by(staff, water.id), dt.datetime.now(CHINA))
    assert detail.ticket.status is TicketStatus.RESOLVED
    assert detail.ticket.outcome_note == "已更换水管接头，地下室已清理" and len(detail.photos) == 1
    assert await tab.do(lambda p: p.locator(".photos img").count()) == 1
    await tab.do(lambda p: p.wait_for_function("document.querySelector('.photos img').naturalWidth === 48"))
    await tab.screenshots("ticket-resolved")


async def test_a_refusal_is_shown_as_its_sentence(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    _, lighting, *_ = await some_tickets()
    committee = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await committee.goto(f"{LIST}/{lighting.id}")
    worker = await signed_in_tab(open_tab, sim, fake_api, "demo-property")
    await worker.goto(f"{LIST}/{lighting.id}")
    await worker.do(lambda p: p.click("button[value=accept]"))
    await worker.do(lambda p: p.wait_for_selector(".flash:has-text('已受理工单')"))
    await committee.do(lambda p: p.click("button[value=accept]"))  # its page was shown before that
    await committee.do(lambda p: p.wait_for_selector(".flash.error"))
    assert "这一步办不了" in await committee.text(".flash.error")
    await committee.screenshots("ticket-refused")
    property_staff = await Person.get(openid="demo-property")
    assert (await Ticket.get(id=lighting.id)).assignee_id == property_staff.id


async def test_the_export_matches_the_page(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    await some_tickets()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await tab.goto(LIST + "?building=3")
    shown = await tab.do(table_numbers(tab))
    assert len(shown) == 2

    def download(p: Any) -> bytes:
        with p.expect_download() as info:
            p.click("#export")
        return bytes(open(info.value.path(), "rb").read())

    book = openpyxl.load_workbook(io.BytesIO(await tab.do(download)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == shown
    cells = await tab.do(lambda p: p.locator("#tickets tbody tr").first.locator("td").all_inner_texts())
    assert list(rows[1][1:3]) == cells[1:3]  # category and place, as the page shows them


async def test_who_may_not_open_it(sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab) -> None:
    water, *_ = await some_tickets()
    resident: Tab = await open_tab(base_of(sim))
    await resident.goto("/console")
    reply = await scan(sim, "demo-resident", last_scene(fake_api))
    assert "只对社区和街道的工作人员开放" in reply
    await resident.goto(LIST)
    assert resident.path.startswith("/console?next=")  # still the sign-in page
    assert await resident.do(lambda p: p.locator(".qr svg").count()) == 1
    outsider = await signed_in_tab(open_tab, sim, fake_api, "demo-hp-committee")
    assert await outsider.goto(LIST) == 403
    assert await outsider.goto(f"{LIST}/{water.id}") == 403
    assert "没有权限" in await outsider.text("#main")
    await outsider.screenshots("forbidden")
    assert await outsider.goto("/console/c/hepingcun/tickets") == 200


async def test_an_action_without_the_token_is_refused_and_sign_out(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    water, *_ = await some_tickets()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    await tab.goto(f"{LIST}/{water.id}")
    status = await tab.do(
        lambda p: p.evaluate(
            "async (url) => (await fetch(url, {method: 'POST', body: new URLSearchParams({})})).status",
            f"{LIST}/{water.id}/accept",
        )
    )
    assert status == 403
    assert (await Ticket.get(id=water.id)).status is TicketStatus.SUBMITTED
    assert await AuditEntry.filter(action="tickets.accept", outcome="forbidden").exists()
    await tab.do(lambda p: p.click("header button:has-text('退出登录')"))
    await tab.do(lambda p: p.wait_for_selector(".qr svg"))
    await tab.goto("/console/home")
    assert tab.path.startswith("/console?next=")
