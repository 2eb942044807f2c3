"""The photo step of a report, where words are not the answer asked for: more words about the problem are
added to the description, a clear other request is answered with the report kept, and a plain yes after
"回复"继续"接着填写" goes on with it."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from tests.helpers import bound


async def test_words_instead_of_a_photo_describe_the_problem(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "1 是的"),
            ("1", "照片"),
            ("灯在三楼楼梯口 一闪一闪的", ["已补充到问题描述", "描述：楼道灯坏了；灯在三楼楼梯口"]),
            ("1", "工单号"),
        ]
    )
    ticket = await Ticket.filter(reporter__openid=chat.user).get()
    assert ticket.description == "楼道灯坏了；灯在三楼楼梯口 一闪一闪的"


async def test_a_yes_waits_for_the_photo_and_a_no_goes_on_without(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("好的", "请直接发送照片"), ("不方便", "核对")])


async def test_a_clear_other_request_at_the_photo_step_is_answered_and_the_report_kept(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "1 是的"),
            ("1", "照片"),
            ("社区最近有啥活动没", ["活动", "刚才的报修还没提交"]),
            ("行", "照片"),  # a plain yes after "回复"继续"接着填写"
            ("跳过", "核对"),
            ("1", "工单号"),
        ]
    )
    assert await Ticket.filter(reporter__openid=chat.user).count() == 1


async def test_a_yes_with_nothing_set_aside_is_no_resume(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("好的")
    assert "接着" not in reply and "继续" not in reply
