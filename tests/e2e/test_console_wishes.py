"""The console's wishes pages over HTTP: the lists by state, the public text edited and checked again before
approval, sending back and declining with a reason, confirming for the resident into the service record,
the exports, and who may open them."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from handlers.wishes.models import ServiceRecord, Wish, WishStatus
from storage.models import AuditEntry, Notification, Person
from tests.console_helpers import browser, csrf_of, last_scene, origin, scan, sign_in, some_wishes
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

LIST = "/console/c/xingfuli/wishes"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def numbers(html: str) -> list[str]:
    return re.findall(r">(W\d{4}-\d{4})</a>", html)


def sheet_rows(body: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


async def test_the_lists_by_state(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_wishes()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    queue = await (await client.get(LIST)).text()  # the review queue: waiting longest first
    assert numbers(queue) == [made["review"].number, made["phone"].number]
    assert queue.count(">含敏感词<") == 1 and "13912345678" not in queue
    assert made["village"].number not in queue
    claimed = await (await client.get(LIST + "?status=claimed")).text()
    assert numbers(claimed) == [made["claimed"].number] and "赵阿姨" in claimed and "前联系" in claimed
    assert numbers(await (await client.get(LIST + "?status=fulfilled")).text()) == [made["fulfilled"].number]
    assert numbers(await (await client.get(LIST + "?status=open")).text()) == [made["board"].number]
    everything = await (await client.get(LIST + "?status=all")).text()
    assert len(numbers(everything)) == 5
    assert (await client.get(LIST + "?status=nonsense")).status == 400
    detail = await (await client.get(f"{LIST}/{made['phone'].id}")).text()
    assert "13912345678" in detail and "13900001111" in detail  # the words as written, the contact
    assert (await client.get(f"{LIST}/{made['village'].id}")).status == 404  # another community's


async def test_the_public_text_is_edited_checked_and_approved(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    made = await some_wishes()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    wish = made["review"]
    page = await (await client.get(f"{LIST}/{wish.id}")).text()
    assert "发现：偷" in page
    token = csrf_of(page)
    url = f"{LIST}/{wish.id}/approve"
    as_is = await client.post(url, data={"csrf": token}, headers=origin(sim))
    assert "公开内容里还有偷" in await as_is.text()  # the workflow's own check
    with_phone = await client.post(
        url,
        data={"csrf": token, "public_text": "孩子想给奶奶准备生日礼物，电话13900001111"},
        headers=origin(sim),
    )
    assert "电话号码" in await with_phone.text()
    assert (await Wish.get(id=wish.id)).status is WishStatus.SUBMITTED
    edited = "孩子想悄悄给奶奶准备生日礼物，想找人教折纸花"
    approved = await client.post(url, data={"csrf": token, "public_text": edited}, headers=origin(sim))
    html = await approved.text()
    assert "已通过审核" in html and edited in html
    fresh = await Wish.get(id=wish.id)
    assert fresh.status is WishStatus.OPEN and fresh.public_text == edited
    assert fresh.description.startswith("孩子想偷偷")  # the resident's words are kept as written
    assert await Notification.filter(person_id=wish.resident_id, text__contains=wish.number).exists()
    audited = await AuditEntry.filter(action="wishes.approve").order_by("id").values_list("outcome", "detail")
    assert [o for o, _ in audited] == ["refused", "refused", "ok"] and audited[-1][1] == "edited"
    # a masked phone number is no hit: approved as it is
    other = await client.post(f"{LIST}/{made['phone'].id}/approve", data={"csrf": token}, headers=origin(sim))
    assert "已通过审核" in await other.text()


async def test_send_back_and_decline_need_a_reason(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_wishes()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    token = csrf_of(await (await client.get(LIST)).text())
    back = f"{LIST}/{made['phone'].id}/ask_changes"
    empty = await client.post(back, data={"csrf": token, "reason": ""}, headers=origin(sim))
    assert "请写上原因" in await empty.text()
    sent = await client.post(back, data={"csrf": token, "reason": "请说明几点出发"}, headers=origin(sim))
    assert "已退回居民补充" in await sent.text()
    assert (await Wish.get(id=made["phone"].id)).review_note == "请说明几点出发"
    declined = await client.post(
        f"{LIST}/{made['review'].id}/decline",
        data={"csrf": token, "reason": "不属于微心愿"},
        headers=origin(sim),
    )
    assert "未通过审核" in await declined.text()
    assert (await Wish.get(id=made["review"].id)).status is WishStatus.DECLINED
    late = await client.post(
        f"{LIST}/{made['board'].id}/decline", data={"csrf": token, "reason": "重复"}, headers=origin(sim)
    )
    assert "不能这样操作" in await late.text()


async def test_confirmed_for_the_resident_into_the_service_record(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    made = await some_wishes()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    wish = made["fulfilled"]
    page = await (await client.get(f"{LIST}/{wish.id}")).text()
    assert "陪同散步" in page and "代居民确认实现" in page
    done = await client.post(
        f"{LIST}/{wish.id}/confirm",
        data={"csrf": csrf_of(page), "rating": "5", "thanks": "谢谢赵阿姨", "story_consent": "1"},
        headers=origin(sim),
    )
    assert "已代居民确认" in await done.text()
    record = await ServiceRecord.get(wish_id=wish.id)
    committee = await Person.get(openid="demo-committee")
    assert record.confirmed_by_id == committee.id and record.confirmed_as == "committee" and record.hours == 2
    records = await (await client.get("/console/c/xingfuli/service-records")).text()
    assert "赵阿姨" in records and wish.number in records and "社区代为确认" in records
    assert "/service-records/export" in records
    none = await (await client.get("/console/c/xingfuli/service-records?volunteer=张")).text()
    assert wish.number not in none
    export = await client.get("/console/c/xingfuli/service-records/export?volunteer=赵")
    rows = sheet_rows(await export.read())
    assert rows[0][:2] == ("编号", "志愿者") and [r[3] for r in rows[1:]] == [wish.number]
    assert rows[1][6] == 2 and rows[1][8] == "社区代为确认"


async def test_the_export_is_the_filtered_list(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_wishes()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    html = await (await client.get(LIST + "?status=claimed")).text()
    link = re.search(r'href="([^"]+/wishes/export[^"]*)"', html)
    assert link is not None
    export = await client.get(link.group(1).replace("&amp;", "&"))
    assert export.status == 200
    rows = sheet_rows(await export.read())
    assert [r[0] for r in rows[1:]] == numbers(html) == [made["claimed"].number]
    assert rows[1][3:5] == ("王芳", "13900001111") and rows[1][6] == "赵阿姨"
    assert await AuditEntry.filter(action="wishes.export", detail="status=claimed").exists()


async def test_only_the_committee_of_the_community(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    made = await some_wishes()
    for openid, status in (("demo-grid", 403), ("demo-property", 403), ("demo-hp-committee", 403)):
        other = browser(sim)
        try:
            await sign_in(other, sim, fake_api, openid)
            assert (await other.get(LIST)).status == status, openid
            assert (await other.get(f"{LIST}/{made['review'].id}")).status == status, openid
            assert (await other.get("/console/c/xingfuli/service-records")).status == status, openid
            assert (await other.get(LIST + "/export")).status == status, openid
            home = await (await other.get("/console/home")).text()
            token = csrf_of(home)
            refused = await other.post(
                f"{LIST}/{made['review'].id}/decline",
                data={"csrf": token, "reason": "不行"},
                headers=origin(sim),
            )
            assert refused.status == 403
        finally:
            await other.close()
    stranger = browser(sim)
    try:
        await sign_in(stranger, sim, fake_api, "demo-hp-committee")
        village = await stranger.get(f"/console/c/hepingcun/wishes/{made['village'].id}")
        assert village.status == 200 and "周大爷" in await village.text()
    finally:
        await stranger.close()
    resident = browser(sim)
    try:
        await resident.get("/console")
        assert "只对社区和街道的工作人员开放" in await scan(sim, "wish-resident", last_scene(fake_api))
        assert (await resident.get(LIST, allow_redirects=False)).status == 303  # to the sign-in page
    finally:
        await resident.close()
    assert (await Wish.get(id=made["review"].id)).status is WishStatus.SUBMITTED
