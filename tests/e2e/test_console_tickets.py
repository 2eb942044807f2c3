"""The console's tickets page over HTTP: the list and its filters, the actions through the workflow (and
its refusals on the page), the export, who sees what. The browser tests drive the same page in chromium."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient

from handlers.repairs import queries
from handlers.repairs.models import TicketEvent, TicketPhoto, TicketStatus
from storage.models import AuditEntry, Notification, Person
from tests.console_helpers import CHINA, HTMX, browser, csrf_of, sign_in, some_tickets
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

LIST = "/console/c/xingfuli/tickets"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


def numbers(html: str) -> list[str]:
    return re.findall(r">(R\d{4}-\d{4})</a>", html)


def origin(client: TestClient[Any, Any]) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def test_the_list_filters_and_puts_the_overdue_first(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    water, lighting, noise, village = await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    page = await client.get(LIST)
    html = await page.text()
    assert page.status == 200 and "工单" in html
    assert numbers(html) == [lighting.number, water.number, noise.number]  # overdue, then by deadline
    assert village.number not in html and "13912345678" not in html  # no phone in the list
    for query, expected in (
        ("?category=water", [water.number]),
        ("?building=3", [lighting.number, noise.number]),
        ("?overdue=1", [lighting.number]),
        ("?role=grid_worker", [noise.number]),
        ("?status=submitted&sort=new", [lighting.number, water.number, noise.number]),  # overdue first
        ("?status=open&sort=old", [lighting.number, noise.number, water.number]),
    ):
        assert numbers(await (await client.get(LIST + query)).text()) == expected, query
    partial = await (await client.get(LIST + "?category=water", headers=HTMX)).text()
    assert "<html" not in partial and numbers(partial) == [water.number]  # htmx swaps the list in
    bad = await client.get(LIST + "?status=nonsense")
    assert bad.status == 400 and "筛选条件" in await bad.text()


async def test_accept_assign_transfer_and_resolve_from_the_page(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    water, lighting, noise, _ = await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    detail = f"{LIST}/{water.id}"
    page = await (await client.get(detail)).text()
    assert "5栋地下室水管漏水" in page and "13912345678" in page and "受理（由我处理）" in page
    token = csrf_of(page)
    accepted = await client.post(detail + "/accept", data={"csrf": token}, headers=origin(client))
    assert accepted.status == 200 and "已受理工单" in await accepted.text()
    again = await client.post(detail + "/accept", data={"csrf": token}, headers=origin(client))
    assert "这一步办不了" in await again.text()  # the workflow's refusal, as its sentence
    committee = await Person.get(openid="demo-committee")
    assert (await queries.seen_by(committee, water.id)).ticket.status is TicketStatus.ACCEPTED
    property_staff = await Person.get(openid="demo-property")
    assigned = await client.post(
        f"{LIST}/{lighting.id}/assign",
        data={"csrf": token, "to": str(property_staff.id)},
        headers=origin(client),
    )
    assert "已派给王师傅" in await assigned.text()
    seen = await queries.seen_by(committee, lighting.id)
    assert seen.ticket.assignee_id == property_staff.id and seen.ticket.status is TicketStatus.ACCEPTED
    assert await Notification.filter(person=property_staff, text__contains="已派给您").exists()
    wrong = await client.post(
        f"{LIST}/{noise.id}/assign",
        data={"csrf": token, "to": str(property_staff.id)},
        headers=origin(client),
    )
    assert "只能派给负责这类问题的同事" in await wrong.text()  # noise is the grid workers'
    moved = await client.post(
        f"{LIST}/{noise.id}/transfer",
        data={"csrf": token, "role": "mediator", "note": "邻里矛盾"},
        headers=origin(client),
    )
    assert "已转给人民调解员处理" in await moved.text()
    assert (await queries.seen_by(committee, noise.id)).ticket.handler_role == "mediator"
    resolved = await client.post(
        detail + "/resolve",
        data={"csrf": token, "note": "已更换水管接头", "photo": io.BytesIO(PNG)},
        headers=origin(client),
    )
    assert "已办结" in await resolved.text()
    view = await queries.detail(await queries.seen_by(committee, water.id), sim_now())
    assert view.ticket.status is TicketStatus.RESOLVED and view.ticket.outcome_note == "已更换水管接头"
    assert len(view.photos) == 1 and (await TicketPhoto.get(id=view.photos[0])).by_staff
    photo = await client.get(f"{detail}/photos/{view.photos[0]}")
    assert photo.status == 200 and await photo.read() == PNG
    actions = await TicketEvent.filter(ticket_id=water.id).order_by("id").values_list("action", flat=True)
    assert actions == ["submit", "accept", "resolve"]
    audited = (
        await AuditEntry.filter(action__startswith="tickets.").order_by("id").values_list("action", "outcome")
    )
    assert ("tickets.accept", "ok") in audited and ("tickets.accept", "refused") in audited
    assert ("tickets.resolve", "ok") in audited


def sim_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


async def test_a_bad_photo_is_refused_before_anything_moves(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    water, *_ = await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-property")
    page = await (await client.get(f"{LIST}/{water.id}")).text()
    await client.post(f"{LIST}/{water.id}/accept", data={"csrf": csrf_of(page)}, headers=origin(client))
    refused = await client.post(
        f"{LIST}/{water.id}/resolve",
        data={"csrf": csrf_of(page), "note": "好了", "photo": io.BytesIO(b"GIF89a....")},
        headers=origin(client),
    )
    assert "请上传 JPEG 或 PNG 图片" in await refused.text()
    property_staff = await Person.get(openid="demo-property")
    assert (await queries.seen_by(property_staff, water.id)).ticket.status is TicketStatus.ACCEPTED


async def test_the_export_is_the_filtered_list(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    html = await (await client.get(LIST + "?building=3")).text()
    link = re.search(r'href="([^"]+/tickets/export[^"]*)"', html)
    assert link is not None
    export = await client.get(link.group(1).replace("&amp;", "&"))
    assert export.status == 200 and export.content_type.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(await export.read())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "类别", "位置")
    assert [r[0] for r in rows[1:]] == numbers(html)
    assert await AuditEntry.filter(action="tickets.export", detail="building=3").exists()


async def test_staff_see_only_their_own_and_residents_nothing(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    water, _, noise, village = await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-property")  # property staff: their pool only
    listed = numbers(await (await client.get(LIST)).text())
    assert water.number in listed and noise.number not in listed and village.number not in listed
    assert (await client.get(f"{LIST}/{noise.id}")).status == 404  # the grid workers'
    assert (await client.get(f"/console/c/hepingcun/tickets/{village.id}")).status == 403
    assert (await client.get(f"{LIST}/{village.id}")).status == 404  # another community's, by this path
    other = browser(sim)
    try:
        await sign_in(other, sim, fake_api, "demo-hp-committee")
        assert (await other.get(LIST)).status == 403
        assert (await other.get(f"{LIST}/{water.id}")).status == 403
        page = await (await other.get("/console/c/hepingcun/tickets")).text()
        assert numbers(page) == [village.number]
        token = csrf_of(page)
        refused = await other.post(f"{LIST}/{water.id}/accept", data={"csrf": token}, headers=origin(client))
        assert refused.status == 403
    finally:
        await other.close()
    stranger = browser(sim)
    try:
        assert (await stranger.get(LIST, allow_redirects=False)).status == 303
    finally:
        await stranger.close()
    assert (await queries.seen_by(await Person.get(openid="demo-committee"), water.id)).ticket.status is (
        TicketStatus.SUBMITTED
    )


async def test_a_photo_too_large_is_refused_kindly(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    water, *_ = await some_tickets()
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    page = await (await client.get(f"{LIST}/{water.id}")).text()
    await client.post(f"{LIST}/{water.id}/accept", data={"csrf": csrf_of(page)}, headers=origin(client))
    huge = io.BytesIO(PNG + b"\x00" * (6 * 1024 * 1024))
    refused = await client.post(
        f"{LIST}/{water.id}/resolve",
        data={"csrf": csrf_of(page), "note": "好了", "photo": huge},
        headers={**origin(client), "Referer": str(client.make_url(f"{LIST}/{water.id}"))},
    )
    assert refused.status == 200 and "上传的内容太大了" in await refused.text()
    assert (await queries.seen_by(await Person.get(openid="demo-committee"), water.id)).ticket.status is (
        TicketStatus.ACCEPTED
    )
