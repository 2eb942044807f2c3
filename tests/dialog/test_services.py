"""办事查询 as whole conversations: cards, unsure answers, browsing, office hours at fixed clock times, and
the hand-off to a person whose answer reaches the resident."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from storage.models import Notification, StaffMessage
from tests.helpers import CST, Chat, Clock, bound


async def test_a_question_gets_a_card(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("办居住证要带什么")
    # the answer first, in two short lines; the rest behind 详情 (issue 13: the whole card was a form)
    for piece in (
        "【居住证办理】\n材料：居民身份证、近期免冠照片、",
        "\n地点：幸福里小区3栋与4栋之间",
        '回复"详情"',
    ):
        assert piece in reply
    assert "回复序号" not in reply  # sure: one answer
    assert "条件：" not in reply and "办理：" not in reply and len(reply.splitlines()) == 4
    reply = await chat.say("详情")
    for piece in ("材料：居民身份证；", "\n地点：幸福里小区3栋与4栋之间", "电话：0871-65550000", "办理：1. "):
        assert piece in reply


async def test_the_community_changes_what_is_shown(conv: Conversations) -> None:
    xingfuli = await bound(conv)
    assert "0871-65550011" in await xingfuli.say("老人助餐在哪")  # the demo community's own phone
    assert "【老旧小区加装电梯】" in await xingfuli.say("老楼加装电梯怎么申请")
    village = Chat(conv, "villager")
    await village.run([("绑定", "社区"), ("2", "门牌"), ("1栋101", "核对"), ("1", "绑定成功")])
    assert "和平村便民服务站" in await village.say("社区几点下班")
    assert "儿童之家" not in await village.say("孩子放学没人带")  # removed from the village's catalog


async def test_unsure_offers_the_next_two_by_number(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("失业了能领钱吗")  # two entries nearly tied: a choice, not a guess
    assert "不太确定" in reply and "1 失业保险金申领" in reply and "2 失业登记和就业服务" in reply
    assert "【失业登记和就业服务】" in await chat.say("2")


async def test_browse_the_catalog_by_line(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("办事", ["社区可以办的事", "法律服务"]),
            ("11", ["法律服务：", "1 法律援助（12348）", "2 人民调解"]),
            ("2", "【人民调解】"),
        ]
    )


async def test_nothing_fits_says_so_and_hands_the_question_to_a_person(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("股票怎么买")  # not the community's: said plainly, a person offered all the same
    assert "帮不上忙" in reply and "12345" in reply and "12348" in reply
    assert "留言号 H0001" in await chat.say("1")
    message = await StaffMessage.get()
    assert message.text == "股票怎么买" and message.status == "open"
    assert await Notification.filter(person__openid="demo-committee", text__contains="H0001").exists()
    assert await Notification.filter(person__openid="demo-grid", text__contains="股票").exists()
    # the property company's staff see only their tickets: residents' messages are not theirs to read
    property_staff = Chat(conv, "demo-property")
    assert "H0001" not in await property_staff.say("留言")
    assert "不能答复" in await property_staff.say("答复 H0001 我们物业来答")
    staff = Chat(conv, "demo-grid")
    await staff.run(
        [
            ("留言", ["H0001 股票怎么买"]),
            ("答复 H0001 社区不提供投资建议，可以咨询正规证券公司。", "已答复"),
            ("答复 H0001 再答一次", "已经有同事答复过了"),
        ]
    )
    told = await Notification.get(person__openid="resident-1", key__startswith="staff_message:")
    assert "社区不提供投资建议" in told.text and "H0001" in told.text
    # 留言 from a resident is no list of messages: it leaves one
    assert "请直接说说您的问题" in await chat.say("留言")
    await chat.say("取消")
    assert "不能答复" in await chat.say("答复 H0001 我自己答")


async def test_the_hand_off_understands_everyday_yes_and_no(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "帮不上忙" in await chat.say("股票怎么买")
    assert "不转了" in await chat.say("不用了")
    assert await StaffMessage.all().count() == 0
    assert "帮不上忙" in await chat.say("股票怎么买")
    assert "留言号 H0001" in await chat.say("好的")


async def test_small_talk_gets_no_catalog_card(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("今天天气不错")
    assert "【" not in reply and "不太确定" not in reply


# -- office hours at fixed clock times -------------------------------------------------------------------
HOURS = [
    # (now, question, expected pieces)
    (dt.datetime(2026, 11, 24, 9, 0), "社区几点下班", ["现在正在办公", "08:30-12:00、14:00-17:30"]),
    (dt.datetime(2026, 11, 24, 12, 30), "现在开门吗", ["不在办公时间", "今天 14:00 开门"]),
    (dt.datetime(2026, 11, 24, 18, 0), "几点上班", ["不在办公时间", "明天 08:30 开门"]),
    (dt.datetime(2026, 11, 28, 10, 0), "现在开门吗", ["现在正在办公", "09:00-12:00"]),  # Saturday morning
    (dt.datetime(2026, 11, 28, 15, 0), "几点开门", ["不在办公时间", "11月30日（周一） 08:30 开门"]),
    (
        dt.datetime(2026, 11, 29, 10, 0),
        "今天上班吗",
        ["不在办公时间", "明天 08:30 开门", "今天的办公时间：不办公"],
    ),
    (
        dt.datetime(2026, 10, 2, 10, 0),
        "现在开门吗",
        ["今天是国庆节假期", "10月8日（周四） 08:30 开门", "13700000000"],
    ),
    (
        dt.datetime(2026, 10, 10, 9, 0),
        "现在开门吗",
        ["现在正在办公", "08:30-12:00、14:00-17:30"],
    ),  # 调休 Saturday
    (dt.datetime(2026, 11, 24, 9, 0), "周六上班吗", ["11月28日（周六）的办公时间：09:00-12:00"]),
    (dt.datetime(2026, 11, 24, 9, 0), "周日办公吗", ["11月29日（周日）的办公时间：不办公"]),
    (
        dt.datetime(2026, 9, 20, 9, 0),
        "国庆放假吗",
        ["国庆节假期：10月1日至10月7日", "10月8日（周四）恢复办公"],
    ),
    (dt.datetime(2026, 4, 30, 9, 0), "五一上班吗", ["劳动节假期：5月1日至5月5日", "5月6日（周三）恢复办公"]),
    (dt.datetime(2026, 9, 24, 9, 0), "明天上班吗", ["明天是中秋节假期", "休息"]),
]


@pytest.mark.parametrize(("now", "question", "expected"), HOURS)
async def test_office_hours_at_fixed_times(
    conv: Conversations, clock: Clock, now: dt.datetime, question: str, expected: list[str]
) -> None:
    chat = await bound(conv)
    clock.now = now.replace(tzinfo=CST)
    reply = await chat.say(question)
    for piece in expected:
        assert piece in reply, (question, reply)


async def test_office_hours_before_binding(conv: Conversations) -> None:
    reply = await Chat(conv, "newcomer").say("社区几点上班")
    assert "绑定" in reply and "工作日 08:30-12:00、14:00-17:30" in reply


async def test_a_puzzled_sound_is_not_taken_for_a_question(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "没太明白" in await chat.say("啊？")
    really = await chat.say("真的？")  # the model is unsure what it is: small talk or "not understood"
    assert "答不上来" not in really and "【" not in really
    assert "答不上来" in await chat.say("这个东西怎么弄啊")  # a question the catalog cannot answer


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("遗产继承怎么分", "12348 法律援助热线"),
        ("快递丢了找谁", "12315 消费投诉热线"),
        ("这个东西怎么弄啊", "12345 政务服务热线"),
    ],
)
async def test_the_right_outside_line_when_nothing_fits(
    conv: Conversations, question: str, line: str
) -> None:
    from handlers.services import search

    assert search.ask("xingfuli", question).none  # else the catalog answers it
    assert line in await (await bound(conv)).say(question)


async def test_a_question_about_the_card_just_shown(conv: Conversations) -> None:
    # "要带照片吗" after a card is about that entry, not a new question nobody can answer
    chat = await bound(conv)
    reply = await chat.say("老年卡在哪里办")
    assert "老年" in reply
    reply = await chat.say("那要带照片吗")
    assert "答不上来" not in reply and "老年" in reply and ("带" in reply or "材料" in reply)
    reply = await chat.say("要多少钱呢")
    assert "答不上来" not in reply and "老年" in reply
    # a new request after a card is not read as a question about it
    reply = await chat.say("我想去报修 楼道灯坏了")
    assert "公共照明" in reply


async def test_a_hotline_named_by_its_number_is_that_hotline_after_another_card(conv: Conversations) -> None:
    chat = await bound(conv)
    # 12348 is in one entry's name: that entry for sure, not a choice of one
    reply = await chat.say("12348是什么电话")
    assert reply.startswith("【法律援助（12348）】") and "电话：12348" in reply
    # after another card, "…是什么电话" would ask that card's phone; the number names a card of its own
    assert (await chat.say("办居住证要带什么")).startswith("【居住证办理】")
    assert (await chat.say("12345是什么电话")).startswith("【12345 政务服务便民热线】")
    assert (await chat.say("办居住证要带什么")).startswith("【居住证办理】")
    assert "0871-65550000" in await chat.say("那电话多少")  # 居住证's own phone, asked after its card
