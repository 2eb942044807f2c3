"""Notices as whole conversations: the committee writes one step by step (now or for later, to buildings,
a grid, roles or residents with care needs), residents read them and confirm receipt with "1" or 收到."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.notices import fanout, workflow
from handlers.notices.models import Notice, NoticeAudience, NoticeReceipt, NoticeStatus
from handlers.notices.workflow import WriteNotice
from storage.models import Community, Notification, Person
from storage.outbox import ROUTINE, URGENT
from tests import grid_fixtures as fx
from tests.helpers import Chat, Clock, bound

TEXT = "因管道维修，11月25日9:00-17:00 3栋、5栋停水，请提前储水。"


async def committee(conv: Conversations) -> Chat:
    return Chat(conv, "demo-committee")


async def write(clock: Clock, **changes: object) -> Notice:
    """A notice written through the workflow (as the API does), published now unless told otherwise."""
    spec: dict[str, object] = {
        "community_id": (await Community.get(code="xingfuli")).id,
        "by": await Person.get(openid="demo-committee"),
        "title": "11月25日停水通知",
        "text": TEXT,
        "source_key": f"test:{clock.now.timestamp()}:{changes.get('title', '')}",
    }
    spec.update(changes)
    notice = await workflow.write(WriteNotice(**spec), clock.now)  # type: ignore[arg-type]
    await fanout.run_all(clock.now)  # what the outbox workers do in the background
    return notice


async def test_the_committee_writes_an_urgent_notice_step_by_step(conv: Conversations, clock: Clock) -> None:
    in_3 = await bound(conv, "resident-3", "3栋2单元502")
    in_5 = await bound(conv, "resident-5", "5栋1单元101")
    await bound(conv, "resident-1", "1栋1单元101")  # not in the audience
    chat = await committee(conv)
    await chat.run(
        [
            ("发布通知", "请输入标题"),
            ("11月25日停水通知", "请输入通知正文"),
            (TEXT, "有图片或附件吗"),
            ("不用", ["发给哪些居民", "1 全社区", "5 重点关怀居民"]),
            ("3栋和5栋", ["这条通知紧急吗", "1 紧急"]),
            ("紧急", "什么时候发布"),
            ("现在", ["需要居民回复", "2 小时后"]),
            ("需要", ["请核对", "【紧急】11月25日停水通知", "发给：3栋、5栋（目前 2 人）", "立即发布"]),
            ("1", ["已发布通知 N2611-0001", "正在发送给 2 位居民", "紧急"]),
        ]
    )
    notice = await Notice.get(title="11月25日停水通知")
    assert (notice.status, notice.urgent, notice.receipt, notice.recipients) == (
        NoticeStatus.PUBLISHED,
        True,
        True,
        2,
    )
    await fanout.run_all(clock.now)  # what the outbox workers do in the background
    rows = await Notification.filter(topic=f"notice:{notice.id}").order_by("person_id")
    assert {r.person_id for r in rows} == {
        (await Person.get(openid=c.user)).id for c in (in_3, in_5)
    }  # one row per resident of the audience, nobody else
    assert all(r.priority == URGENT and r.template == "notice" for r in rows)
    assert "【紧急通知】11月25日停水通知" in rows[0].text and '收到请回复"1"' in rows[0].text
    assert "幸福里社区" in rows[0].text


async def test_a_routine_notice_for_later_goes_out_on_the_clock(conv: Conversations, clock: Clock) -> None:
    await bound(conv, "resident-3", "3栋2单元502")
    chat = await committee(conv)
    await chat.run(
        [
            ("发通知", "标题"),
            ("党员活动日安排", "正文"),
            ("本周六上午9点在党群服务中心开展主题党日活动，请准时参加。", "附件"),
            ("https://example.org/huodong.jpg", "发给哪些居民"),
            ("1", "紧急吗"),
            ("普通", "什么时候发布"),
            ("明天上午8点", "需要居民回复"),
            (
                "不需要",
                ["发给：全社区", "11月25日（周三） 08:00", "附件/图片：https://example.org/huodong.jpg"],
            ),
            ("确认", ["已安排通知", "11月25日（周三） 08:00 发布"]),
        ]
    )
    notice = await Notice.get(title="党员活动日安排")
    assert notice.status == NoticeStatus.SCHEDULED and notice.public  # for everyone: public
    assert not await Notification.filter(topic=f"notice:{notice.id}").exists()
    clock.now += dt.timedelta(hours=22)
    await workflow.sweep(clock.now)
    assert not await Notification.filter(topic=f"notice:{notice.id}").exists()  # not yet: 07:00
    clock.now += dt.timedelta(hours=1)
    await workflow.sweep(clock.now)
    await workflow.sweep(clock.now)  # a second round (or worker) publishes nothing again
    await fanout.run_all(clock.now)
    rows = await Notification.filter(topic=f"notice:{notice.id}")
    assert len(rows) == 1 and rows[0].priority == ROUTINE
    assert (await Notice.get(id=notice.id)).status == NoticeStatus.PUBLISHED


async def test_audiences_in_the_chat_a_grid_roles_and_care_needs(conv: Conversations, clock: Clock) -> None:
    worker = await fx.staff("grid-w1", "张晓燕", "13800000001")
    await fx.grid("G1", [3, 4], worker, name="第一网格")
    await fx.grid("G2", [1, 2], name="第二网格")
    in_4 = await bound(conv, "resident-4", "4栋1单元101")
    in_1 = await bound(conv, "resident-1", "1栋1单元101")
    alone = await Person.get(openid=in_1.user)
    await fx.resident("1栋1单元101", "马奶奶", care=["lives_alone"], person=alone)
    chat = await committee(conv)
    opening = [
        ("发布通知", "标题"),
        ("燃气检修", "正文"),
        ("本周四燃气公司入户检修，请家中留人。", "附件"),
        ("跳过", "发给"),
    ]
    await chat.run([*opening, ("3", ["发给哪个网格", "1 第一网格", "2 第二网格"]), ("1", "紧急吗")])
    await chat.say("取消")
    await chat.run([*opening, ("按身份", ["1 志愿者", "3 业主"]), ("志愿者", "紧急吗")])
    await chat.say("取消")
    await chat.run(
        [
            *opening,
            ("5", ["发给哪类重点关怀居民", "独居老人"]),
            ("独居老人", "紧急吗"),
            ("2", "什么时候"),
            ("马上", "需要居民回复"),
            ("2", ["发给：重点关怀居民（独居老人）（目前 1 人）"]),
            ("1", "正在发送给 1 位居民"),
        ]
    )
    notice = await Notice.get(title="燃气检修")
    assert not notice.public  # about care needs: never public
    await fanout.run_all(clock.now)
    [row] = await Notification.filter(topic=f"notice:{notice.id}")
    assert row.person_id == alone.id and row.person_id != (await Person.get(openid=in_4.user)).id


async def test_only_the_committee_and_the_street_office_write_notices(conv: Conversations) -> None:
    await Chat(conv, "demo-volunteer").run([("发布通知", "只有社区两委或街道工作人员可以发布通知")])
    await Chat(conv, "demo-street").run([("发布通知", "请输入标题")])


async def test_a_staff_member_sees_what_became_of_the_notices(conv: Conversations, clock: Clock) -> None:
    await bound(conv, "resident-3", "3栋2单元502")
    await write(clock, receipt=True, urgent=True)
    reply = await (await committee(conv)).say("通知列表")
    assert (
        "N2611-0001 【紧急】11月25日停水通知（11月24日）：发给 1 人，已送达 0，待发送 1，已回复收到 0"
        in reply
    )


async def test_residents_read_the_notices_for_their_home(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-3", "3栋2单元502")
    await write(clock, audience=NoticeAudience.BUILDINGS, targets=(3,), title="3栋电梯检修")
    clock.now += dt.timedelta(hours=1)
    await write(clock, title="小区消杀通知", text="本周五上午对小区绿化带消杀，请关好门窗。")
    await write(clock, audience=NoticeAudience.BUILDINGS, targets=(5,), title="5栋停电通知")
    await chat.run(
        [
            (
                "通知",
                ["最近的通知公告", "1 小区消杀通知（11月24日）", "2 3栋电梯检修（11月24日）", "回复序号"],
            ),
            ("2", ["3栋电梯检修", "11月24日 发布", "因管道维修"]),
            ("最近有什么通知", "1 小区消杀通知"),
            ("消杀", "关好门窗"),
        ]
    )
    reply = await chat.say("停水通知呢")
    assert "最近的通知公告" in reply and "5栋停电通知" not in reply  # another building's stays theirs


async def test_nothing_yet_and_not_bound(conv: Conversations, clock: Clock) -> None:
    await (await bound(conv)).run([("公告", ["最近没有发给您的通知公告", '回复"报修"'])])
    await Chat(conv, "newcomer").run([("通知", ["需要先绑定", "哪个社区"])])


async def test_a_receipt_with_1_then_1_means_what_it_did(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-3", "3栋2单元502")
    notice = await write(clock, urgent=True, receipt=True)
    await chat.run([("1", '已记录您收到了"11月25日停水通知"')])
    receipt = await NoticeReceipt.get(notice=notice)
    assert (receipt.said, receipt.confirmed_at) == ("1", clock.now)
    reply = await chat.say("1")  # nothing waits now: a bare 1 is no receipt
    assert "已记录" not in reply and "没太明白" in reply
    assert await NoticeReceipt.filter(notice=notice).count() == 1


async def test_a_receipt_in_words_after_reading_it(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-3", "3栋2单元502")
    await write(clock, title="停电通知", text="明天上午停电检修。", receipt=True)
    clock.now += dt.timedelta(minutes=30)
    await write(
        clock,
        title="台风防范通知",
        text="台风今晚登陆，请收好阳台物品，非必要不外出。",
        urgent=True,
        receipt=True,
    )
    await chat.run(
        [
            ("通知", ["1 【紧急】台风防范通知（11月24日）·请回复收到", "2 停电通知（11月24日）·请回复收到"]),
            ("1", ["台风今晚登陆", '收到请回复"1"']),
            ("收到了", '已记录您收到了"台风防范通知"'),  # the one just read
            ("好的收到", '已记录您收到了"停电通知"'),
        ]
    )
    assert "已记录" not in await chat.say("收到")  # nothing waits: small talk again
    assert await NoticeReceipt.all().count() == 2


async def test_a_receipt_word_inside_a_form_is_an_answer(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-3", "3栋2单元502")
    await write(clock, urgent=True, receipt=True)
    await chat.run([("发布通知", "只有社区两委")])
    staff = await committee(conv)
    await staff.run([("发布通知", "标题"), ("收到", "请输入通知正文")])  # a title, not a receipt
    assert not await NoticeReceipt.exists()
