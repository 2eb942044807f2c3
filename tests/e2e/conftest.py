from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import init_app
from bot.config import Settings
from bot.dispatcher import Router
from storage.kv import RedisStore
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import AES_KEY, APPID, TOKEN, WeChatSim

MakeSim = Callable[..., Awaitable[WeChatSim]]


@pytest.fixture
async def make_sim(
    seeded: str,
    redis_url: str,
    fake_api: FakeWeChatAPI,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[MakeSim]:
    """Start the real app (same factory as production) and a WeChat simulator for it."""
    prefix = f"cbtest:{uuid.uuid4().hex[:8]}:"

    async def make(mode: str = "safe", extra_routers: Sequence[Router] = (), **overrides: Any) -> WeChatSim:
        settings = Settings(
            wechat_token=TOKEN,
            wechat_appid=APPID,
            wechat_secret="test-secret",
            wechat_aes_key=AES_KEY if mode != "plain" else "",
            wechat_api_base=fake_api.base_url,
            database_url=seeded,
            redis_url=redis_url,
            redis_prefix=prefix,
            outbox_poll=0.05,
            # a test that is not about shedding is not refused when a loaded machine starves the loop
            shed_lag=10.0,
        )
        settings = replace(settings, **overrides).validate()
        app = init_app(
            settings, prepare=False, seed_demo=False, extra_routers=extra_routers, own_database=False
        )
        client = await aiohttp_client(app)
        return WeChatSim(client, mode=mode)

    yield make
    if redis_url:
        cleanup = RedisStore(redis_url, prefix)
        await cleanup.flush_prefix()
        await cleanup.close()
