"""Whole conversations answered in words where the bot used to accept only the digit it asked for."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.activities.models import Signup
from handlers.notices.models import Notice, NoticeStatus
from handlers.repairs.models import Ticket
from handlers.votes.models import Ballot, Consultation, PassRule, Per, Who
from handlers.wishes.models import Wish
from tests.dialog.test_activities import publish
from tests.dialog.test_votes import launch
from tests.helpers import Chat, Clock, bound


async def test_a_repair_answered_in_words(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "是您家所在的 3栋2单元"),
            ("嗯", "拍张照片"),
            ("不用了", "请核对"),
            ("提交吧", "工单号"),
        ]
    )
    assert await Ticket.filter(reporter__openid="resident-1").count() == 1


async def test_a_wish_answered_in_words(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("想找人月底前教我妈用智能手机", ["11月30日前", "称呼"]),
            ("随便", ["按默认", "已提交", "匿名"]),
        ]
    )
    wish = await Wish.get()
    assert (wish.wanted_by, wish.display_name) == (dt.date(2026, 11, 30), "")


async def test_a_wish_for_family_by_next_month_end(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("想请人帮忙修一下自行车", "为谁"),
            ("家里人，下个月底前就行", ["为谁：家人", "12月31日前", "称呼"]),
            ("不显示", "已提交"),
        ]
    )
    wish = await Wish.get()
    assert (wish.beneficiary, wish.wanted_by) == ("family", dt.date(2026, 12, 31))


async def test_a_vote_in_words(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    await chat.run(
        [
            ("投票", "回复序号"),
            ("第一个", "1 同意"),
            ("好", ["没看懂", "1 同意  2 不同意  3 弃权"]),  # a yes is no vote: the options again
            ("同意吧", "已记录您家的投票：同意"),
            ("改票", "1 同意"),
            ("我反对", "已记录您家的投票：不同意"),
        ]
    )
    assert [b.choices for b in await Ballot.filter(consultation=c).order_by("id")] == [[0], [1]]


async def test_the_committee_launch_in_words_and_option_1_is_the_whole_community(
    conv: Conversations, clock: Clock
) -> None:
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发起议事", "请输入议题标题"),
            ("小区停车收费方案", "背景"),
            ("跳过", "列出选项"),
            ("同意 不同意", ["哪些居民参与", "1 全社区  2 指定楼栋"]),
            ("1", ["怎么计票", "1 一人一票  2 一户一票"]),  # option 1: everyone, not 1栋
            ("按户", ["谁可以参与", "1 全体居民  2 仅限业主"]),
            ("只限业主", "哪天截止"),
            ("7天", "参与比例"),
            ("随便", ["按默认：不设要求", "通过的规则"]),
            (
                "三分之二",
                ["范围：全社区，仅限业主，一户一票", "截止：12月1日（周二） 20:00", "三分之二以上通过"],
            ),
            ("好的", "已发起议事"),
        ]
    )
    c = await Consultation.get()
    assert (c.buildings, c.per, c.who, c.quorum, c.rule) == (
        [],
        Per.HOUSEHOLD,
        Who.OWNERS,
        0,
        PassRule.TWO_THIRDS,
    )


async def test_the_committee_names_buildings_after_picking_option_2(conv: Conversations) -> None:
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发起议事", "请输入议题标题"),
            ("加装电梯方案", "背景"),
            ("无", "列出选项"),
            ("同意、不同意", "1 全社区"),
            ("指定楼栋", "哪几栋"),
            ("3、5", "怎么计票"),
            ("每人一票", "谁可以参与"),
            ("全体", "哪天截止"),
            ("下个月底", "参与比例"),
            ("一半", "通过的规则"),
            ("都行", ["按默认：过半数通过", "范围：3栋、5栋，全体居民，一人一票", "截止：12月31日"]),
            ("确认", "已发起议事"),
        ]
    )
    c = await Consultation.get()
    assert (c.buildings, c.per, c.who, c.rule) == ([3, 5], Per.PERSON, Who.RESIDENTS, PassRule.MAJORITY)


async def test_binding_in_words(conv: Conversations) -> None:
    chat = Chat(conv)
    await chat.run(
        [
            ("绑定", ["哪个社区", "1 幸福里社区"]),
            ("我住幸福里", "门牌号"),
            ("3栋2单元502", "请核对"),
            ("对的", "绑定成功"),
            ("绑定", "需要更换吗"),
            ("不换", "住址保持不变"),
        ]
    )


async def test_the_emergency_offer_answered_in_words(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("我爸摔倒了起不来", "回复 1 通知网格员"), ("快通知", "已通知网格员")])
    assert await Ticket.filter(category="emergency").count() == 1


async def test_the_menu_pick_in_words(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("菜单", "1 报修"), ("第一个吧", "哪一类问题")])
    await chat.run([("取消", "已取消"), ("菜单", "1 报修"), ("两", "帮您登记投诉")])


async def test_an_activity_sign_up_answered_in_everyday_words(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock)
    keen = await bound(conv, "resident-1", "3栋2单元502")
    await keen.run([("社区活动", a.number), ("1", "要报名吗"), ("好嘞，谢谢！", "报名成功")])
    busy = await bound(conv, "resident-2", "3栋2单元501")
    await busy.run([("社区活动", a.number), ("第一个吧", "要报名吗"), ("先不了", "先不报名")])
    late = await bound(conv, "resident-3", "3栋2单元601")
    await late.run([("社区活动", a.number), ("1", "要报名吗"), ("嗯嗯，可以可以", "报名成功")])
    assert await Signup.filter(activity=a).count() == 2


async def test_a_notice_for_an_afternoon_hour_written_with_a_colon(conv: Conversations, clock: Clock) -> None:
    await bound(conv, "resident-3", "3栋2单元502")
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发通知", "标题"),
            ("垃圾分类宣传", "正文"),
            ("本周六上午在小区广场开展垃圾分类宣传活动，欢迎参加。", "附件"),
            ("没有", "发给哪些居民"),
            ("1", "紧急吗"),
            ("普通", "什么时候发布"),
            ("明天下午3:30", "需要居民回复"),  # 15:30, not 03:30
            ("不用了，谢谢", "11月25日（周三） 15:30"),
            ("确认无误", "15:30 发布"),
        ]
    )
    notice = await Notice.get(title="垃圾分类宣传")
    assert notice.status == NoticeStatus.SCHEDULED
