"""办事查询 through the API: browse, search, one entry, office hours; staff answer residents' messages."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from storage.models import Notification, Person, StaffMessage
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import bearer
from tests.e2e.test_tickets_api import resident, staff_token

API = "/api/v1"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def test_browse_by_line_and_read_one(api: TestClient[Any, Any]) -> None:
    everything = await (await api.get(f"{API}/communities/xingfuli/services")).json()
    assert (
        len(everything["items"]) >= 40
        and {"key": "legal", "label": "法律服务", "entries": 2} in everything["lines"]
    )
    legal = await (await api.get(f"{API}/communities/xingfuli/services?line=legal")).json()
    assert [e["key"] for e in legal["items"]] == ["legal_aid", "mediation"]
    one = await (await api.get(f"{API}/communities/xingfuli/services/residence_permit")).json()
    assert one["where"].startswith("幸福里小区") and one["phone"] == "0871-65550000" and one["documents"]
    assert (await api.get(f"{API}/communities/xingfuli/services/nothing_here")).status == 404
    assert (await api.get(f"{API}/communities/nowhere/services")).status == 404
    village = await (await api.get(f"{API}/communities/hepingcun/services")).json()
    assert "day_care" not in {e["key"] for e in village["items"]}


async def test_search(api: TestClient[Any, Any]) -> None:
    found = await (
        await api.get(f"{API}/communities/xingfuli/services/search", params={"q": "法律援助电话"})
    ).json()
    assert found["items"][0]["key"] == "legal_aid" and found["sure"] is True and found["hotlines"] == []
    nothing = await (
        await api.get(f"{API}/communities/xingfuli/services/search", params={"q": "股票怎么买"})
    ).json()
    assert nothing == {"items": [], "sure": False, "hotlines": ["12345", "12348"]}
    assert (await api.get(f"{API}/communities/xingfuli/services/search")).status == 400  # q is required


async def test_office_hours(api: TestClient[Any, Any]) -> None:
    office = await (await api.get(f"{API}/communities/xingfuli/office-hours")).json()
    assert office["office"] == "幸福里社区党群服务中心"
    assert office["weekdays"] == [{"start": "08:30", "end": "12:00"}, {"start": "14:00", "end": "17:30"}]
    assert office["saturday"] == [{"start": "09:00", "end": "12:00"}] and office["sunday"] == []
    assert isinstance(office["open_now"], bool)


async def test_staff_answer_residents_messages(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    me = await Person.get(openid="r1")
    message = await StaffMessage.create(person=me, community_id=me.community_id, text="楼下超市能办公交卡吗")
    grid = await staff_token(api, "demo-grid")
    listed = await (
        await api.get(f"{API}/communities/xingfuli/staff-messages?status=open", headers=bearer(grid))
    ).json()
    assert [m["number"] for m in listed["items"]] == [f"H{message.id:04d}"]
    # a resident, another community's committee, and the property company's staff (their tickets only)
    others = (token, await staff_token(api, "demo-hp-committee"), await staff_token(api, "demo-property"))
    for caller in others:
        assert (
            await api.get(f"{API}/communities/xingfuli/staff-messages", headers=bearer(caller))
        ).status == 403
        refused = await api.post(
            f"{API}/staff-messages/{message.id}/answer", headers=bearer(caller), json={"answer": "可以的"}
        )
        assert refused.status == 404
    answered = await api.post(
        f"{API}/staff-messages/{message.id}/answer",
        headers=bearer(grid),
        json={"answer": "可以，带身份证去办。"},
    )
    assert answered.status == 200 and (await answered.json())["status"] == "answered"
    again = await api.post(
        f"{API}/staff-messages/{message.id}/answer", headers=bearer(grid), json={"answer": "再答一次"}
    )
    assert again.status == 409
    assert await Notification.filter(person=me, text__contains="带身份证去办").exists()
