"""The console's register pages over HTTP: the workbook checked then imported from the page, residents and
households searched and filtered (a grid worker reads their own grids; care needs for the committee and
the grid worker only), grids, verification requests confirmed, rejected and revoked, visits, the exports,
and who may open them."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from aiohttp import ClientSession, FormData
from aiohttp.test_utils import TestClient

from handlers.register import grid_workflow
from handlers.register.grid_workflow import RecordVisit
from handlers.register.models import Binding, BindingStatus, Resident
from nlp.slots import Address
from storage.models import AuditEntry, Community, Notification, Person
from tests.console_helpers import CHINA, browser, csrf_of, origin, resident, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.register_books import Book, generated
from tests.wechat_sim import WeChatSim

C = "/console/c/xingfuli"


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def book() -> Book:
    """120 residents over 6 buildings: grid 1 (buildings 1-4) is 张网格's (by phone), grid 2 (5-6) not."""
    return generated(120, 6, units=1)


PEOPLE = len(book().people)


async def check(client: TestClient[Any, Any] | ClientSession, sim: WeChatSim, token: str, data: bytes) -> Any:
    form = FormData()
    form.add_field("csrf", token)
    form.add_field("workbook", data, filename="名册.xlsx", content_type="application/octet-stream")
    return await client.post(f"{C}/register/import/check", data=form, headers=origin(sim))


async def imported(client: TestClient[Any, Any], sim: WeChatSim) -> None:
    """The register imported from the page by the committee (signed in on ``client``)."""
    proven = dt.datetime.now(CHINA)  # the phone WeChat proved: the register names them by it
    await Person.filter(openid="demo-grid").update(phone="13700000001", phone_verified_at=proven)
    page = await (await client.get(f"{C}/register/import")).text()
    checked = await (await check(client, sim, csrf_of(page), book().xlsx())).text()
    token = re.search(r'name="token" value="([^"]+)"', checked)
    assert token is not None, checked
    done = await client.post(
        f"{C}/register/import/confirm",
        data={"csrf": csrf_of(page), "token": token.group(1)},
        headers=origin(sim),
    )
    assert done.status == 200 and "导入完成" in await done.text()


def sheet(body: bytes) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))


def names(html: str) -> list[str]:
    return [n.strip() for n in re.findall(r'<td data-label="姓名">([^<]+)', html)]


async def test_the_workbook_is_checked_then_imported(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    page = await (await client.get(f"{C}/register/import")).text()
    token = csrf_of(page)
    wrong = book()
    wrong.people[0][5] = "139"  # row 2: not a mobile number
    refused = await check(client, sim, token, wrong.xlsx())
    html = await refused.text()
    assert refused.status == 422 and "1 处问题" in html and "住户" in html and "手机" in html
    assert 'name="token"' not in html and not await Resident.exists()
    not_a_book = await check(client, sim, token, b"hello")
    assert "打不开" in await not_a_book.text()
    checked = await (await check(client, sim, token, book().xlsx())).text()
    assert "确认导入" in checked and not await Resident.exists()  # a dry run writes nothing
    kept = re.search(r'name="token" value="([^"]+)"', checked)
    assert kept is not None
    done = await client.post(
        f"{C}/register/import/confirm", data={"csrf": token, "token": kept.group(1)}, headers=origin(sim)
    )
    assert "导入完成" in await done.text() and await Resident.filter(active=True).count() == PEOPLE
    again = await client.post(
        f"{C}/register/import/confirm", data={"csrf": token, "token": kept.group(1)}, headers=origin(sim)
    )
    assert "请重新上传名册检查" in await again.text()  # used once
    audited = await AuditEntry.filter(action__startswith="register.upload").order_by("id")
    assert [(a.action, a.outcome) for a in audited] == [
        ("register.upload_check", "refused"),
        ("register.upload_check", "refused"),
        ("register.upload_check", "ok"),
        ("register.upload_confirm", "ok"),
        ("register.upload_confirm", "refused"),
    ]
    workbook = await client.get(f"{C}/register/workbook")
    assert workbook.status == 200 and len(sheet(await workbook.read())) > 1
    template = await client.get(f"{C}/register/template")
    assert openpyxl.load_workbook(io.BytesIO(await template.read())).sheetnames[0] == "说明"


async def test_residents_and_households_searched_and_exported(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    await imported(client, sim)
    everyone = await (await client.get(f"{C}/register")).text()
    assert f"共 {PEOPLE} 人" in everyone and "关照需求" in everyone
    in_five = await (await client.get(f"{C}/register?building=5")).text()
    expected = await Resident.filter(home__building__number=5).count()
    assert f"共 {expected} 人" in in_five and all(
        "5栋" in r for r in re.findall(r'data-label="住址">([^<]+)', in_five)
    )
    someone = await Resident.filter(home__building__number=2).order_by("id").first()
    assert someone is not None
    found = await (await client.get(f"{C}/register?q={someone.name}")).text()
    assert someone.name in names(found)
    if someone.phone:
        by_phone = await (await client.get(f"{C}/register?q={someone.phone}")).text()
        assert names(by_phone) == [someone.name]
    export = await client.get(f"{C}/register/export?building=5")
    rows = sheet(await export.read())
    assert rows[0][-2:] == ("关照需求", "备注") and [r[0] for r in rows[1:]] == names(in_five)
    households = await (await client.get(f"{C}/households?building=5")).text()
    count = len({r.household_id for r in await Resident.filter(home__building__number=5)})
    assert f"共 {count} 户" in households
    book_rows = sheet(await (await client.get(f"{C}/households/export?building=5")).read())
    assert len(book_rows) == count + 1 and book_rows[0][:3] == ("住址", "户号", "户主")
    assert await AuditEntry.filter(action="register.residents_export", detail="building=5").exists()


async def test_a_grid_worker_reads_their_grids_and_the_street_office_no_care_needs(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    await sign_in(sim.client, sim, fake_api, "demo-committee")
    await imported(sim.client, sim)
    worker = browser(sim)
    street = browser(sim)
    try:
        await sign_in(worker, sim, fake_api, "demo-grid")
        page = await (await worker.get(f"{C}/register")).text()
        ours = await Resident.filter(home__building__number__lte=4).count()
        assert f"共 {ours} 人" in page and "关照需求" in page and "只显示您负责网格内的居民" in page
        theirs = await (await worker.get(f"{C}/register?building=5")).text()
        assert "共 0 人" in theirs
        assert (await worker.get(f"{C}/grids")).status == 403  # the grids page is the overseers'
        assert (await worker.get(f"{C}/register/import")).status == 403
        await sign_in(street, sim, fake_api, "demo-street")
        page = await (await street.get(f"{C}/register")).text()
        assert (
            f"共 {PEOPLE} 人" in page and "关照需求</th>" not in page and 'data-label="关照需求"' not in page
        )
        assert "独居老人" not in page and "低保" not in page
        rows = sheet(await (await street.get(f"{C}/register/export")).read())
        assert "关照需求" not in rows[0] and len(rows) == PEOPLE + 1
        grids = await (await street.get(f"{C}/grids")).text()
        assert "第1网格" in grids and "张网格" in grids and "第2网格" in grids
        grid_rows = sheet(await (await street.get(f"{C}/grids/export")).read())
        assert [r[1] for r in grid_rows[1:]] == ["第1网格", "第2网格"]
    finally:
        await worker.close()
        await street.close()


async def test_verification_requests_confirmed_rejected_and_revoked(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    await imported(client, sim)
    member = await Resident.filter(home__building__number=1, home__unit=1, home__room="101").first()
    assert member is not None
    newcomer = await resident("b-new", "新来的", Address(1, 1, "101"))
    stranger = await resident("b-odd", "冒名的", Address(1, 1, "102"))
    pending = await (await client.get(f"{C}/bindings")).text()
    assert "新来的" in pending and "冒名的" in pending and member.name in pending
    first = await Binding.get(person=newcomer)
    token = csrf_of(pending)
    confirmed = await client.post(
        f"{C}/bindings/{first.id}/confirm",
        data={"csrf": token, "resident_id": str(member.id)},
        headers=origin(sim),
    )
    assert f"已确认 B{first.id} 属实" in await confirmed.text()
    assert (await Binding.get(id=first.id)).status == BindingStatus.VERIFIED
    assert (await Resident.get(id=member.id)).person_id == newcomer.id
    second = await Binding.get(person=stranger)
    no_reason = await client.post(
        f"{C}/bindings/{second.id}/reject", data={"csrf": token}, headers=origin(sim)
    )
    assert "flash error" in await no_reason.text()
    rejected = await client.post(
        f"{C}/bindings/{second.id}/reject",
        data={"csrf": token, "reason": "名册上没有此人"},
        headers=origin(sim),
    )
    assert "不属实" in await rejected.text()
    assert await Notification.filter(person=stranger, text__contains="名册上没有此人").exists()
    revoked = await client.post(
        f"{C}/bindings/{first.id}/revoke",
        data={"csrf": token, "reason": "家属反映不是本户"},
        headers=origin(sim),
    )
    assert "已撤销" in await revoked.text()
    assert (await Binding.get(id=first.id)).status == BindingStatus.ENDED
    listed = await (await client.get(f"{C}/bindings?status=all")).text()
    rows = sheet(await (await client.get(f"{C}/bindings/export?status=all")).read())
    assert sorted(r[0] for r in rows[1:]) == sorted(re.findall(r"<h2>(B\d+) ", listed))
    other = await Community.get(code="hepingcun")
    village = await resident("b-village", "周大爷", Address(3, None, "15"), code="hepingcun")
    assert other.id == village.community_id
    # a binding of another community, by this community's page: nothing moves
    await client.post(
        f"{C}/bindings/{(await Binding.get(person=village)).id}/revoke",
        data={"csrf": token, "reason": "试一试"},
        headers=origin(sim),
    )
    assert (await Binding.get(person=village)).status == BindingStatus.VERIFIED


async def test_visits_listed_and_exported(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    await imported(client, sim)
    community = await Community.get(code="xingfuli")
    worker = await Person.get(openid="demo-grid")
    now = dt.datetime.now(CHINA)
    for address, found in ((Address(1, 1, "101"), "老人身体不错"), (Address(2, 1, "102"), "反映楼道灯暗")):
        await grid_workflow.record_visit(
            RecordVisit(by=worker, community_id=community.id, address=address, name="", found=found), now
        )
    page = await (await client.get(f"{C}/visits")).text()
    assert "老人身体不错" in page and "反映楼道灯暗" in page and "张网格" in page
    rows = sheet(await (await client.get(f"{C}/visits/export?grid=1")).read())
    assert rows[0][:3] == ("走访时间", "走访人", "走访对象") and sorted(r[5] for r in rows[1:]) == [
        "反映楼道灯暗",
        "老人身体不错",
    ]


async def test_property_staff_and_other_communities_open_nothing(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    paths = (
        "/register",
        "/households",
        "/grids",
        "/bindings",
        "/visits",
        "/register/import",
        "/register/export",
        "/register/workbook",
    )
    for openid in ("demo-property", "demo-mediator", "demo-hp-committee"):
        other = browser(sim)
        try:
            await sign_in(other, sim, fake_api, openid)
            for path in paths:
                assert (await other.get(C + path)).status == 403, (openid, path)
        finally:
            await other.close()
    stranger = browser(sim)
    try:
        assert (await stranger.get(C + "/register", allow_redirects=False)).status == 303
    finally:
        await stranger.close()
