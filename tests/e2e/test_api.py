"""The mini-program API end to end: login through the fake WeChat API, permissions, errors, pagination."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.api.server import SERVICES
from bot.api.sessions import create_session
from handlers.repairs.models import Ticket
from handlers.wishes.models import Wish
from storage.models import Community, Notification, Person, Role, RoleName, StaffMessage
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI

codes = itertools.count(1)
API = "/api/v1"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    sim = await make_sim("safe", wechat_mp_appid="wxmp", wechat_mp_secret="mp-secret")
    return sim.client


async def token_for(client: TestClient[Any, Any], person: Person) -> str:
    services = client.server.app[SERVICES]
    return await create_session(services.store, person.id, 3600)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(
    client: TestClient[Any, Any], fake_api: FakeWeChatAPI, mp_openid: str, unionid: str | None = None
) -> str:
    code = f"code-{next(codes)}"
    fake_api.login_codes[code] = {"openid": mp_openid, **({"unionid": unionid} if unionid else {})}
    response = await client.post(f"{API}/auth/login", json={"code": code})
    assert response.status == 200, await response.text()
    return str((await response.json())["token"])


def assert_error(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


# -- login --------------------------------------------------------------------------------------------
async def test_login_good_reused_and_invalid_codes(
    api: TestClient[Any, Any], fake_api: FakeWeChatAPI
) -> None:
    fake_api.login_codes["abc"] = {"openid": "mp-1", "unionid": "u-1"}
    good = await api.post(f"{API}/auth/login", json={"code": "abc"})
    body = await good.json()
    assert good.status == 200 and body["token"] and body["expires_in"] > 0
    assert "SESSION-KEY-SECRET" not in await good.text()  # session_key never leaves the server
    reused = await api.post(f"{API}/auth/login", json={"code": "abc"})
    assert reused.status == 401
    assert_error(await reused.json(), "invalid_code")
    invalid = await api.post(f"{API}/auth/login", json={"code": "made-up"})
    assert invalid.status == 401
    again = await login(api, fake_api, "mp-1")  # the same person on the next login
    me = await (await api.get(f"{API}/me", headers=bearer(again))).json()
    assert me["id"] == body["person_id"] and me["official_account"] is False


@pytest.mark.parametrize("payload", [None, "[]", '{"code": ""}', '{"code": "x", "extra": 1}', "{oops"])
async def test_login_bad_bodies(api: TestClient[Any, Any], payload: str | None) -> None:
    response = await api.post(f"{API}/auth/login", data=payload, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert_error(await response.json(), "bad_request")


async def test_unionid_joins_an_existing_person(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    follower = await Person.create(openid="oa-7", unionid="u-7", name="王阿姨")
    token = await login(api, fake_api, "mp-7", unionid="u-7")
    me = await (await api.get(f"{API}/me", headers=bearer(token))).json()
    assert me["id"] == follower.id and me["official_account"] is True


async def test_no_or_bad_token(api: TestClient[Any, Any]) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eA=="}):
        response = await api.get(f"{API}/me", headers=headers)
        assert response.status == 401
        assert_error(await response.json(), "unauthorized")


# -- me -----------------------------------------------------------------------------------------------
async def test_bind_my_home(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    token = await login(api, fake_api, "mp-home")
    ok = await api.put(
        f"{API}/me/home",
        headers=bearer(token),
        json={"community": "xingfuli", "building": 3, "unit": 2, "room": "502"},
    )
    body = await ok.json()
    assert ok.status == 200 and body["home"]["address"] == "幸福里社区 3栋2单元502"
    assert {"community": "xingfuli", "role": "resident"} in body["roles"]
    rule = await api.put(
        f"{API}/me/home",
        headers=bearer(token),
        json={"community": "xingfuli", "building": 99, "unit": 1, "room": "101"},
    )
    assert rule.status == 422 and "没有99栋" in (await rule.json())["error"]["message"]
    missing = await api.put(
        f"{API}/me/home", headers=bearer(token), json={"community": "nowhere", "building": 1, "room": "101"}
    )
    assert missing.status == 404


async def test_link_the_chat_identity(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    sim = await make_sim("safe", wechat_mp_appid="wxmp", wechat_mp_secret="mp-secret")
    api = sim.client
    reply = await sim.say("oa-link", "关联小程序", 9_000_001)
    code = re.search(r"关联码 (\d{8})", reply)
    assert code, reply
    follower = await Person.get(openid="oa-link")
    token = await login(api, fake_api, "mp-link")
    mp_only = await (await api.get(f"{API}/me", headers=bearer(token))).json()
    await StaffMessage.create(person_id=mp_only["id"], text="小程序里留的言")
    bound = {"community": "xingfuli", "building": 3, "unit": 2, "room": "502"}
    assert (await api.put(f"{API}/me/home", headers=bearer(token), json=bound)).status == 200
    wish = {"description": "孩子想要几本课外书", "client_key": "link-wish-1"}
    assert (await api.post(f"{API}/wishes", headers=bearer(token), json=wish)).status == 201
    ticket = {"category": "lighting", "description": "楼道灯不亮", "client_key": "link-ticket-1"}
    assert (await api.post(f"{API}/tickets", headers=bearer(token), json=ticket)).status == 201
    linked = await api.post(f"{API}/me/link", headers=bearer(token), json={"code": code.group(1)})
    assert linked.status == 202 and (await linked.json())["status"] == "pending"
    # nothing merges until the follower confirms in the chat
    assert await Person.exists(id=mp_only["id"])
    asked = await Notification.get(person=follower, key__startswith="link:")
    assert "确认关联" in asked.text
    assert "已关联" in await sim.say("oa-link", "确认关联", 9_000_002)
    assert not await Person.exists(id=mp_only["id"])
    # nothing lost in the merge: every feature's rows follow the person
    assert await StaffMessage.filter(person=follower).count() == 1
    assert await Wish.filter(resident=follower).count() == 1
    assert await Ticket.filter(reporter=follower).count() == 1
    assert await Role.filter(person=follower, role="resident").count() == 1
    me = await (await api.get(f"{API}/me", headers=bearer(token))).json()  # the token follows
    assert me["id"] == follower.id and me["official_account"] is True
    reused = await api.post(f"{API}/me/link", headers=bearer(token), json={"code": code.group(1)})
    assert reused.status == 422
    assert "没有待确认" in await sim.say("oa-link", "确认关联", 9_000_003)


async def test_link_codes_cannot_be_guessed(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    sim = await make_sim("safe", wechat_mp_appid="wxmp", wechat_mp_secret="mp-secret")
    api = sim.client
    reply = await sim.say("oa-victim", "关联小程序", 9_000_011)
    real = re.search(r"关联码 (\d{8})", reply)
    assert real, reply
    # an attacker with many sessions of one identity: five wrong codes, then even the right one is refused
    tokens = [await login(api, fake_api, "mp-attacker") for _ in range(3)]
    statuses = []
    for i in range(8):
        guess = await api.post(f"{API}/me/link", headers=bearer(tokens[i % 3]), json={"code": f"{i:08d}"})
        statuses.append(guess.status)
    assert statuses[:5] == [422] * 5 and set(statuses[5:]) == {429}
    late = await api.post(f"{API}/me/link", headers=bearer(tokens[0]), json={"code": real.group(1)})
    assert late.status == 429
    # and a right code only asks: the follower who did not ask says nothing, so nothing merges
    honest = await login(api, fake_api, "mp-honest")
    asked = await api.post(f"{API}/me/link", headers=bearer(honest), json={"code": real.group(1)})
    assert asked.status == 202
    assert await Person.exists(mp_openid="mp-honest") and not (await Person.get(openid="oa-victim")).mp_openid


async def test_invite_codes_cannot_be_guessed(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    committee_reply = await sim.say("demo-committee", "邀请码 网格员", 9_000_021)
    code = re.search(r"(\d{8})", committee_reply)
    assert code, committee_reply
    replies = [await sim.say("o-guesser", f"加入 {i:08d}", 9_000_100 + i) for i in range(6)]
    assert "无效" in replies[0] and "次数太多" in replies[5]
    assert "次数太多" in await sim.say("o-guesser", f"加入 {code.group(1)}", 9_000_200)
    assert not await Role.filter(person__openid="o-guesser", role="grid_worker").exists()


async def test_my_requests_are_paginated_and_mine_only(
    api: TestClient[Any, Any], fake_api: FakeWeChatAPI
) -> None:
    token = await login(api, fake_api, "mp-req")
    me = await Person.get(mp_openid="mp-req")
    other = await Person.create(openid="someone-else")
    for i in range(3):
        await StaffMessage.create(person=me, text=f"问题{i}")
    await StaffMessage.create(person=other, text="别人的问题")
    first = await (await api.get(f"{API}/me/requests?per_page=2", headers=bearer(token))).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["items"][0]["text"] == "问题2"
    second = await (await api.get(f"{API}/me/requests?per_page=2&page=2", headers=bearer(token))).json()
    assert [i["text"] for i in second["items"]] == ["问题0"]
    for bad in ("per_page=0", "per_page=101", "page=-1", "page=x", "colour=red"):
        response = await api.get(f"{API}/me/requests?{bad}", headers=bearer(token))
        assert response.status == 400, bad


# -- permissions --------------------------------------------------------------------------------------
ENDPOINTS = [
    ("GET", "/communities/{c}/roles", None, 200),
    ("POST", "/communities/{c}/roles", "grant", 201),
    ("DELETE", "/communities/{c}/roles/{role_id}", None, 204),
    ("POST", "/communities/{c}/invites", {"role": "volunteer"}, 201),
]


@pytest.mark.parametrize("role", list(RoleName))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize(("method", "path", "payload", "success"), ENDPOINTS)
async def test_permission_matrix(
    api: TestClient[Any, Any], role: RoleName, where: str, method: str, path: str, payload: Any, success: int
) -> None:
    own, other = await Community.get(code="xingfuli"), await Community.get(code="hepingcun")
    caller = await Person.create(openid=f"caller-{role}", name="调用者")
    await Role.create(person=caller, community=own, role=role)
    target_community = own if where == "own" else other
    subject = await Person.create(openid="subject", name="被授权人")
    existing = await Role.create(person=subject, community=target_community, role=RoleName.VOLUNTEER)
    if payload == "grant":
        payload = {"person_id": subject.id, "role": "grid_worker"}
    url = API + path.format(c=target_community.code, role_id=existing.id)
    response = await api.request(method, url, json=payload, headers=bearer(await token_for(api, caller)))
    allowed = role is RoleName.COMMITTEE and where == "own"
    assert response.status == (success if allowed else 403), await response.text()
    if not allowed:
        assert_error(await response.json(), "forbidden")
        assert await Role.exists(id=existing.id)  # nothing changed


async def test_unknown_community_and_conflicts(api: TestClient[Any, Any]) -> None:
    boss = await Person.get(openid="demo-committee")
    headers = bearer(await token_for(api, boss))
    assert (await api.get(f"{API}/communities/nowhere/roles", headers=headers)).status == 404
    grid = await Person.get(openid="demo-grid")
    twice = await api.post(
        f"{API}/communities/xingfuli/roles",
        headers=headers,
        json={"person_id": grid.id, "role": "grid_worker"},
    )
    assert twice.status == 409
    assert_error(await twice.json(), "conflict")
    nobody = await api.post(
        f"{API}/communities/xingfuli/roles", headers=headers, json={"person_id": 999_999, "role": "volunteer"}
    )
    assert nobody.status == 404
    gone = await api.delete(f"{API}/communities/xingfuli/roles/999999", headers=headers)
    assert gone.status == 404


async def test_nobody_elses_phone_number(api: TestClient[Any, Any]) -> None:
    await Person.filter(openid="demo-grid").update(phone="13812345678")
    boss = await Person.get(openid="demo-committee")
    listing = await api.get(
        f"{API}/communities/xingfuli/roles?per_page=100", headers=bearer(await token_for(api, boss))
    )
    assert listing.status == 200 and "13812345678" not in await listing.text()
    assert {item["person"]["name"] for item in (await listing.json())["items"]} >= {"张网格", "李主任"}
    grid = await Person.get(openid="demo-grid")
    own = await api.get(f"{API}/me", headers=bearer(await token_for(api, grid)))
    assert (await own.json())["phone"] == "13812345678"  # one's own number, yes


# -- the error shape everywhere, limits, the spec -----------------------------------------------------
async def test_unknown_routes_and_methods_have_the_error_shape(api: TestClient[Any, Any]) -> None:
    missing = await api.get(f"{API}/nope")
    assert missing.status == 404
    assert_error(await missing.json(), "not_found")
    wrong = await api.delete(f"{API}/me")
    assert wrong.status == 405 and set(wrong.headers["Allow"].split(",")) >= {"GET"}
    assert_error(await wrong.json(), "method_not_allowed")


async def test_too_many_requests(api: TestClient[Any, Any]) -> None:
    statuses = [(await api.get(f"{API}/me", headers=bearer("flood"))).status for _ in range(125)]
    assert statuses[:120] == [401] * 120 and statuses[-1] == 429


async def test_random_tokens_are_counted_by_address(api: TestClient[Any, Any]) -> None:
    # a different made-up token on every request used to be a fresh bucket each time: unlimited
    statuses = [(await api.get(f"{API}/me", headers=bearer(f"t{i:020d}"))).status for i in range(125)]
    assert statuses[:120] == [401] * 120 and set(statuses[120:]) == {429}


async def test_a_signed_in_person_is_counted_by_identity(api: TestClient[Any, Any]) -> None:
    grid = await Person.get(openid="demo-grid")
    tokens = [await token_for(api, grid) for _ in range(3)]  # three sessions of one person share one limit
    statuses = [(await api.get(f"{API}/me", headers=bearer(tokens[i % 3]))).status for i in range(122)]
    assert statuses[:120] == [200] * 120 and set(statuses[120:]) == {429}
    # another person from the same address is not held back by that
    committee = await Person.get(openid="demo-committee")
    assert (await api.get(f"{API}/me", headers=bearer(await token_for(api, committee)))).status == 200


async def test_logins_have_their_own_limit(api: TestClient[Any, Any], fake_api: FakeWeChatAPI) -> None:
    calls_before = len(fake_api.of("/sns/jscode2session"))
    statuses = [(await api.post(f"{API}/auth/login", json={"code": f"guess-{i}"})).status for i in range(30)]
    assert set(statuses[:20]) == {401} and set(statuses[20:]) == {429}
    assert len(fake_api.of("/sns/jscode2session")) - calls_before == 20  # no quota spent past the limit


async def test_forwarded_address_believed_only_from_a_trusted_proxy(make_sim: MakeSim) -> None:
    direct = (await make_sim("safe", api_rate_limit=3)).client
    # without a trusted proxy, a client cannot escape its limit by writing X-Forwarded-For itself
    spoofed = [
        (await direct.get(f"{API}/me", headers={"X-Forwarded-For": f"10.0.0.{i}"})).status for i in range(5)
    ]
    assert spoofed[-1] == 429
    proxied = (await make_sim("safe", api_rate_limit=3, trusted_proxies="127.0.0.1, ::1")).client
    # behind our proxy each resident is counted by the address the proxy saw
    first = [
        (await proxied.get(f"{API}/me", headers={"X-Forwarded-For": "1.2.3.4"})).status for _ in range(4)
    ]
    other = await proxied.get(f"{API}/me", headers={"X-Forwarded-For": "9.9.9.9, 5.6.7.8"})
    assert first == [401, 401, 401, 429] and other.status == 401


async def test_openapi_lists_every_route(api: TestClient[Any, Any]) -> None:
    from handlers import api_routes

    spec = await (await api.get(f"{API}/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    declared = {(r.method.lower(), API + r.path) for r in api_routes()}
    listed = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert declared == listed


async def test_my_requests_gather_every_kind_newest_first(api: TestClient[Any, Any]) -> None:
    from tests.e2e.test_tickets_api import resident

    token = await resident(api)
    me = await Person.get(openid="r1")
    await StaffMessage.create(person=me, community_id=me.community_id, text="楼下能办公交卡吗")
    posts = [
        ("/tickets", {"category": "lighting", "description": "楼道灯不亮", "client_key": "req-ticket"}),
        ("/wishes", {"description": "孩子想要几本课外书", "client_key": "req-wish-1"}),
        ("/proposals", {"text": "建议在3栋门口加装充电桩", "client_key": "req-proposal"}),
    ]
    for path, body in posts:
        assert (await api.post(f"{API}{path}", headers=bearer(token), json=body)).status == 201
    listed = await (await api.get(f"{API}/me/requests?per_page=3", headers=bearer(token))).json()
    assert listed["total"] == 4
    assert [i["kind"] for i in listed["items"]] == ["proposal", "wish", "ticket"]
    assert listed["items"][1]["status_label"] == "待社区审核" and listed["items"][1]["number"].startswith("W")
    rest = await (await api.get(f"{API}/me/requests?per_page=3&page=2", headers=bearer(token))).json()
    assert [(i["kind"], i["status_label"]) for i in rest["items"]] == [("staff_message", "待答复")]
