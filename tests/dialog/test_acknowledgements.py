"""好的, 没问题, 可以的 when nothing was asked: a kind word back, never a request guessed from them."""

from __future__ import annotations

import pytest

from bot.runtime import Conversations
from tests.helpers import bound


@pytest.mark.parametrize("said", ["没问题", "可以的", "好的", "嗯嗯", "行吧"])
async def test_an_acknowledgement_is_no_request(conv: Conversations, said: str) -> None:
    chat = await bound(conv)
    reply = await chat.say(said)
    assert "有需要随时找我" in reply
    assert "报修记录" not in reply and "心愿墙" not in reply  # 没问题 read as 我的报修, 可以的 as the board


async def test_an_acknowledgement_inside_a_question_is_still_its_answer(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("好的", "照片")])
