"""A community's figures other than tickets open exactly their rows: the wishes, the service record, the
consultations and the residents' messages of the period (the fixed data of tests/integration/
fixed_figures.py), each list reading the period the figure's link carries (tickets: test_console_overview)."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest

from handlers.figures import queries
from storage.models import Community
from tests.console_helpers import browser, sign_in
from tests.e2e.conftest import MakeSim
from tests.e2e.test_console_street_lists import cards
from tests.fake_wechat_api import FakeWeChatAPI
from tests.integration.fixed_figures import CST, PERIOD, build
from tests.wechat_sim import WeChatSim

OVERVIEW = "/console/c/xingfuli/overview"
OCT_NOV = {"period": "custom", "from": "2026-10-01", "to": "2026-11-30"}
# the rows of each list's page (a row without a link: the empty list's sentence)
ROWS = {
    "/wishes": r'<tr[^>]*>\s*<td data-label="编号"><a',
    "/service-records": r'<tr>\s*<td data-label="编号">',
    "/consultations": r'<tr>\s*<td data-label="编号"><a',
    "/messages": r'<section class="card message"',
}


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def test_each_figure_of_a_community_lists_its_rows(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    f = (await queries.community_overview(home, PERIOD, dt.datetime.now(CST))).total
    expected = {
        "收到心愿": f.wishes.received,
        "心愿实现": f.wishes.fulfilled,
        "平均实现天数": f.wishes.fulfilled,
        "服务志愿者": f.volunteers.services,
        "志愿服务时长": f.volunteers.services,
        "议事参与率": f.consultations.closed,
        "居民留言": f.messages.received,
        "留言待答复": f.messages.waiting,
        "答复等待中位数": f.messages.answered,
    }
    # each a part of what the community has: the period decides (W5, a message, a consultation before it)
    assert (f.wishes.received, f.consultations.closed, f.messages.received) == (4, 2, 4)
    async with browser(sim) as client:
        await sign_in(client, sim, fake_api, "demo-committee")
        shown = cards(await (await client.get(OVERVIEW, params=OCT_NOV)).text())
        for label, count in expected.items():
            link = shown[label][1]
            assert link.startswith("/console/c/xingfuli/") and "from=2026-10-01" in link, (label, link)
            page = await client.get(link)
            text = await page.text()
            assert page.status == 200, (label, link)
            pattern = next(rows for path, rows in ROWS.items() if path + "?" in link)
            assert len(re.findall(pattern, text)) == count, (label, link)
        # the whole of them, without the period: more
        everything = await client.get("/console/c/xingfuli/wishes", params={"status": "all"})
        assert len(re.findall(ROWS["/wishes"], await everything.text())) == 5
        bad = await client.get(
            "/console/c/xingfuli/messages", params={"from": "2026-11-02", "to": "2026-11-01"}
        )
        assert bad.status == 400
        # the export of a list with the period: the same rows
        export = await client.get(
            markup.unescape(shown["居民留言"][1]).replace("/messages?", "/messages/export?")
        )
        assert export.status == 200
