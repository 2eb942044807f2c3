"""The staff console's core over HTTP: signing in by a scan or a code, sessions, CSRF, who may open what,
the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.core import ConsoleServices
from bot.console.server import SERVICES
from storage.models import AuditEntry, Person
from tests.console_helpers import HTMX, browser, csrf_of, last_scene, scan, sign_in
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim

HOME = "/console/home?all=1"  # the list of places (one place alone: its home is its first page)


@pytest.fixture
async def sim(make_sim: MakeSim) -> WeChatSim:
    return await make_sim("safe")


async def test_scan_signs_the_browser_in_and_sign_out_ends_it(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    client = sim.client
    page = await client.get("/console")
    assert page.status == 200 and "<svg" in await page.text()  # the QR code, drawn here
    made = fake_api.of("/cgi-bin/qrcode/create")[-1].body
    assert made["action_name"] == "QR_STR_SCENE" and made["expire_seconds"] <= 600
    waiting = await client.get("/console/signin/status", headers=HTMX)
    assert waiting.status == 200 and "HX-Redirect" not in waiting.headers
    reply = await scan(sim, "demo-committee", last_scene(fake_api))
    assert "已登录社区工作台" in reply
    polled = await client.get("/console/signin/status", headers=HTMX)
    assert polled.headers["HX-Redirect"] == "/console/home"
    cookie = polled.cookies["cb_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    home = await client.get("/console/home")
    assert home.status == 200 and "幸福里" in await home.text()
    again = await client.get("/console/signin/status", headers=HTMX)  # the sign-in is used up
    assert "HX-Redirect" not in again.headers
    signout = await client.post(
        "/console/signout",
        data={"csrf": csrf_of(await home.text())},
        headers={"Origin": str(client.make_url("")).rstrip("/")},
        allow_redirects=False,
    )
    assert signout.status == 303
    gone = await client.get("/console/home", allow_redirects=False)
    assert gone.status == 303 and gone.headers["Location"].startswith("/console?next=")
    actions = await AuditEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == ["console.signin_qr", "console.signout"]


async def test_a_resident_is_told_kindly_and_not_signed_in(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await client.get("/console")
    reply = await scan(sim, "demo-resident", last_scene(fake_api))
    assert "只对社区和街道的工作人员开放" in reply
    polled = await client.get("/console/signin/status", headers=HTMX)
    assert "HX-Redirect" not in polled.headers
    assert (await client.get("/console/home", allow_redirects=False)).status == 303
    code = await sim.say("demo-resident", "登录后台", 9001)
    assert "只对社区和街道的工作人员开放" in code


async def test_a_new_follower_scanning_is_a_follower(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    await sim.client.get("/console")
    reply = await scan(sim, "newcomer", last_scene(fake_api), subscribe=True)
    assert "只对社区和街道的工作人员开放" in reply
    assert (await Person.get(openid="newcomer")).following


async def test_a_code_from_the_chat_signs_in_once_and_wrong_codes_are_limited(
    sim: WeChatSim,
) -> None:
    client = sim.client
    origin = {"Origin": str(client.make_url("")).rstrip("/")}
    said = await sim.say("demo-property", "登录后台", 9101)
    code = "".join(ch for ch in said.split("：", 1)[1].split("\n", 1)[0] if ch.isdigit())
    assert len(code) == 8
    page = await (await client.get("/console?next=/console/home")).text()
    signed = await client.post(
        "/console/signin/code?next=/console/home",
        data={"csrf": csrf_of(page), "code": code},
        headers=origin,
        allow_redirects=False,
    )
    assert signed.status == 303 and signed.headers["Location"] == "/console/home"
    other = browser(sim)
    try:
        page = await (await other.get("/console")).text()
        reused = await other.post(
            "/console/signin/code", data={"csrf": csrf_of(page), "code": code}, headers=origin
        )
        assert reused.status == 422 and "登录码不对或已过期" in await reused.text()
        for _ in range(4):
            page = await (await other.get("/console")).text()
            await other.post(
                "/console/signin/code", data={"csrf": csrf_of(page), "code": "00000000"}, headers=origin
            )
        page = await (await other.get("/console")).text()
        limited = await other.post(
            "/console/signin/code", data={"csrf": csrf_of(page), "code": code}, headers=origin
        )
        assert "输错次数太多" in await limited.text()
    finally:
        await other.close()


async def test_actions_need_the_token_and_our_origin(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-committee")
    token = csrf_of(await (await client.get("/console/home")).text())
    ours = str(client.make_url("")).rstrip("/")
    for data, headers in (
        ({}, {"Origin": ours}),  # no token
        ({"csrf": "forged"}, {"Origin": ours}),
        ({"csrf": token}, {"Origin": "https://evil.example"}),
        ({"csrf": token}, {}),  # neither Origin nor Referer
    ):
        refused = await client.post("/console/signout", data=data, headers=headers, allow_redirects=False)
        assert refused.status == 403, (data, headers)
    assert (await client.get("/console/home")).status == 200  # still signed in
    by_header = await client.post(
        "/console/signout", headers={"Origin": ours, "X-CSRF-Token": token, **HTMX}, allow_redirects=False
    )
    assert by_header.status == 303


async def test_community_pages_follow_the_api_rules(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    await sign_in(client, sim, fake_api, "demo-property")
    assert (await client.get("/console/c/xingfuli/audit")).status == 403  # staff, not the committee
    assert (await client.get("/console/c/nowhere/audit")).status == 404
    other = browser(sim)
    try:
        await sign_in(other, sim, fake_api, "demo-hp-committee")
        assert (await other.get("/console/c/hepingcun/audit")).status == 200
        assert (await other.get("/console/c/xingfuli/audit")).status == 403  # another community's
    finally:
        await other.close()
    street = browser(sim)
    try:
        await sign_in(street, sim, fake_api, "demo-street")
        assert (await street.get("/console/c/xingfuli/audit")).status == 200
    finally:
        await street.close()
    forbidden = await AuditEntry.filter(outcome="forbidden").values_list("action", "address")
    assert ("console.audit", "127.0.0.1") in forbidden


async def test_sessions_end_when_idle_and_after_their_lifetime(
    sim: WeChatSim, fake_api: FakeWeChatAPI
) -> None:
    client: TestClient[Any, Any] = sim.client
    fresh: ConsoleServices = client.app[SERVICES]
    now = [1_000_000.0]
    fresh.wall_clock = lambda: now[0]  # the console's own clock: WeChat's signatures keep the real one
    await sign_in(client, sim, fake_api, "demo-committee")
    now[0] += fresh.settings.console_idle - 100
    assert (await client.get(HOME, allow_redirects=False)).status == 200
    now[0] += fresh.settings.console_idle - 100  # busy: the idle clock restarted at the last request
    assert (await client.get(HOME, allow_redirects=False)).status == 200
    now[0] += fresh.settings.console_idle + 1
    assert (await client.get(HOME, allow_redirects=False)).status == 303
    await sign_in(client, sim, fake_api, "demo-committee")
    step = fresh.settings.console_idle - 100
    for _ in range(fresh.settings.console_lifetime // step):  # busy all day, never idle for long
        now[0] += step
        assert (await client.get(HOME, allow_redirects=False)).status == 200
    now[0] += step  # past its lifetime however busy
    assert (await client.get(HOME, allow_redirects=False)).status == 303


async def test_sign_in_pages_ask_wechat_for_few_codes(sim: WeChatSim, fake_api: FakeWeChatAPI) -> None:
    client = sim.client
    for _ in range(3):  # reloading the page shows the same code again
        assert "<svg" in await (await client.get("/console")).text()
    assert len(fake_api.of("/cgi-bin/qrcode/create")) == 1
    for _ in range(25):  # a fresh browser each time: past the limit, the code form alone
        client.session.cookie_jar.clear()
        page = await (await client.get("/console")).text()
    assert "<svg" not in page and 'name="code"' in page
    assert len(fake_api.of("/cgi-bin/qrcode/create")) == 20
