"""The console's consultations pages over HTTP: the list with turnout (never counts before the close), a
consultation launched from the form (and a wrong form shown again as typed), who took part (never how),
extending and cancelling, the result and its verifiable log, residents' proposals answered or launched,
the exports, and who may open them."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from handlers.votes import workflow
from handlers.votes.models import Ballot, Consultation, ConsultationStatus, Proposal
from storage.models import AuditEntry, Notification, Person
from tests.console_helpers import CHINA, browser, csrf_of, origin, sign_in, some_consultations
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

LIST = "/console/c/xingfuli/consultations"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def numbers(html: str) -> list[str]:
    return re.findall(r">(V\d{4}-\d{3})</a>", html)


async def test_the_list_and_a_consultation_before_and_after_the_close(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    made = await some_consultations()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    html = await (await client.get(LIST)).text()
    assert numbers(html) == [made["open"].number, made["closed"].number]  # newest first
    assert "2/3 人" in html and "3/3 人" in html
    assert numbers(await (await client.get(LIST + "?status=closed")).text()) == [made["closed"].number]
    opened = await (await client.get(f"{LIST}/{made['open'].id}")).text()
    assert 'id="results"' not in opened and "谁都看不到票数" in opened and "延期" in opened
    closed = await (await client.get(f"{LIST}/{made['closed'].id}")).text()
    assert "结果：通过（同意）" in closed and "66.7%" in closed and "核验一致" in closed
    assert made["closed"].result["digest"] in closed
    assert f"/api/v1/consultations/{made['closed'].id}/verify" in closed
    verify = await client.get(f"/api/v1/consultations/{made['closed'].id}/verify")
    assert (await verify.json())["valid"] is True
    # a ballot changed after the close: the page says the log no longer matches
    ballot = await Ballot.filter(consultation_id=made["closed"].id).order_by("id").first()
    assert ballot is not None
    await Ballot.filter(id=ballot.id).update(choices=[1])
    assert "核验不一致" in await (await client.get(f"{LIST}/{made['closed'].id}")).text()
    assert (await client.get(f"{LIST}/{made['open'].id + 1000}")).status == 404


async def test_launched_from_the_form(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await some_consultations()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    form = await (await client.get(LIST + "/new")).text()
    assert "发起并通知居民" in form and "3栋" in form
    closes = (dt.datetime.now(CHINA) + dt.timedelta(days=10)).strftime("%Y-%m-%dT20:00")
    values = {
        "csrf": csrf_of(form),
        "title": "楼道堆物清理时间",
        "background": "拟统一清理楼道堆放杂物。",
        "options": "周六上午\n周日上午",
        "max_choices": "1",
        "who": "residents",
        "per": "household",
        "closes_at": closes,
        "quorum": "50",
        "rule": "plurality",
        "buildings": ["2", "3"],
    }
    wrong = await client.post(LIST + "/new", data={**values, "options": "只有一个"}, headers=origin(sim))
    page = await wrong.text()
    assert wrong.status == 422 and "选项需要 2 到 10 个" in page and "楼道堆物清理时间" in page
    made = await client.post(LIST + "/new", data=values, headers=origin(sim))
    html = await made.text()
    assert made.status == 200 and "已发起议事" in html and "楼道堆物清理时间" in html
    c = await Consultation.get(title="楼道堆物清理时间")
    assert c.options == ["周六上午", "周日上午"] and c.buildings == [2, 3] and c.per == "household"
    assert c.quorum == 0.5 and c.rule == "plurality" and c.approve_option is None
    assert c.closes_at.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") == closes
    told = await Notification.filter(text__contains="楼道堆物清理时间").values_list(
        "person__openid", flat=True
    )
    assert sorted(told) == ["v-fang", "v-gang"]  # the residents of buildings 2 and 3
    audited = await AuditEntry.filter(action="votes.launch").order_by("id").values_list("outcome", "target")
    assert audited == [("refused", ""), ("ok", c.number)]


async def test_who_took_part_never_how(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_consultations()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    page = await (await client.get(f"{LIST}/{made['open'].id}/participants")).text()
    assert "王芳" in page and "李刚" in page and "陈敏" not in page
    assert "不同意" not in page and "同意" not in page  # never a choice
    export = await client.get(f"{LIST}/{made['open'].id}/participants/export")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(await export.read())).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0] == ("姓名", "住址", "代为登记人")
    assert sorted(r[0] for r in rows[1:]) == ["李刚", "王芳"]
    listed = await client.get(LIST + "/export?status=open")
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(await listed.read())).worksheets[0].iter_rows(values_only=True)
    )
    assert [r[0] for r in sheet[1:]] == [made["open"].number] and sheet[1][7:9] == (2, 3)


async def test_extend_and_cancel_with_a_reason(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_consultations()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    url = f"{LIST}/{made['open'].id}"
    token = csrf_of(await (await client.get(url)).text())
    later = (made["open"].closes_at.astimezone(CHINA) + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    no_reason = await client.post(
        url + "/extend", data={"csrf": token, "closes_at": later}, headers=origin(sim)
    )
    assert "请写上原因" in await no_reason.text()
    extended = await client.post(
        url + "/extend",
        data={"csrf": token, "closes_at": later, "reason": "参与的人还不多"},
        headers=origin(sim),
    )
    assert "已延期" in await extended.text()
    fresh = await Consultation.get(id=made["open"].id)
    assert fresh.closes_at.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") == later
    cancelled = await client.post(
        url + "/cancel", data={"csrf": token, "reason": "方案要调整"}, headers=origin(sim)
    )
    assert "已取消" in await cancelled.text()
    assert (await Consultation.get(id=made["open"].id)).status == ConsultationStatus.CANCELLED
    assert await Notification.filter(text__contains="方案要调整").count() == 3
    again = await client.post(url + "/cancel", data={"csrf": token, "reason": "再取消"}, headers=origin(sim))
    assert "已经截止" in await again.text()


async def test_proposals_answered_or_launched(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await some_consultations()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    proposal = await Proposal.get(text="建议在东门增设快递柜")
    page = await (await client.get("/console/c/xingfuli/proposals")).text()
    assert proposal.number in page and "据此发起议事" in page
    form = await (await client.get(f"{LIST}/new?proposal={proposal.id}")).text()
    assert "建议在东门增设快递柜" in form and f'value="{proposal.id}"' in form
    closes = (dt.datetime.now(CHINA) + dt.timedelta(days=7)).strftime("%Y-%m-%dT20:00")
    launched = await client.post(
        LIST + "/new",
        data={
            "csrf": csrf_of(form),
            "title": "东门增设快递柜",
            "background": "居民建议",
            "options": "同意\n不同意",
            "max_choices": "1",
            "who": "residents",
            "per": "person",
            "closes_at": closes,
            "quorum": "0",
            "rule": "majority",
            "proposal_id": str(proposal.id),
        },
        headers=origin(sim),
    )
    assert "已发起议事" in await launched.text()
    assert (await Proposal.get(id=proposal.id)).status == "adopted"
    assert (await Consultation.get(title="东门增设快递柜")).approve_option == 0
    second = await workflow.propose(
        await Person.get(openid="v-gang"), "建议晚上十点后停止广场舞", "t:2", dt.datetime.now(CHINA)
    )
    dismissed = await client.post(
        f"/console/c/xingfuli/proposals/{second.id}/dismiss",
        data={"csrf": csrf_of(form), "reason": "已与广场舞队协商，改到九点半结束"},
        headers=origin(sim),
    )
    assert "已答复居民建议" in await dismissed.text()
    assert (await Proposal.get(id=second.id)).status == "dismissed"
    adopted = await (await client.get("/console/c/xingfuli/proposals?status=adopted")).text()
    assert proposal.number in adopted and second.number not in adopted
    export = await client.get("/console/c/xingfuli/proposals/export?status=all")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(await export.read())).worksheets[0].iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == [proposal.number, second.number]


async def test_only_the_committee_of_the_community(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_consultations()
    for openid in ("demo-grid", "demo-street", "demo-hp-committee"):
        other = browser(sim)
        try:
            await sign_in(other, sim, fake_api, openid)
            for path in (
                LIST,
                f"{LIST}/{made['open'].id}",
                f"{LIST}/{made['open'].id}/participants",
                LIST + "/new",
            ):
                assert (await other.get(path)).status == 403, (openid, path)
            token = csrf_of(await (await other.get("/console/home")).text())
            refused = await other.post(
                f"{LIST}/{made['open'].id}/cancel",
                data={"csrf": token, "reason": "不要了"},
                headers=origin(sim),
            )
            assert refused.status == 403
        finally:
            await other.close()
    assert (await Consultation.get(id=made["open"].id)).status == ConsultationStatus.OPEN
    stranger = browser(sim)
    try:
        assert (await stranger.get(LIST, allow_redirects=False)).status == 303
    finally:
        await stranger.close()
