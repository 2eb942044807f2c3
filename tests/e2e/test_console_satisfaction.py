"""The quarterly satisfaction survey in the figures (the community's and the street office's overview, the
monthly report, 居务公开) once it is published, never while sealed; and 居务公开's public notices, with
nothing about anyone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from handlers.figures import satisfaction
from handlers.figures.period import Period
from handlers.notices import fanout
from handlers.notices import workflow as notices
from handlers.notices.models import NoticeAudience
from handlers.notices.workflow import WriteNotice
from handlers.residents.workflow import bind_home, resolve_address
from handlers.surveys import workflow as surveys
from handlers.surveys.models import Survey
from nlp.slots import Address
from storage.models import Community, Person
from tests import grid_fixtures as fx
from tests.console_helpers import CHINA, browser, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

OPENED = dt.datetime(2026, 10, 2, 10, 0, tzinfo=CHINA)  # this year's fourth quarter, as it opened


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def answered_quarter() -> Survey:
    """幸福里's 2026Q4 survey answered by three residents: property 5/3/4 (4.00), committee 4/4/2 (3.33)."""
    assert await surveys.open_quarterly(OPENED) == 2  # both demo communities
    community = await Community.get(code="xingfuli")
    s = await Survey.get(community=community, standing_key__startswith="quarterly:2026Q4:")
    for i, (prop, comm) in enumerate(((5, 4), (3, 4), (4, 2))):
        voter = await Person.create(openid=f"q{i}", name=f"居民{i}")
        await bind_home(voter, await resolve_address(community, Address(3, 1, f"40{i + 1}")))
        given: list[surveys.Answer] = [prop, prop, prop, prop, comm, comm, 0, [1], "楼道灯常坏"]
        await surveys.answer(s.id, await Person.get(id=voter.id), given, OPENED, source_key=f"q{i}")
    return s


def score(html: str, label: str) -> str:
    found = re.search(rf'figure-label">{label}</div>\s*<div class="figure-value">([^<]*)<', html)
    assert found, label
    return found.group(1)


async def test_the_quarterly_scores_once_published(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    s = await answered_quarter()
    xingfuli = await Community.get(code="xingfuli")
    november = Period.month_of(dt.date(2026, 11, 1))
    sealed = await satisfaction.of_community(xingfuli, november, OPENED)
    assert not sealed.any and sealed.scores == {"property": None, "committee": None}  # sealed till the close
    await surveys.sweep(s.closes_at + dt.timedelta(minutes=1))  # closed and published, both communities
    sim = await make_sim("safe")  # (its clock is today's: its own rounds would close them as well)
    async with browser(sim) as client:
        await sign_in(client, sim, fake_api, "demo-committee")
        overview = await (await client.get("/console/c/xingfuli/overview")).text()
        assert score(overview, "物业服务") == "4.00 分" and score(overview, "居委会工作") == "3.33 分"
        assert "2026年第4季度测评结果" in overview
        report = await (await client.get("/console/c/xingfuli/report", params={"month": "2026-11"})).text()
        assert score(report, "物业服务") == "4.00 分"
        before = await client.get("/console/c/xingfuli/report", params={"month": "2026-09"})
        assert "还没有已公布的季度满意度测评结果" in await before.text()  # not yet then
    async with browser(sim) as client:
        await sign_in(client, sim, fake_api, "demo-street")
        street = await (await client.get("/console/s/xingfu/overview")).text()
        assert score(street, "物业服务") == "4.00 分"  # 和平村 had no answers: 幸福里's alone
        table = street[street.index('id="satisfaction"') :]
        assert "和平村" in table and "幸福里社区" in table
    public = await (await sim.client.get("/public/xingfuli")).text()
    assert score(public, "物业服务") == "4.00 分" and "楼道灯常坏" not in public  # aggregates only


async def test_the_public_page_lists_the_public_notices(sim: WeChatSim) -> None:
    where = await Community.get(code="xingfuli")
    staff = await Person.get(openid="demo-committee")
    home = await fx.home("3栋2单元502")
    await Person.create(openid="r1", name="王秀英", phone="13900000001", community=where, home=home)
    now = dt.datetime.now(CHINA)
    for title, audience, targets in (
        ("小区消杀通知", NoticeAudience.COMMUNITY, ()),
        ("3栋停水通知", NoticeAudience.BUILDINGS, (3,)),  # for some buildings: not public by default
        ("独居老人走访安排", NoticeAudience.CARE, ()),  # about care needs: never public
    ):
        cmd = WriteNotice(
            where.id, staff, title, "本周五上午对小区绿化带消杀，请关好门窗。", title, audience=audience
        )
        await notices.write(cmd if not targets else WriteNotice(**{**cmd.__dict__, "targets": targets}), now)
    later = WriteNotice(
        where.id,
        staff,
        "元旦活动预告",
        "元旦上午社区广场有游园活动。",
        "later",
        publish_at=now + dt.timedelta(days=2),
    )
    await notices.write(later, now)  # scheduled: not yet
    await fanout.run_all(now)
    page = await sim.client.get("/public/xingfuli")
    html = await page.text()
    assert page.status == 200 and "小区消杀通知" in html and "绿化带消杀" in html
    for hidden in ("3栋停水通知", "独居老人走访安排", "元旦活动预告", "王秀英", "13900000001"):
        assert hidden not in html, hidden
    other = await (await sim.client.get("/public/hepingcun")).text()
    assert "小区消杀通知" not in other and "暂无公开的通知" in other
