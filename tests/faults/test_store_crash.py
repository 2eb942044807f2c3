"""A store that dies in the middle of a turn: what the turn did is still told, never "try again"."""

from __future__ import annotations

from typing import Any

from tortoise.signals import Signals, post_save

from handlers.repairs.models import Ticket
from storage.models import Person
from tests.e2e.conftest import MakeSim
from tests.faults.conftest import PrivateRedis
from tests.wechat_sim import text_xml

ids = iter(range(900_000, 999_999))


async def test_redis_crashing_after_the_ticket_is_filed_still_gives_its_number(
    make_sim: MakeSim, private_redis: PrivateRedis
) -> None:
    sim = await make_sim("safe", redis_url=private_redis.url)
    user = "o-crash"

    async def say(text: str) -> str:
        status, raw = await sim.post(text_xml(user, text, next(ids)))
        assert status == 200, raw
        return str(sim.reply(raw).get("Content", ""))

    assert "绑定成功" in await say("我住3栋2单元502") + await say("1")
    assert "1 是的" in await say("楼道灯坏了好几天了")
    assert "拍张照片" in await say("1")
    assert "请核对" in await say("跳过")

    async def crash(*_: Any, **__: Any) -> None:  # Redis dies the moment the ticket is written
        private_redis.kill()

    post_save(Ticket)(crash)
    try:
        reply = await say("1")
    finally:
        Ticket._listeners[Signals.post_save][Ticket].remove(crash)
    assert "工单号 R" in reply and "出了点问题" not in reply
    assert await Ticket.filter(reporter=await Person.get(openid=user)).count() == 1
