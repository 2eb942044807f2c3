"""Notices through the API: the committee (or the street office) writes one, the app's outbox delivers it,
residents list, read and confirm it, staff see who it reached and who confirmed; the public page shows the
public ones with nothing about anyone; who may do what."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import china_now
from handlers.notices.models import Notice
from storage.models import Notification, NotificationStatus, Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import bearer
from tests.e2e.test_tickets_api import resident, staff_token
from tests.fake_wechat_api import FakeWeChatAPI

API = "/api/v1"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


def notice_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "3栋停水通知",
        "text": "明天9:00-17:00 3栋停水，请提前储水。",
        "audience": "buildings",
        "targets": [3],
        "urgent": True,
        "receipt": True,
        "client_key": "notice-0001",
    }
    return {**body, **changes}


async def written(api: TestClient[Any, Any], token: str, **changes: Any) -> dict[str, Any]:
    response = await api.post(
        f"{API}/communities/xingfuli/notices", headers=bearer(token), json=notice_body(**changes)
    )
    assert response.status == 201, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def test_write_deliver_read_and_confirm(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    token = await resident(api)  # 3栋2单元502
    await Person.filter(openid="r1").update(last_message_at=china_now())  # wrote lately: in the window
    committee = await staff_token(api, "demo-committee")
    made = await written(api, committee)
    again = await written(api, committee)  # the same client key: the same notice
    assert made["id"] == again["id"] and await Notice.all().count() == 1
    assert made["status"] == "published" and made["recipients"] == 1 and made["audience_label"] == "3栋"
    for _ in range(200):  # the app's own outbox worker delivers it
        if await Notification.filter(topic=f"notice:{made['id']}", status=NotificationStatus.SENT).exists():
            break
        await asyncio.sleep(0.05)
    [text] = fake_api.sent_texts("r1")
    assert "【紧急通知】3栋停水通知" in text and '收到请回复"1"' in text

    mine = await (await api.get(f"{API}/notices/mine", headers=bearer(token))).json()
    assert [(n["title"], n["receipt_asked"]) for n in mine["items"]] == [("3栋停水通知", True)]
    one = await api.get(f"{API}/notices/{made['id']}", headers=bearer(token))
    assert one.status == 200 and (await one.json())["text"].startswith("明天9:00")
    confirmed = await api.post(f"{API}/notices/{made['id']}/receipt", headers=bearer(token))
    assert confirmed.status == 200 and (await confirmed.json()) == {
        "notice": made["number"],
        "confirmed": True,
    }
    assert (
        await api.post(f"{API}/notices/{made['id']}/receipt", headers=bearer(token))
    ).status == 200  # twice: once
    mine = await (await api.get(f"{API}/notices/mine", headers=bearer(token))).json()
    assert mine["items"][0]["receipt_asked"] is False

    receipts = await (await api.get(f"{API}/notices/{made['id']}/receipts", headers=bearer(committee))).json()
    assert receipts["figures"] == {
        "delivered": 1,
        "waiting": 0,
        "not_delivered": 0,
        "unknown": 0,
        "confirmed": 1,
    }
    [person] = receipts["items"]
    assert (person["name"], person["home"], person["status"], person["channel"]) == (
        "王女士",
        "3栋2单元502",
        "sent",
        "custom",
    )
    assert person["confirmed_at"] is not None and receipts["total"] == 1
    listed = await (await api.get(f"{API}/communities/xingfuli/notices", headers=bearer(committee))).json()
    assert listed["total"] == 1 and listed["items"][0]["figures"]["confirmed"] == 1


async def test_who_may_do_what(api: TestClient[Any, Any]) -> None:
    token = await resident(api)  # 3栋
    committee = await staff_token(api, "demo-committee")
    assert (await api.post(f"{API}/communities/xingfuli/notices", json=notice_body())).status == 401
    refused = await api.post(f"{API}/communities/xingfuli/notices", headers=bearer(token), json=notice_body())
    assert refused.status == 403
    volunteer = await staff_token(api, "demo-volunteer")
    assert (
        await api.post(f"{API}/communities/xingfuli/notices", headers=bearer(volunteer), json=notice_body())
    ).status == 403
    street = await written(api, await staff_token(api, "demo-street"), client_key="street-0001")
    assert street["status"] == "published"
    other = await written(api, committee, targets=[5], receipt=False, client_key="notice-0005")
    assert (await api.get(f"{API}/notices/{other['id']}", headers=bearer(token))).status == 404  # 5栋's
    assert (await api.post(f"{API}/notices/{other['id']}/receipt", headers=bearer(token))).status == 404
    assert (await api.get(f"{API}/notices/{street['id']}/receipts", headers=bearer(token))).status == 403
    assert (await api.get(f"{API}/communities/xingfuli/notices", headers=bearer(token))).status == 403
    plain = await written(api, committee, targets=[3], receipt=False, client_key="notice-0003")
    assert (await api.post(f"{API}/notices/{plain['id']}/receipt", headers=bearer(token))).status == 409
    assert (await api.get(f"{API}/notices/999999", headers=bearer(token))).status == 404
    hp = await staff_token(api, "demo-hp-committee")  # another community's committee
    assert (await api.get(f"{API}/notices/{plain['id']}/receipts", headers=bearer(hp))).status == 403


async def test_rules_are_422(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    for changes, key in [
        ({"link": "ftp://x/y"}, "http"),
        ({"audience": "care", "targets": [], "public": True}, "不能公开"),
        ({"targets": [99]}, "99 栋"),
        ({"audience": "roles", "targets": ["mayor"]}, "身份"),
        ({"audience": "care", "targets": ["rich"]}, "关怀类别"),
        ({"audience": "grids", "targets": []}, "哪些楼栋"),
    ]:
        response = await api.post(
            f"{API}/communities/xingfuli/notices", headers=bearer(committee), json=notice_body(**changes)
        )
        assert response.status == 422, changes
        assert key in (await response.json())["error"]["message"]
    assert not await Notice.exists()


async def test_the_public_page_and_scheduled_notices(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    committee = await staff_token(api, "demo-committee")
    await written(api, committee, audience="community", targets=[], receipt=False, client_key="public-001")
    await written(api, committee, client_key="for-3-only")  # to some buildings: not public by default
    await written(api, committee, audience="care", targets=[], receipt=False, client_key="care-0001")
    later = (china_now() + dt.timedelta(days=1)).isoformat()
    scheduled = await written(
        api, committee, audience="community", targets=[], publish_at=later, client_key="later-001"
    )
    assert scheduled["status"] == "scheduled" and scheduled["figures"] is None
    assert not await Notification.filter(topic=f"notice:{scheduled['id']}").exists()
    page = await api.get(f"{API}/public/communities/xingfuli/notices")
    assert page.status == 200
    body = await page.json()
    assert [n["title"] for n in body["items"]] == ["3栋停水通知"] and body["total"] == 1
    assert set(body["items"][0]) == {"id", "number", "title", "text", "link", "urgent", "published_at"}
    assert (await api.get(f"{API}/public/communities/nowhere/notices")).status == 404
    mine = await (await api.get(f"{API}/notices/mine", headers=bearer(token))).json()
    assert len(mine["items"]) == 2  # the public one and 3栋's; not the scheduled one, not the care one
