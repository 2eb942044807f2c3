"""The street office's lists behind its figures (handlers/figures/street_lists.py) over HTTP: every figure of
the street overview and 月报 links, and its link lists exactly the rows the figure counts (the fixed data of
tests/integration/fixed_figures.py, in both communities); the community filter, the export, the rows'
links into their communities, who may open the lists, and the statements a page costs."""

from __future__ import annotations

import datetime as dt
import html as markup
import io
import json
import re

import openpyxl
import pytest
from aiohttp import ClientSession

from bot.console.server import PAGES
from handlers.figures import queries
from handlers.figures.street_lists import OPENS
from storage.models import Community, Person, StreetOffice
from storage.roles import roles_of
from tests.console_helpers import browser, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.integration.fixed_figures import CST, PERIOD, build
from tests.wechat_sim import WeChatSim

STREET = "/console/s/xingfu"
OCT_NOV = {"period": "custom", "from": "2026-10-01", "to": "2026-11-30"}
TABLE = re.compile(r'<table class="list street" id="street-(\w+)">.*?<tbody>(.*?)</tbody>', re.S)


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def signed(sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str) -> ClientSession:
    client = browser(sim)
    await sign_in(client, sim, fake_api, openid)
    return client


def cards(html: str) -> dict[str, tuple[str, str]]:
    """Every figure card of the page: label -> (value, link; "" when none)."""
    found = re.findall(
        r'figure-label">([^<]+)</div>\s*'
        r'<(?:a class="figure-value" href="([^"]*)"|div class="figure-value")>([^<]*)<',
        html,
    )
    return {label: (value, markup.unescape(href)) for label, href, value in found}


async def rows_of(client: ClientSession, link: str) -> tuple[str, list[list[str]], str]:
    """The list a link opens: its kind, its rows' cells (the community first), and the page."""
    assert link.startswith(STREET + "/"), link
    page = await client.get(link)
    text = await page.text()
    assert page.status == 200, (link, text[:400])
    table = TABLE.search(text)
    assert table is not None, link
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(2), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows if "no_rows" not in row]
    return table.group(1), [c for c in cells if len(c) > 1], text


async def test_every_figure_of_the_street_overview_lists_its_rows(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await build()
    street = await StreetOffice.get(code="xingfu")
    counted = await queries.street_overview(street, PERIOD, dt.datetime.now(CST))
    f, t = counted.total, counted.total.tickets
    # each card: the rows its link lists (a rate: its numerator; a median: the rows it is the median of)
    expected = {
        "收到诉求": t.received,
        "办结率": t.done,
        "按时办结率": t.on_time,
        "响应及时率": t.responded_on_time,
        "平均评分": t.rated,
        "满意率（4-5星）": t.satisfied,
        "返修率": t.reopened,
        "办结时长中位数": t.done,
        "当前超时未办": f.overdue_backlog,
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
    # the fixed data has rows of both communities in the street's totals: the counts are not one community's
    assert (t.received, f.wishes.received, f.volunteers.services) == (10, 4, 4)
    async with await signed(sim, fake_api, "demo-street") as client:
        html = await (await client.get(STREET + "/overview", params=OCT_NOV)).text()
        shown = cards(html)
        assert set(expected) <= set(shown), set(expected) - set(shown)
        for label, (value, link) in shown.items():
            if label not in expected:  # the satisfaction survey's cards (no rows behind them)
                continue
            assert link, f"{label} ({value}) links nowhere"
            kind, rows, page = await rows_of(client, link)
            assert len(rows) == expected[label], (label, link, len(rows))
            assert f"共 {expected[label]} " in page, label
            if kind == "records":  # the record's totals are the volunteers' figures
                assert f"<b>{f.volunteers.volunteers}</b>位志愿者" in page
                assert f"<b>{f.volunteers.hours:g}</b>小时" in page
        # both communities' rows are there: the community column
        _, rows, _ = await rows_of(client, shown["收到诉求"][1])
        assert {r[0] for r in rows} == {"幸福里社区", "和平村"}

        # the charts: every bar links to its rows (month, category, community)
        charts = [json.loads(markup.unescape(raw)) for raw in re.findall(r'data-chart="([^"]*)"', html)]
        assert len(charts) == 3
        opened = 0
        for chart in charts:
            for series in chart["option"]["series"]:
                links = chart["links"].get(series["name"])
                if series["type"] != "bar":
                    continue
                assert links and all(links), series["name"]
                for value, link in zip(series["data"], links, strict=True):
                    if link.startswith(STREET):  # the per-community bars open the community's own list
                        _, rows, _ = await rows_of(client, link)
                        assert len(rows) == value, (series["name"], link)
                        opened += 1
                    else:
                        assert link.startswith("/console/c/"), link
        assert opened >= 8


async def test_every_figure_of_the_street_report_links(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await build()
    async with await signed(sim, fake_api, "demo-street") as client:
        text = await (await client.get(STREET + "/report", params={"month": "2026-11"})).text()
        shown = cards(text)
        assert all(link for label, (_, link) in shown.items() if "满意度" not in label), shown
        # every cell of the category, grid and handler tables links; a count opens exactly its rows
        checked = named = 0
        tables = re.findall(r"<h2>按(?:类别|网格|处理人)</h2>\s*<table[^>]*>(.*?)</table>", text, re.S)
        assert len(tables) == 3
        for table in tables:
            for line in re.findall(r"<tr><th>[^<]+</th>(<td>.*?)</tr>", table):
                cells = re.findall(r'<td>(?:<a href="([^"]*)">)?([^<]*)', line)
                assert all(href for href, _ in cells), line
                for column in (0, 1, 6):  # 收到, 办结, 超时未办
                    href, value = cells[column]
                    href = markup.unescape(href)
                    if href.startswith(STREET):
                        _, rows, page = await rows_of(client, href)
                        assert len(rows) == int(value), (href, value)
                        checked += 1
                        if "handler=" in href and "handler=none" not in href:  # the condition, named
                            assert re.search(r'name="handler" value="\d+" checked>处理人：\w+<', page), href
                            named += 1
        assert checked >= 9 and named >= 2


async def test_the_community_filter_the_export_and_the_rows_links(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await build()
    async with await signed(sim, fake_api, "demo-street") as client:
        period = {"from": "2026-10-01", "to": "2026-11-30"}
        _, everyone, page = await rows_of(client, f"{STREET}/tickets?from=2026-10-01&to=2026-11-30")
        _, village, _ = await rows_of(
            client, f"{STREET}/tickets?from=2026-10-01&to=2026-11-30&community=hepingcun"
        )
        assert len(everyone) == 10 and [r[0] for r in village] == ["和平村"]
        assert (await client.get(STREET + "/tickets", params={"community": "nowhere"})).status == 400
        # the overdue first, as on the community's page
        assert 'class="overdue"' in page.split("<tbody>")[1].split("</tr>")[0]
        # each ticket opens on its community's page, which the street office may open
        link = re.search(r'<a href="(/console/c/xingfuli/tickets/\d+)">(R\d{4}-\d{4})</a>', page)
        assert link is not None
        detail = await client.get(link.group(1))
        assert detail.status == 200 and link.group(2) in await detail.text()
        # the export: the page's rows and columns, with the filters applied
        export = await client.get(STREET + "/tickets/export", params=period)
        assert export.status == 200
        sheet = openpyxl.load_workbook(io.BytesIO(await export.read())).active
        assert sheet is not None
        cells = list(sheet.iter_rows(values_only=True))
        assert cells[0][:3] == ("社区", "编号", "类别") and len(cells) == 1 + len(everyone)
        numbers = [re.sub(r"<[^>]+>", "", r[1]) for r in everyone]
        assert [c[1] for c in cells[1:]] == numbers
        assert {c[0] for c in cells[1:]} == {"幸福里社区", "和平村"}
        for kind in ("wishes", "service-records", "consultations", "messages"):
            sheet_of = await client.get(f"{STREET}/{kind}/export", params={**period, "community": "xingfuli"})
            assert sheet_of.status == 200, kind
            book = openpyxl.load_workbook(io.BytesIO(await sheet_of.read())).active
            assert book is not None
            got = list(book.iter_rows(values_only=True))
            _, shown, _ = await rows_of(
                client, f"{STREET}/{kind}?from=2026-10-01&to=2026-11-30&community=xingfuli"
            )
            assert len(got) == 1 + len(shown) and all(row[0] == "幸福里社区" for row in got[1:]), kind
        # the street office is not on the committee: its wishes open nowhere (the committee's pages)
        _, wishes, _ = await rows_of(client, f"{STREET}/wishes")
        assert wishes and not any("<a " in r[1] for r in wishes)


async def test_who_may_open_the_street_lists(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await build()
    lists = ("tickets", "wishes", "service-records", "consultations", "messages")
    async with await signed(sim, fake_api, "demo-committee") as committee:  # 幸福里社区's committee
        for kind in lists:
            assert (await committee.get(f"{STREET}/{kind}")).status == 403, kind
            assert (await committee.get(f"{STREET}/{kind}/export")).status == 403, kind
    async with browser(sim) as nobody:
        assert (await nobody.get(STREET + "/tickets", allow_redirects=False)).status == 303
    async with await signed(sim, fake_api, "demo-street") as street:
        for kind in lists:
            assert (await street.get(f"{STREET}/{kind}")).status == 200, kind
        assert (await street.get("/console/s/nowhere/tickets")).status == 404


async def test_a_rows_link_follows_the_rule_of_its_page(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    """``OPENS`` says by the roles held who may open a row's page: the same as that page's own rule."""
    await build()
    pages = {p.name: p for p in sim.client.app[PAGES]}
    for openid in ("demo-street", "demo-committee", "demo-grid", "demo-property", "demo-hp-committee"):
        person = await Person.get(openid=openid)
        for community in await Community.all():
            held = await roles_of(person, community.id)
            for name, roles in OPENS.items():
                assert bool(held & roles) == await pages[name].allow(person, community.id), (openid, name)
