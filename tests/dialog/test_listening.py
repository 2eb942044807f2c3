"""Conversations that listen (issue 13): nothing already said is asked again, nothing given is lost, and a
change of mind is answered without losing what was half done."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.repairs.models import Ticket, TicketEvent, TicketPhoto, TicketStatus
from handlers.wishes.models import Wish, WishStatus
from storage.models import Notification
from tests.helpers import Chat, Clock, bound


async def _reported(chat: Chat, said: str) -> Ticket:
    await chat.run([(said, "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    return await Ticket.filter(reporter__openid=chat.user).order_by("-id").first()  # type: ignore[return-value]


async def _resolved(conv: Conversations, ticket: Ticket) -> None:
    staff = Chat(conv, "demo-property")
    await staff.run([(f"接单 {ticket.id}", "已受理"), (f"完成 {ticket.id} 已修", "已处理")])


async def test_a_request_made_before_binding_carries_on_with_everything_it_said(conv: Conversations) -> None:
    chat = Chat(conv, "newcomer")
    replies = await chat.run(
        [
            ("3栋2单元楼道的灯坏了好几天了", ["先绑定您家的住址", "哪个社区"]),
            ("幸福里", "门牌号"),
            ("就是3栋2单元502", "核对"),
            ("1", ["绑定成功", "接着刚才的报修：3栋2单元楼道的灯坏了好几天了", "拍张照片"]),
            ("跳过", ["类别：公共", "位置：3栋2单元", "描述：3栋2单元楼道的灯坏了好几天了"]),
        ]
    )
    assert "哪一类" not in replies[3] and "位置" not in replies[3]  # neither is asked again
    # a complaint keeps its kind too
    other = Chat(conv, "newcomer-2")
    await other.run(
        [
            ("投诉物业换个灯泡要收钱", "哪个社区"),
            ("1", "门牌号"),
            ("3栋1单元101", "核对"),
            ("1", ["接着刚才的投诉", "物业服务"]),
        ]
    )


async def test_a_voice_request_to_bind_binds_in_one_confirmation(conv: Conversations) -> None:
    chat = Chat(conv, "newcomer")
    reply = await chat.voice("我想绑定一下我家住在幸福里三栋二单元五零二")
    assert "请核对：幸福里社区 3栋2单元502" in reply
    assert "绑定成功" in await chat.say("1")


async def test_a_photo_at_any_step_of_a_report_is_attached(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("井盖坏了", "1 是的"), ("2", "具体位置")])
    reply = await chat.image()  # at the place step
    assert "已附在这次报修里" in reply and "具体位置" in reply and "过期" not in reply
    await chat.run([("东门", ["请核对", "照片：已附照片"]), ("1", "工单号")])  # no photo asked again
    assert await TicketPhoto.filter(ticket__reporter__openid="resident-1").count() == 1

    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", "请核对")])
    assert "照片：已附照片" in await chat.image()  # at the confirmation
    await chat.run([("1", "工单号")])
    assert await TicketPhoto.filter(ticket__reporter__openid="resident-1").count() == 2


async def test_not_fixed_applies_to_the_ticket_meant_and_takes_the_reason_that_follows(
    conv: Conversations, clock: Clock
) -> None:
    chat = await bound(conv)
    lamp = await _reported(chat, "楼道灯坏了")
    lift = await _reported(chat, "电梯坏了")
    await _resolved(conv, lamp)
    clock.now += dt.timedelta(days=2)
    await _resolved(conv, lift)  # the one just notified
    await chat.run(
        [
            ("没修好", [f"工单 {lift.number} 哪里还没修好"]),
            ("还是一直在响", "已重新打开"),
        ]
    )
    note = await TicketEvent.get(ticket_id=lift.id, action="reopen")
    assert note.note == "还是一直在响"
    assert (await Ticket.get(id=lamp.id)).status is TicketStatus.RESOLVED
    # by its number
    await _resolved(conv, await Ticket.get(id=lift.id))
    await chat.run([(f"没修好 {lamp.id} 晚上还是不亮", f"工单 {lamp.number} 已重新打开")])
    # neither just notified: a numbered choice
    await _resolved(conv, await Ticket.get(id=lamp.id))
    clock.now += dt.timedelta(days=3)
    await chat.run([("没修好", ["是哪一张", "1 R", "2 R"]), ("2", "哪里还没修好"), ("灯不亮", "已重新打开")])


async def test_a_follower_sees_the_ticket_in_my_tickets(conv: Conversations) -> None:
    first = await bound(conv)
    await first.run([("3栋电梯又停了", "照片"), ("跳过", "核对"), ("1", "工单号")])
    neighbour = await bound(conv, "resident-2", "3栋1单元101")
    await neighbour.run([("3栋电梯坏了", "1 关注这个工单"), ("1", "已为您关注")])
    assert "电梯" in await neighbour.say("我的报修")


async def test_a_wish_not_done_then_the_explanation(conv: Conversations) -> None:
    resident = await bound(conv)
    await resident.run([("希望有人周六陪我妈去医院复查", "称呼"), ("匿名", "已提交，心愿号")])
    wish = await Wish.get()
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.say(f"认领 {wish.number}")
    await volunteer.run([(f"完成心愿 {wish.number} 2小时 已陪同", "照片"), ("跳过", "已标记完成")])
    await resident.run([("心愿未实现", "还差什么"), ("医生说下周还要再去一次，想请人再陪一趟", "还没实现")])
    assert (await Wish.get(id=wish.id)).status is WishStatus.CLAIMED
    assert await Notification.filter(person__openid="demo-volunteer", text__contains="下周还要").exists()
    assert await Wish.all().count() == 1  # the explanation is not a new wish


async def test_a_correction_inside_an_answer_changes_what_it_corrects(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("希望有人周六陪我妈去医院复查", ["时间：11月28日前", "称呼"]),
            ("啊不对，月底前就行", ["时间：11月30日前", "为谁：家人（母亲）", "称呼"]),
            ("匿名", "已提交"),
        ]
    )
    assert (await Wish.get()).wanted_by == dt.date(2026, 11, 30)
    await chat.run(
        [
            ("楼道灯坏了", "1 是的"),
            ("不对，是5栋1单元", "照片"),  # the place, corrected in the answer to "your home?"
            ("跳过", "位置：5栋1单元"),
            ("不对，是6栋2单元", ["位置：6栋2单元", "类别：公共照明"]),
            ("1", "工单号"),
        ]
    )
    assert (await Ticket.get()).place == "6栋2单元"


async def test_a_change_of_mind_is_answered_and_the_report_kept(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "1 是的"),
            ("1", "拍张照片"),
            ("我的报修", ["报修", '刚才的报修还没提交，回复"继续"接着填写']),
            ("继续", "拍张照片"),
            ("帮助", ["我可以帮您", "刚才的报修还没提交"]),
            ("继续", "拍张照片"),
            ("人工", ["刚才的报修先替您留着", "转给社区工作人员"]),
            ("继续", "拍张照片"),
            ("跳过", "请核对"),
            ("投票", ["刚才的报修还没提交"]),
            ("继续", "请核对"),
            ("取消", "已取消"),
            ("继续", "没有需要继续"),
        ]
    )
    assert await Ticket.all().count() == 0


async def test_answers_in_words_a_change_of_mind_nothing_lost(conv: Conversations) -> None:
    """CONVERSATIONS.md: "Answers in words, a change of mind, nothing lost"."""
    chat = Chat(conv, "newcomer")
    await chat.run(
        [
            ("3栋2单元楼道的灯坏了好几天了", ["需要先绑定您家的住址", "哪个社区", "1 幸福里社区  2 和平村"]),
            ("幸福里", "门牌号，例如：3栋2单元502"),
            ("就是3栋2单元502", ["请核对：幸福里社区 3栋2单元502", "2 重新填写"]),
            ("对的", ["绑定成功", "接着刚才的报修：3栋2单元楼道的灯坏了", "拍张照片", '没有照片回复"跳过"']),
            ("我的报修", ['刚才的报修还没提交，回复"继续"接着填写']),
            ("继续", ["拍张照片", '没有照片回复"跳过"']),
        ]
    )


async def test_a_photo_where_words_are_asked_keeps_the_wish(conv: Conversations) -> None:
    """A photo in the middle of a wish is no "操作已经过期了": the step's question again, the draft kept."""
    chat = await bound(conv)
    await chat.run([("我想许个心愿", "请说说您的心愿")])
    reply = await chat.image()
    assert "过期" not in reply and "刚才填的都还在" in reply and "请说说您的心愿" in reply
    await chat.run([("想请人教我用智能手机挂号", ["为谁：本人", "称呼"])])
