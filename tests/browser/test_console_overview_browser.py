"""The overview, the street office's overview, the monthly report and 居务公开 in chromium, with the fixed
figures' data: the charts drawn, a figure followed to its rows, the report as printed, the public page
without a sign-in. Screenshots at phone and desktop width go to /tmp/console-shots (``CONSOLE_SHOTS``)."""

from __future__ import annotations

import pytest

from storage.models import Community
from tests.browser.test_console_browser import OpenTab, base_of, signed_in_tab
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.integration.fixed_figures import build
from tests.wechat_sim import WeChatSim

OCT_NOV = "?period=custom&from=2026-10-01&to=2026-11-30"
CHARTS_DRAWN = "document.querySelectorAll('.chart canvas').length >= {n}"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def test_the_overview_with_its_charts_and_a_figure_followed(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    await build()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    assert tab.path.startswith("/console/c/xingfuli/overview")  # the landing page
    assert await tab.goto("/console/c/xingfuli/overview" + OCT_NOV) == 200
    await tab.do(lambda p: p.wait_for_function(CHARTS_DRAWN.format(n=4)))
    assert "收到诉求" in await tab.text("#main")
    await tab.screenshots("overview")
    # the period chosen from the form: htmx swaps the page in, the charts are drawn again
    await tab.do(lambda p: p.select_option("select[name=period]", "year"))
    await tab.do(lambda p: p.wait_for_url(lambda url: "period=year" in url))
    await tab.do(lambda p: p.wait_for_function("document.querySelector('h1').innerText.includes('2026年')"))
    await tab.do(lambda p: p.wait_for_function(CHARTS_DRAWN.format(n=1)))
    # a figure opens the rows behind it
    await tab.goto("/console/c/xingfuli/overview" + OCT_NOV)
    received = await tab.text(".figure:has-text('收到诉求') .figure-value")
    await tab.do(lambda p: p.click(".figure:has-text('收到诉求') a.figure-value"))
    await tab.wait_for_path("/console/c/xingfuli/tickets?")
    count = await tab.do(lambda p: p.locator("#tickets tbody tr").count())
    assert str(count) == received.strip()


async def test_the_street_office_overview(sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab) -> None:
    await build()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-street")
    assert await tab.goto("/console/s/xingfu/overview" + OCT_NOV) == 200
    assert await tab.do(lambda p: p.locator("#communities tbody tr").count()) == 2
    await tab.do(lambda p: p.wait_for_function(CHARTS_DRAWN.format(n=2)))
    await tab.screenshots("street-overview")
    # a street-wide total opens the street office's list of its rows, every community's
    received = await tab.text(".figure:has-text('收到诉求') .figure-value")
    await tab.do(lambda p: p.click(".figure:has-text('收到诉求') a.figure-value"))
    await tab.wait_for_path("/console/s/xingfu/tickets?")
    listed = await tab.do(lambda p: p.locator("#street-tickets tbody tr").all_inner_texts())
    assert str(len(listed)) == received.strip() == "10"
    assert any("和平村" in row for row in listed) and any("幸福里社区" in row for row in listed)
    await tab.screenshots("street-tickets")
    # the community filter (htmx swaps the list in), then a ticket opened in its community's pages
    await tab.do(lambda p: p.select_option("select[name=community]", "hepingcun"))
    await tab.do(lambda p: p.wait_for_url(lambda url: "community=hepingcun" in url))
    await tab.do(
        lambda p: p.wait_for_function("document.querySelectorAll('#street-tickets tbody tr').length == 1")
    )
    await tab.do(lambda p: p.click("#street-tickets tbody a"))
    await tab.wait_for_path("/console/c/hepingcun/tickets/")
    assert "工单 Z" in await tab.text("#main")
    # a wish figure: the street's wishes
    await tab.goto("/console/s/xingfu/overview" + OCT_NOV)
    await tab.do(lambda p: p.click(".figure:has-text('收到心愿') a.figure-value"))
    await tab.wait_for_path("/console/s/xingfu/wishes?")
    assert await tab.do(lambda p: p.locator("#street-wishes tbody tr").count()) == 4
    await tab.screenshots("street-wishes")
    for kind in ("service-records", "consultations", "messages"):  # the other lists the figures open
        assert await tab.goto(f"/console/s/xingfu/{kind}?from=2026-10-01&to=2026-11-30") == 200
        assert await tab.do(lambda p: p.locator("table.list tbody tr").count()) >= 2
        await tab.screenshots(f"street-{kind}")
    await tab.goto("/console/s/xingfu/overview" + OCT_NOV)
    await tab.do(lambda p: p.click("#communities a:has-text('幸福里社区')"))
    await tab.wait_for_path("/console/c/xingfuli/overview?")
    assert "幸福里社区 · 2026-10-01 至 2026-11-30" in await tab.text("h1")


async def test_the_monthly_report_prints_cleanly(
    sim: WeChatSim, fake_api: FakeWeChatAPI, open_tab: OpenTab
) -> None:
    await build()
    tab = await signed_in_tab(open_tab, sim, fake_api, "demo-committee")
    assert await tab.goto("/console/c/xingfuli/report?month=2026-11") == 200
    assert "幸福里社区2026年11月工作月报" in await tab.text("h1")
    await tab.screenshots("report")
    await tab.do(lambda p: p.emulate_media(media="print"))
    assert not await tab.do(lambda p: p.locator("nav.tabs").is_visible())
    assert not await tab.do(lambda p: p.locator("header.top").is_visible())
    assert not await tab.do(lambda p: p.locator("form.filters").is_visible())
    assert await tab.do(lambda p: p.locator(".report-table").first.is_visible())
    await tab.screenshots("report-print")
    pdf = await tab.do(lambda p: p.pdf(format="A4", prefer_css_page_size=True))
    assert pdf.startswith(b"%PDF")
    await tab.goto("/console/s/xingfu/report?month=2026-11")  # not the street office's staff
    assert "没有权限" in await tab.text("#main") or "抱歉" in await tab.text("#main")


async def test_the_public_page_on_a_phone(sim: WeChatSim, open_tab: OpenTab) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    home.office, home.hours, home.phone = (
        "幸福里党群服务中心一楼",
        "周一至周五 9:00-12:00，14:00-17:30",
        "010-87654321",
    )
    await home.save()
    tab = await open_tab(base_of(sim))
    assert await tab.goto("/public/xingfuli") == 200
    assert "幸福里党群服务中心一楼" in await tab.text("main")
    await tab.screenshots("public")
    # the resident picks the quarter, then the month: the same page, the figures of that period
    await tab.do(lambda p: p.click(".periods a:has-text('本季度')"))
    await tab.wait_for_path("/public/xingfuli?period=quarter")
    assert "季度诉求办理情况" in await tab.text("main")
    assert await tab.text(".periods a[aria-current]") == "本季度"
    await tab.screenshots("public-quarter")
    await tab.do(lambda p: p.click(".periods a:has-text('本月')"))
    await tab.wait_for_path("/public/xingfuli?period=month")
    assert "月诉求办理情况" in await tab.text("main")
    await tab.goto("/public")
    await tab.do(lambda p: p.click("a:has-text('幸福里社区')"))
    await tab.wait_for_path("/public/xingfuli")
