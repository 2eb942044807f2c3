"""The console's messages page over HTTP: residents' messages with who left them, answered from the page
through the workflow (the resident is told), once; the export; who may read and answer them (the
committee, grid workers and the street office; never the property company's staff)."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from handlers.common import workflow
from nlp.slots import Address
from storage.models import AuditEntry, Notification, StaffMessage
from tests.console_helpers import CHINA, browser, csrf_of, origin, resident, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

LIST = "/console/c/xingfuli/messages"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def some_messages() -> list[str]:
    """Two messages of 幸福里 (the older first) and one of 和平村: their numbers."""
    fang = await resident("m-fang", "王芳", Address(2, 1, "101"), phone="13900001111")
    gang = await resident("m-gang", "李刚", Address(3, 1, "201"))
    village = await resident("m-zhou", "周大爷", Address(3, None, "15"), code="hepingcun")
    now = dt.datetime.now(CHINA)
    return [
        await workflow.record_message(fang, "楼下垃圾桶好几天没人清了", now),
        await workflow.record_message(gang, "想问一下孩子入学要开什么证明", now),
        await workflow.record_message(village, "村口的路灯什么时候修", now),
    ]


def numbers(html: str) -> list[str]:
    return re.findall(r"<h2>(H\d{4}) ", html)


async def test_answered_from_the_page_once(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    first, second, village = await some_messages()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-grid")  # a grid worker answers too
    page = await (await client.get(LIST)).text()
    assert numbers(page) == [first, second] and village not in page
    assert "王芳" in page and "2栋1单元101" in page and "13900001111" in page
    message = await StaffMessage.get(text="楼下垃圾桶好几天没人清了")
    url = f"{LIST}/{message.id}/answer"
    token = csrf_of(page)
    short = await client.post(url, data={"csrf": token, "answer": "好"}, headers=origin(sim))
    assert (await StaffMessage.get(id=message.id)).status == "open" and "flash error" in await short.text()
    done = await client.post(
        url, data={"csrf": token, "answer": "已通知保洁，今天下午清理。"}, headers=origin(sim)
    )
    html = await done.text()
    assert f"已答复留言 {first}" in html and numbers(html) == [second]
    assert (await StaffMessage.get(id=message.id)).answer == "已通知保洁，今天下午清理。"
    told = await Notification.get(person__openid="m-fang", text__contains="已通知保洁")
    assert first in told.text
    again = await client.post(url, data={"csrf": token, "answer": "再答一次"}, headers=origin(sim))
    assert "flash error" in await again.text()
    answered = await (await client.get(LIST + "?status=answered")).text()
    assert numbers(answered) == [first] and "已通知保洁" in answered
    audited = (
        await AuditEntry.filter(action="messages.answer").order_by("id").values_list("outcome", flat=True)
    )
    assert audited == ["refused", "ok", "refused"]
    other = await StaffMessage.get(text="村口的路灯什么时候修")  # 和平村's, by 幸福里's page
    wrong = await client.post(
        f"{LIST}/{other.id}/answer", data={"csrf": token, "answer": "马上修"}, headers=origin(sim)
    )
    assert "没有找到" in await wrong.text() or "找不到" in await wrong.text()
    assert (await StaffMessage.get(id=other.id)).status == "open"


async def test_the_export_is_the_filtered_list(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    first, second, _ = await some_messages()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-street")  # the street office reads them too
    html = await (await client.get(LIST + "?status=all")).text()
    link = re.search(r'href="([^"]+/messages/export[^"]*)"', html)
    assert link is not None and "status=all" in link.group(1)
    export = await client.get(link.group(1).replace("&amp;", "&"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(await export.read())).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("编号", "居民", "电话") and [r[0] for r in rows[1:]] == numbers(html) == [
        second,
        first,
    ]
    assert rows[2][1:4] == ("王芳", "13900001111", "2栋1单元101")


async def test_the_property_company_and_other_communities_read_nothing(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await some_messages()
    message = await StaffMessage.get(text="楼下垃圾桶好几天没人清了")
    for openid in ("demo-property", "demo-mediator", "demo-hp-committee"):
        other = browser(sim)
        try:
            await sign_in(other, sim, fake_api, openid)
            assert (await other.get(LIST)).status == 403, openid
            assert (await other.get(LIST + "/export")).status == 403, openid
            token = csrf_of(await (await other.get("/console/home")).text())
            refused = await other.post(
                f"{LIST}/{message.id}/answer", data={"csrf": token, "answer": "我来答复"}, headers=origin(sim)
            )
            assert refused.status == 403, openid
            home = await (await other.get("/console/home")).text()
            assert "/console/c/xingfuli/messages" not in home, openid  # not in their menu either
        finally:
            await other.close()
    assert (await StaffMessage.get(id=message.id)).status == "open"
    stranger = browser(sim)
    try:
        assert (await stranger.get(LIST, allow_redirects=False)).status == 303
    finally:
        await stranger.close()
