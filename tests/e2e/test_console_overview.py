"""The console's overview, monthly report and export over HTTP, and 居务公开: who may open which, the figures
on the page against the fixed data, a figure's link opened as the tickets page, no personal data in public."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from aiohttp import ClientSession

from handlers.figures import queries
from handlers.figures.period import Period
from handlers.figures.render import Chosen
from handlers.wishes.models import Wish, WishStatus
from storage.models import Community
from tests.console_helpers import browser, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.integration.fixed_figures import CST, build
from tests.wechat_sim import WeChatSim

OVERVIEW = "/console/c/xingfuli/overview"
STREET = "/console/s/xingfu/overview"
OCT_NOV = {"period": "custom", "from": "2026-10-01", "to": "2026-11-30"}


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def signed(sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str) -> ClientSession:
    client = browser(sim)
    await sign_in(client, sim, fake_api, openid)
    return client


def figure(html: str, label: str) -> tuple[str, str]:
    """The value of a figure's card and its link ("" when none)."""
    found = re.search(
        rf'figure-label">{re.escape(label)}</div>\s*'
        r'<(?:a class="figure-value" href="([^"]*)"|div class="figure-value")>([^<]*)<',
        html,
    )
    assert found, label
    return found.group(2), (found.group(1) or "").replace("&amp;", "&")


async def test_the_overview_shows_the_figures_and_links_to_their_rows(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await build()
    async with await signed(sim, fake_api, "demo-committee") as client:
        landing = await client.get("/console/home")  # one community: its overview is the landing page
        assert str(landing.url.path) == OVERVIEW
        page = await client.get(OVERVIEW, params=OCT_NOV)
        html = await page.text()
        assert page.status == 200 and "幸福里社区" in html
        api = await (
            await sim.client.get(
                "/api/v1/public/communities/xingfuli/figures",
                params={"start": "2026-10-01", "end": "2026-12-01"},
            )
        ).json()
        received, link = figure(html, "收到诉求")
        assert received == str(api["total"]["tickets"]["received"]) and received != "0"
        listed = await client.get(link)
        assert listed.status == 200
        assert len(re.findall(r">(R\d{4}-\d{4})</a>", await listed.text())) == int(received)
        done_rate, done_link = figure(html, "办结率")
        assert done_rate.endswith("%")
        assert "status=done" in done_link and "from=2026-10-01" in done_link and "to=2026-11-30" in done_link
        rows = re.findall(r">(R\d{4}-\d{4})</a>", await (await client.get(done_link)).text())
        assert len(rows) == api["total"]["tickets"]["done"]
        assert html.count('class="chart"') >= 3 and "data-chart=" in html  # month, category, grid, handler
        bad = await client.get(
            OVERVIEW, params={"period": "custom", "from": "2026-12-01", "to": "2026-11-01"}
        )
        assert bad.status == 400
        export = await client.get(OVERVIEW + "/export", params=OCT_NOV)
        assert export.status == 200
        sheet = openpyxl.load_workbook(io.BytesIO(await export.read())).active
        assert sheet is not None
        cells = list(sheet.iter_rows(values_only=True))
        assert cells[0][:3] == ("范围", "收到诉求", "办结")
        assert cells[1][0] == "幸福里社区" and cells[1][1] == int(received)
        assert any(str(row[0]).startswith("类别 · ") for row in cells)
        report = await client.get("/console/c/xingfuli/report", params={"month": "2026-11"})
        text = await report.text()
        assert report.status == 200 and "幸福里社区2026年11月工作月报" in text and "print.css" in text
        # every figure of the report's tables opens its rows: November's lifts done C, lighting overdue E G
        for label, column, rows in (("电梯", 1, 1), ("公共照明", 6, 2)):
            line = re.search(rf"<tr><th>{label}</th>(.*?)</tr>", text)
            assert line is not None, label
            cells = re.findall(r'<td>(?:<a href="([^"]*)">)?([^<]*)', line.group(1))
            href, value = cells[column]
            assert value == str(rows) and href, (label, cells)
            listed = await (await client.get(href.replace("&amp;", "&"))).text()
            assert len(re.findall(r">(R\d{4}-\d{4})</a>", listed)) == rows


async def test_who_may_open_the_overview(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await build()
    async with await signed(sim, fake_api, "demo-hp-committee") as other:  # 和平村's committee
        assert (await other.get(OVERVIEW)).status == 403
        assert (await other.get(OVERVIEW + "/export")).status == 403
        assert (await other.get("/console/c/xingfuli/report")).status == 403
        assert (await other.get(STREET)).status == 403
        assert (await other.get("/console/c/hepingcun/overview")).status == 200
    async with await signed(sim, fake_api, "demo-property") as property_staff:  # tickets, not figures
        assert (await property_staff.get(OVERVIEW)).status == 403
    async with browser(sim) as resident:
        await resident.get("/console")
        assert (await resident.get(OVERVIEW, allow_redirects=False)).status == 303  # to the sign-in
        await sign_in_refused(sim, fake_api, resident)
        assert (await resident.get(OVERVIEW, allow_redirects=False)).status == 303


async def sign_in_refused(sim: WeChatSim, fake_api: FakeWeChatAPI, client: ClientSession) -> None:
    from tests.console_helpers import last_scene, scan

    await client.get("/console")
    assert "只对社区和街道的工作人员开放" in await scan(sim, "demo-resident", last_scene(fake_api))


async def test_the_street_office_overview_lists_its_communities(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await build()
    async with await signed(sim, fake_api, "demo-street") as client:
        page = await client.get(STREET, params=OCT_NOV)
        html = await page.text()
        assert page.status == 200 and 'id="communities"' in html
        links = re.findall(r'<td data-label="社区"><a href="([^"]+)">([^<]+)</a>', html)
        assert [name for _, name in links] == ["和平村", "幸福里社区"]
        community = await client.get(links[1][0].replace("&amp;", "&"))
        assert community.status == 200 and "幸福里社区 · 2026-10-01 至 2026-11-30" in await community.text()
        assert "/console/c/xingfuli/tickets?" in html  # the communities' figures link to their tickets
        report = await client.get("/console/s/xingfu/report", params={"month": "2026-11"})
        assert report.status == 200 and 'id="communities"' in await report.text()


async def test_the_public_page_shows_no_personal_data(sim: WeChatSim) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    home.office, home.hours, home.phone = "幸福里党群服务中心", "周一至周五 9:00-17:00", "010-12345678"
    await home.save()
    await Wish.filter(status=WishStatus.CONFIRMED).update(story_consent=True)
    page = await sim.client.get("/public/xingfuli")  # no sign-in
    html = await page.text()
    assert page.status == 200 and "幸福里社区" in html
    assert "幸福里党群服务中心" in html and "010-12345678" in html and "9:00-17:00" in html
    assert "收到诉求" in html and "心愿故事" in html
    for personal in ("报修人", "许奶奶", "13912345678", "王师傅", "陈调解", "小李", "赵阿姨", "/console/c/"):
        assert personal not in html, personal
    assert (await sim.client.get("/public/nowhere")).status == 404
    index = await sim.client.get("/public")
    assert index.status == 200 and "/public/xingfuli" in await index.text()


async def test_the_public_page_for_the_period_a_resident_picks(sim: WeChatSim) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    now = dt.datetime.now(CST)  # the app's clock
    for kind, period in (
        ("month", Period.month_of(now.date())),
        ("quarter", Period.quarter_of(now.date())),
        ("year", Period.year_of(now.date())),
    ):
        page = await sim.client.get("/public/xingfuli", params={"period": kind})
        html = await page.text()
        assert page.status == 200 and f"{Chosen(period, {}).title}诉求办理情况" in html
        assert f'href="?period={kind}" aria-current="true"' in html and html.count("aria-current") == 1
        received = (await queries.public_overview(home, period, now)).total.tickets.received
        assert f'figure-value">{received} 件<' in html
        for personal in ("报修人", "王师傅", "赵阿姨", "/console/c/"):
            assert personal not in html, personal
    default = await (await sim.client.get("/public/xingfuli")).text()  # this year
    assert 'href="?period=year" aria-current="true"' in default
    assert (await sim.client.get("/public/xingfuli", params={"period": "week"})).status == 400
