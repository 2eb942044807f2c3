"""Grids through the mini-program API: my grid worker, my grid (care needs for the grid's staff only), the
committee's grids, visits and reports filed for a resident, each with who may."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from handlers.register.models import Visit
from handlers.repairs.models import Ticket
from storage.models import Notification, Person, RoleName
from tests import grid_fixtures as fx
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import bearer, token_for
from tests.e2e.test_tickets_api import resident

API = "/api/v1"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    worker = await fx.staff("grid-w1", "张晓燕", "13800000001")
    other = await fx.staff("grid-w2", "王强", "13800000003")
    await fx.grid("G1", [3, 4], worker, name="第一网格")
    await fx.grid("G2", [5], other, name="第二网格")
    await fx.resident("3栋2单元502", "李秀英", care=["lives_alone"])
    await fx.resident("5栋1单元101", "马六", care=["disabled"])
    return (await make_sim("safe")).client


async def as_(api: TestClient[Any, Any], openid: str) -> dict[str, str]:
    return bearer(await token_for(api, await Person.get(openid=openid)))


async def test_my_grid_worker(api: TestClient[Any, Any]) -> None:
    token = await resident(api)  # 3栋2单元502
    body = await (await api.get(f"{API}/me/grid-worker", headers=bearer(token))).json()
    assert body["grid"] == "第一网格" and body["building"] == "3栋"
    assert body["staff"] == [
        {"name": "张晓燕", "phone": "13800000001", "duty_hours": "工作日 9:00-17:30", "deputy": False}
    ]
    assert body["office"]["phone"] == "0871-65550000"
    unbound = await Person.create(openid="nobody-home")
    refused = await api.get(f"{API}/me/grid-worker", headers=bearer(await token_for(api, unbound)))
    assert refused.status == 422


async def test_my_grid_for_its_staff_only(api: TestClient[Any, Any]) -> None:
    mine = await api.get(f"{API}/me/grid", headers=await as_(api, "grid-w1"))
    body = await mine.json()
    assert mine.status == 200 and body["buildings"] == ["3栋", "4栋"]
    assert body["care"] == [
        {"id": body["care"][0]["id"], "name": "李秀英", "home": "3栋2单元502", "needs": ["独居老人"]}
    ]
    assert body["unbound"] == 1 and body["unbound_some"][0]["name"] == "李秀英"
    token = await resident(api)
    for who in (bearer(token), await as_(api, "demo-property"), await as_(api, "demo-grid")):
        refused = await api.get(f"{API}/me/grid", headers=who)
        assert refused.status == 403 and "李秀英" not in await refused.text()


async def test_the_committee_lists_every_grid(api: TestClient[Any, Any]) -> None:
    listed = await api.get(f"{API}/communities/xingfuli/grids", headers=await as_(api, "demo-committee"))
    items = (await listed.json())["items"]
    assert listed.status == 200 and [g["code"] for g in items] == ["G1", "G2"]
    assert items[0]["staff"][0]["name"] == "张晓燕" and items[0]["care"] == 1 and items[1]["residents"] == 1
    for openid in ("grid-w1", "demo-property"):
        assert (
            await api.get(f"{API}/communities/xingfuli/grids", headers=await as_(api, openid))
        ).status == 403
    other = await api.get(f"{API}/communities/hepingcun/grids", headers=await as_(api, "demo-committee"))
    assert other.status == 403
    missing = await api.get(f"{API}/communities/nowhere/grids", headers=await as_(api, "demo-committee"))
    assert missing.status == 404


VISIT = {
    "building": 3,
    "unit": 2,
    "room": "502",
    "name": "李奶奶",
    "found": "身体还好，缺降压药",
    "follow_up": "周五送药",
}


async def test_visits_recorded_and_listed_with_permissions(api: TestClient[Any, Any]) -> None:
    url = f"{API}/communities/xingfuli/visits"
    made = await api.post(url, headers=await as_(api, "grid-w1"), json=VISIT)
    body = await made.json()
    assert made.status == 201 and body["resident"] == "李秀英" and body["place"] == "3栋2单元502"
    assert body["by"] == "张晓燕" and body["follow_up"] == "周五送药"
    other = {"building": 5, "unit": 1, "room": "101", "name": "马六", "found": "家里没人", "follow_up": "无"}
    elsewhere = await api.post(url, headers=await as_(api, "grid-w1"), json=other)
    assert elsewhere.status == 403  # 5栋 is another grid's
    made = await api.post(url, headers=await as_(api, "grid-w2"), json=other)
    assert made.status == 201 and (await made.json())["follow_up"] == ""
    token = await resident(api)
    for who in (bearer(token), await as_(api, "demo-property")):
        refused = await api.post(url, headers=who, json=VISIT)
        assert refused.status == 403
        assert (await api.get(url, headers=who)).status == 403
    assert await Visit.all().count() == 2
    own = await (await api.get(url, headers=await as_(api, "grid-w1"))).json()
    assert [v["whom"] for v in own["items"]] == ["3栋2单元502 李奶奶"]  # a grid worker: their own
    boss = await as_(api, "demo-committee")
    every = await (await api.get(url, headers=boss)).json()
    assert every["total"] == 2
    one_grid = await (await api.get(f"{url}?grid=G2", headers=boss)).json()
    assert [v["resident"] for v in one_grid["items"]] == ["马六"]
    later = await (await api.get(f"{url}?since=2099-01-01", headers=boss)).json()
    assert later["total"] == 0
    assert (await api.get(f"{url}?since=yesterday", headers=boss)).status == 400
    bad = await api.post(url, headers=boss, json={**VISIT, "building": 99})
    assert bad.status == 422


async def test_filing_for_a_resident(api: TestClient[Any, Any]) -> None:
    url = f"{API}/communities/xingfuli/tickets"
    report = {
        "category": "water",
        "description": "厨房水管漏水",
        "filed_for": "李奶奶",
        "building": 3,
        "unit": 2,
        "room": "502",
        "client_key": "filed-0001",
    }
    worker = await as_(api, "grid-w1")
    filed = await api.post(url, headers=worker, json=report)
    body = await filed.json()
    assert filed.status == 201 and body["filed_for"] == "李奶奶" and body["place"] == "3栋2单元502"
    again = await api.post(url, headers=worker, json=report)
    assert (await again.json())["id"] == body["id"] and await Ticket.all().count() == 1
    ticket = await Ticket.get()
    assert ticket.reporter_id == (await Person.get(openid="grid-w1")).id and ticket.filed_for_resident_id
    token = await resident(api)
    refused = await api.post(url, headers=bearer(token), json={**report, "client_key": "filed-0002"})
    assert refused.status == 403 and await Ticket.all().count() == 1
    staff = await as_(api, "demo-property")
    seen = await (await api.get(f"{API}/tickets/{body['id']}", headers=staff)).json()
    assert seen["filed_for"] == "李奶奶"
    for action in ("accept", "resolve"):
        moved = await api.post(
            f"{API}/tickets/{body['id']}/{action}", headers=staff, json={"note": "已换水管"}
        )
        assert moved.status == 200
    told = await Notification.filter(person__openid="grid-w1", key__contains=":resolve:").first()
    assert told is not None and "代李奶奶报的" in told.text
    mine = await (await api.get(f"{API}/tickets/mine", headers=worker)).json()
    assert mine["items"][0]["filed_for"] == "李奶奶"


async def test_a_street_office_member_oversees_grids(api: TestClient[Any, Any]) -> None:
    await fx.staff("street-1", "街道刘", "13900000000", role=RoleName.STREET_OFFICE)
    listed = await api.get(f"{API}/communities/xingfuli/grids", headers=await as_(api, "street-1"))
    assert listed.status == 200 and len((await listed.json())["items"]) == 2
