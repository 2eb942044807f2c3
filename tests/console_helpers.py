"""Signing in to the staff console as a person would: open /console, scan its QR code (WeChat posts the SCAN
event to /wechat), let the page's poll pick the session up."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient

from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim, event_xml

HTMX = {"HX-Request": "true"}


def last_scene(fake_api: FakeWeChatAPI) -> str:
    """The scene of the QR code the console made last (what WeChat puts in the scan's EventKey)."""
    assert fake_api.qr_scenes, "the console made no QR code"
    return list(fake_api.qr_scenes.values())[-1]


async def scan(sim: WeChatSim, openid: str, scene: str, *, subscribe: bool = False) -> str:
    """The person scans the code with WeChat: the event WeChat posts, and the bot's reply."""
    xml = (
        event_xml(openid, "subscribe", "qrscene_" + scene) if subscribe else event_xml(openid, "SCAN", scene)
    )
    status, raw = await sim.post(xml)
    assert status == 200, raw
    return str(sim.reply(raw).get("Content", ""))


def browser(sim: WeChatSim) -> ClientSession:
    """Another browser (its own cookies) on the same app."""
    return ClientSession(base_url=str(sim.client.make_url("")), cookie_jar=CookieJar(unsafe=True))


async def sign_in(
    client: TestClient[Any, Any] | ClientSession, sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str
) -> str:
    """Sign ``client`` in as ``openid`` by a scan; returns the chat's reply to the scan."""
    page = await client.get("/console")
    assert page.status == 200, await page.text()
    reply = await scan(sim, openid, last_scene(fake_api))
    polled = await client.get("/console/signin/status", headers=HTMX)
    assert polled.headers.get("HX-Redirect"), await polled.text()
    return reply


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
