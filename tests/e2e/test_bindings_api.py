"""Verified homes over the mini-program API: binding checked against the register, staff listing,
confirming and rejecting bindings, and a phone proved with WeChat's getPhoneNumber (the fake WeChat API)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from handlers.register.models import Binding, BindingMethod, BindingStatus, GridStaff, Resident
from storage.models import Notification, Person, PhoneGrant, Role, RoleName
from storage.people import staff_by_phone
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import API, assert_error, bearer, login, token_for
from tests.fake_wechat_api import FakeWeChatAPI
from tests.helpers import Clock
from tests.verify_register import put_in_force

codes = itertools.count(1)
HOME_502 = {"community": "xingfuli", "building": 3, "unit": 2, "room": "502"}


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    await put_in_force(Clock().now)
    sim = await make_sim("safe", wechat_mp_appid="wxmp", wechat_mp_secret="mp-secret")
    return sim.client


async def staff(client: TestClient[Any, Any], openid: str) -> dict[str, str]:
    return bearer(await token_for(client, await Person.get(openid=openid)))


async def test_bind_checked_against_the_register(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    token = await login(api, fake_api, "mp-wang")
    off = await api.put(f"{API}/me/home", headers=bearer(token), json={**HOME_502, "room": "503"})
    assert off.status == 422 and "没有找到3栋2单元503" in (await off.json())["error"]["message"]
    ok = await api.put(f"{API}/me/home", headers=bearer(token), json={**HOME_502, "phone": "13912345678"})
    body = await ok.json()
    assert ok.status == 200 and body["home"]["verification"] == "verified" and body["phone"] == "13912345678"
    other = await login(api, fake_api, "mp-guest")
    waits = await api.put(f"{API}/me/home", headers=bearer(other), json={**HOME_502, "name": "赵敏"})
    assert (await waits.json())["home"]["verification"] == "pending"


async def test_staff_list_confirm_and_reject(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    first, second = await login(api, fake_api, "mp-a"), await login(api, fake_api, "mp-b")
    for token, name in ((first, "李强"), (second, "赵敏")):
        await api.put(f"{API}/me/home", headers=bearer(token), json={**HOME_502, "name": name})
    await api.put(f"{API}/me/home", headers=bearer(first), json=HOME_502)  # 李强: verified by name
    third = await login(api, fake_api, "mp-c")
    await api.put(f"{API}/me/home", headers=bearer(third), json={**HOME_502, "name": "钱多多"})
    committee = await staff(api, "demo-committee")
    listed = await api.get(f"{API}/communities/xingfuli/bindings?status=pending", headers=committee)
    body = await listed.json()
    assert listed.status == 200 and body["total"] == 2
    assert [i["said_name"] for i in body["items"]] == ["赵敏", "钱多多"]
    assert {m["name"] for m in body["items"][0]["members"]} == {"王芳", "李强"}
    assert [m["bound"] for m in body["items"][0]["members"]] == [False, True]
    zhao, qian = body["items"]
    # the grid worker of 3栋's grid sees them too; a resident may not list them, nor decide
    grid = await staff(api, "demo-grid")
    assert (await (await api.get(f"{API}/communities/xingfuli/bindings", headers=grid)).json())["total"] == 3
    assert (await api.get(f"{API}/communities/xingfuli/bindings", headers=bearer(first))).status == 403
    refused = await api.post(
        f"{API}/bindings/{zhao['id']}/reject", headers=bearer(first), json={"reason": "不对"}
    )
    assert refused.status == 403
    wang = (await Resident.get(name="王芳")).id
    confirmed = await api.post(
        f"{API}/bindings/{zhao['id']}/confirm", headers=grid, json={"resident_id": wang}
    )
    done = await confirmed.json()
    assert confirmed.status == 200 and (done["status"], done["method"], done["resident_id"]) == (
        "verified",
        "confirmed",
        wang,
    )
    rejected = await api.post(
        f"{API}/bindings/{qian['id']}/reject", headers=committee, json={"reason": "登记里没有这位住户"}
    )
    assert rejected.status == 200 and (await rejected.json())["reason"] == "登记里没有这位住户"
    again = await api.post(
        f"{API}/bindings/{qian['id']}/reject", headers=committee, json={"reason": "再驳回"}
    )
    assert again.status == 409
    assert_error(await again.json(), "conflict")
    missing = await api.post(f"{API}/bindings/99999/confirm", headers=committee, json={})
    assert missing.status == 404
    me = await (await api.get(f"{API}/me", headers=bearer(third))).json()
    assert me["home"] is None  # the rejected home is no longer in use
    texts = [n.text for n in await Notification.filter(person_id=me["id"])]
    assert any("未能通过社区确认" in t and "登记里没有这位住户" in t for t in texts)
    told = await (await api.get(f"{API}/me", headers=bearer(second))).json()
    assert told["home"]["verification"] == "verified"
    assert any("已经社区确认" in n.text for n in await Notification.filter(person_id=told["id"]))
    assert (await Resident.get(id=wang)).person_id == told["id"]


async def test_a_proven_phone_verifies_and_takes_up_staff_roles(
    api: TestClient[Any, Any], fake_api: FakeWeChatAPI
) -> None:
    # the committee named a grid worker by phone before she ever wrote to the account
    placeholder = await staff_by_phone("13912345678", "王芳")
    grant = await PhoneGrant.create(
        phone="13912345678",
        name="王芳",
        community_id=(await Person.get(openid="demo-committee")).community_id,
        role=RoleName.GRID_WORKER,
    )
    await GridStaff.filter(person__openid="demo-grid").update(person_id=placeholder.id)
    token = await login(api, fake_api, "mp-phone")
    waits = await api.put(f"{API}/me/home", headers=bearer(token), json={**HOME_502, "name": "芳芳"})
    assert (await waits.json())["home"]["verification"] == "pending"
    bad = await api.post(f"{API}/me/phone", headers=bearer(token), json={"code": "made-up"})
    assert bad.status == 422
    assert_error(await bad.json(), "invalid_code")
    fake_api.phone_codes["ph-1"] = "13912345678"
    proven = await api.post(f"{API}/me/phone", headers=bearer(token), json={"code": "ph-1"})
    body = await proven.json()
    assert proven.status == 200, body
    assert body["phone"] == "13912345678" and body["home"]["verification"] == "verified"
    assert {"community": "xingfuli", "role": "grid_worker"} in body["roles"]
    call = fake_api.of("/wxa/business/getuserphonenumber")[-1]
    assert call.body == {"code": "ph-1"} and call.query["access_token"].startswith(
        "MP-"
    )  # the mini-program's
    me = await Person.get(id=body["id"])
    assert me.phone_verified_at is not None
    assert not await Person.exists(id=placeholder.id)  # merged into her
    assert await GridStaff.filter(person=me).count() == 1
    grant = await PhoneGrant.get(id=grant.id)
    assert grant.claimed_by_id == me.id and grant.claimed_at is not None
    assert await Role.filter(person=me, role=RoleName.GRID_WORKER).exists()
    binding = await Binding.get(person=me)
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.PHONE)
    used = await api.post(f"{API}/me/phone", headers=bearer(token), json={"code": "ph-1"})
    assert used.status == 422  # a code is good once
