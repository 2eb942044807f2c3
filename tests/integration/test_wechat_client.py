"""The outbound client against the fake WeChat API: one token fetch however many ask, bounded retry."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.wechat.client import WeChatAPIError, WeChatClient
from storage.kv import Store
from tests.fake_wechat_api import FakeWeChatAPI


def client_for(
    session: aiohttp.ClientSession, store: Store, api: FakeWeChatAPI, secret: str = "test-secret"
) -> WeChatClient:
    return WeChatClient(session, store, appid="wx1", secret=secret, base_url=api.base_url, timeout=2)


async def test_token_fetched_once_for_many_callers(fake_api: FakeWeChatAPI, store: Store) -> None:
    fake_api.token_delay = 0.05
    async with aiohttp.ClientSession() as session:
        # two clients stand for two worker processes sharing the store
        a, b = client_for(session, store, fake_api), client_for(session, store, fake_api)
        tokens = await asyncio.gather(*(c.access_token() for c in [a, b] * 10))
    assert len(set(tokens)) == 1
    assert len(fake_api.of("/cgi-bin/stable_token")) == 1
    assert fake_api.of("/cgi-bin/stable_token")[0].body["force_refresh"] is False


async def test_send_text_retries_once_on_token_error(fake_api: FakeWeChatAPI, store: Store) -> None:
    async with aiohttp.ClientSession() as session:
        client = client_for(session, store, fake_api)
        await client.send_text("o1", "你好")
        fake_api.fail_next = [40001]
        await client.send_text("o1", "再来一次")
        fake_api.fail_next = [40001, 40001]
        with pytest.raises(WeChatAPIError) as err:
            await client.send_text("o1", "第三次")
    assert err.value.errcode == 40001
    sends = fake_api.of("/cgi-bin/message/custom/send")
    assert [c.body["text"]["content"] for c in sends] == ["你好", "再来一次", "再来一次", "第三次", "第三次"]
    assert len(fake_api.of("/cgi-bin/stable_token")) == 3  # first, then one refresh per token error


async def test_other_errors_are_not_retried(fake_api: FakeWeChatAPI, store: Store) -> None:
    async with aiohttp.ClientSession() as session:
        client = client_for(session, store, fake_api)
        fake_api.fail_next = [45015]  # outside the 48-hour window
        with pytest.raises(WeChatAPIError) as err:
            await client.send_text("o1", "你好")
    assert err.value.errcode == 45015
    assert len(fake_api.of("/cgi-bin/message/custom/send")) == 1


async def test_secrets_never_in_errors_or_logs(
    fake_api: FakeWeChatAPI, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with aiohttp.ClientSession() as session:
        client = client_for(session, store, fake_api, secret="SUPER-SECRET-VALUE")
        with pytest.raises(WeChatAPIError) as err:
            await client.access_token()
        assert "SUPER-SECRET-VALUE" not in str(err.value)
        dead = WeChatClient(
            session,
            store,
            appid="wx1",
            secret="SUPER-SECRET-VALUE",
            base_url="http://127.0.0.1:9",
            timeout=0.5,
        )
        with pytest.raises(WeChatAPIError) as err2:
            await dead.access_token()
    assert "SUPER-SECRET-VALUE" not in str(err2.value)
    assert "SUPER-SECRET-VALUE" not in caplog.text


def mp_client(session: aiohttp.ClientSession, store: Store, api: FakeWeChatAPI) -> WeChatClient:
    return WeChatClient(
        session,
        store,
        appid="wx1",
        secret="test-secret",
        base_url=api.base_url,
        timeout=2,
        miniprogram_appid="wxmp",
        miniprogram_secret="mp-secret",
    )


async def test_jscode2session(fake_api: FakeWeChatAPI, store: Store) -> None:
    fake_api.login_codes = {"good": {"openid": "mp-o1", "unionid": "u1"}}
    async with aiohttp.ClientSession() as session:
        client = mp_client(session, store, fake_api)
        assert await client.jscode2session("good") == {
            "openid": "mp-o1",
            "unionid": "u1",
            "session_key": "SESSION-KEY-SECRET",
        }
        for bad in ("good", "never-issued"):  # a code is single-use
            with pytest.raises(WeChatAPIError) as err:
                await client.jscode2session(bad)
            assert err.value.errcode == 40029
    [first, *_] = fake_api.of("/sns/jscode2session")
    assert first.query["appid"] == "wxmp" and first.query["grant_type"] == "authorization_code"


async def test_media_download_template_and_menu(fake_api: FakeWeChatAPI, store: Store) -> None:
    fake_api.media = {"m1": b"\xff\xd8jpeg-bytes"}
    async with aiohttp.ClientSession() as session:
        client = mp_client(session, store, fake_api)
        body, kind = await client.download_media("m1")
        assert body == b"\xff\xd8jpeg-bytes" and kind == "image/jpeg"
        with pytest.raises(WeChatAPIError) as err:
            await client.download_media("expired")
        assert err.value.errcode == 40007
        with pytest.raises(WeChatAPIError):
            await client.download_media("m1", max_bytes=4)
        assert await client.send_template("o1", "TPL", {"first": "你好"}, miniprogram_page="pages/index") > 0
        await client.create_menu({"button": [{"type": "click", "name": "帮助", "key": "MENU_HELP"}]})
        await client.send_image("o1", "m1")
        await client.send_news("o1", "标题", "描述", "https://example.org")
    [template] = fake_api.of("/cgi-bin/message/template/send")
    assert template.body["miniprogram"] == {"appid": "wxmp", "pagepath": "pages/index"}
    assert template.body["data"] == {"first": {"value": "你好"}}
    assert fake_api.of("/cgi-bin/menu/create")[0].body["button"][0]["key"] == "MENU_HELP"
    kinds = [c.body["msgtype"] for c in fake_api.of("/cgi-bin/message/custom/send")]
    assert kinds == ["image", "news"]


async def test_phone_number_with_the_mini_program_token(fake_api: FakeWeChatAPI, store: Store) -> None:
    fake_api.phone_codes = {"c1": "13912345678", "c2": "13800001111"}
    async with aiohttp.ClientSession() as session:
        client = WeChatClient(
            session,
            store,
            appid="wx1",
            secret="test-secret",
            base_url=fake_api.base_url,
            miniprogram_appid="wxmp",
            miniprogram_secret="mp-secret",
        )
        await client.access_token()  # the Official Account's token is not the mini-program's
        assert await client.phone_number("c1") == "13912345678"
        fake_api.fail_next = [40001]
        assert await client.phone_number("c2") == "13800001111"  # one refresh, one retry
        with pytest.raises(WeChatAPIError) as err:
            await client.phone_number("c1")  # used
    assert err.value.errcode == 40029
    tokens = [c.query["access_token"] for c in fake_api.of("/wxa/business/getuserphonenumber")]
    assert len(tokens) == 4 and all(t.startswith("MP-") for t in tokens) and tokens[1] != tokens[2]
    assert [c.body["appid"] for c in fake_api.of("/cgi-bin/stable_token")] == ["wx1", "wxmp", "wxmp"]
