"""Repairs and complaints as whole conversations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.repairs.models import Ticket, TicketFollower, TicketPhoto, TicketStatus
from storage.models import Notification
from tests.helpers import Chat, Clock, bound


async def test_happy_path_from_the_bound_home(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了好几天了", ["公共照明", "3栋2单元", "1 是的"]),
            ("1", "拍张照片"),
            ("跳过", ["请核对", "类别：公共照明", "位置：3栋2单元", "描述：楼道灯坏了好几天了\n回复 1 提交"]),
            ("1", ["已提交，工单号 R2611-", "物业承诺 24 小时内处理", "我的报修"]),
            ("我的报修", ["公共照明：已提交，等待受理"]),
        ]
    )
    ticket = await Ticket.get(reporter__openid="resident-1")
    assert ticket.status is TicketStatus.SUBMITTED and ticket.place == "3栋2单元"


async def test_place_in_the_message_and_a_photo(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "拍张照片" in await chat.say("5栋电梯又停了")  # 5栋 is said: no need to ask where
    assert "照片：已附照片" in await chat.image()
    assert "工单号" in await chat.say("1")
    ticket = await Ticket.get(reporter__openid="resident-1")
    assert ticket.category == "lift" and ticket.place == "5栋"
    assert await TicketPhoto.filter(ticket=ticket).count() == 1


async def test_each_missing_piece_is_asked_and_wrong_answers_asked_again(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我要报修", ["哪一类问题", "1 公共照明"]),
            ("随便", ["序号", "1 公共照明"]),
            ("3", ["水管漏水", "1 是的"]),
            ("这个不好说", ["1 是的", "2 不是"]),
            ("2", "具体位置"),
            ("东门", "拍张照片"),
            ("这个怎么拍", "没有照片回复"),
            ("跳过", "位置：东门"),
            ("再想想", "1 提交"),
            ("2", "重新描述"),
            ("东门水管爆了，水流了一地", "描述：东门水管爆了"),
            ("1", "工单号"),
        ]
    )


async def test_a_location_message_as_the_place(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("井盖坏了", "1 是的"), ("2", "具体位置")])
    assert "拍张照片" in await chat.location(25.04, 102.71, "幸福里东门")
    await chat.run([("跳过", "位置：幸福里东门"), ("1", "工单号")])
    ticket = await Ticket.get(reporter__openid="resident-1")
    assert (ticket.latitude, ticket.longitude) == (25.04, 102.71)


async def test_cancel_half_way_files_nothing(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("取消", "已取消")])
    assert await Ticket.all().count() == 0


async def test_a_duplicate_is_offered_and_followed(conv: Conversations) -> None:
    first = await bound(conv)
    await first.run([("3栋电梯又停了", "照片"), ("跳过", "核对"), ("1", "工单号")])
    neighbour = await bound(conv, "resident-2", "3栋1单元101")
    await neighbour.run(
        [
            ("3栋电梯坏了", ["已有邻居报修", "1 关注这个工单", "2 不是同一个问题"]),
            ("1", "已为您关注"),
        ]
    )
    ticket = await Ticket.get()
    assert await Ticket.all().count() == 1
    assert await TicketFollower.filter(ticket=ticket, person__openid="resident-2").exists()
    other = await bound(conv, "resident-3", "3栋3单元301")
    await other.run([("3栋电梯坏了", "已有邻居报修"), ("2", "照片"), ("跳过", "核对"), ("1", "工单号")])
    assert await Ticket.all().count() == 2


async def test_a_road_outside_is_passed_on_by_the_grid_worker_and_12345_named(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("小区外面马路上有个大坑要报修")
    assert "是您家所在的" not in reply and "照片" in reply
    await chat.run([("跳过", "位置：小区外面马路"), ("1", ["工单号", "网格员会上报", "12345"])])
    ticket = await Ticket.get()
    assert ticket.category == "road" and ticket.handler_role == "grid_worker" and ticket.building_id is None


async def test_a_category_a_deployment_sets_as_municipal_is_not_filed(
    conv: Conversations, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers.repairs import categories as kinds

    shipped = kinds.categories()
    municipal = dict(shipped, road=dataclasses.replace(shipped["road"], handler="municipal"))
    monkeypatch.setattr(kinds, "categories", lambda: municipal)
    chat = await bound(conv)
    reply = await chat.say("小区外面马路上有个大坑要报修")
    assert shipped["road"].outside in reply
    assert await Ticket.all().count() == 0


async def test_staff_accept_resolve_then_the_resident_rates(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    number = (await Ticket.get()).number
    staff = Chat(conv, "demo-property")
    await staff.run(
        [
            ("工单", [number, "公共照明"]),
            (f"接单 {number}", "已受理"),
            (f"完成 {number} 已更换灯泡", "已处理"),
        ]
    )
    told = [n.text for n in await Notification.filter(person__openid="resident-1").order_by("id")]
    assert any("已更换灯泡" in t and "评价 5" in t for t in told)
    await chat.run([("评价 5 修得很快", "谢谢您的评价"), ("我的报修", "已办结")])
    ticket = await Ticket.get()
    assert (ticket.rating, ticket.rating_comment) == (5, "修得很快")


async def test_not_really_fixed_reopens(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    staff = Chat(conv, "demo-property")
    await staff.run([("接单 1", "已受理"), ("完成 1 已修", "已处理")])
    await chat.run([("没修好 晚上还是不亮", "重新打开"), ("我的报修", "已重新打开")])
    assert (await Ticket.get()).reopen_count == 1
    assert "待确认" in await chat.say("评价 5")  # nothing is waiting for a rating now


async def test_urge_an_overdue_ticket(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    assert "还在承诺时间内" in await chat.say("催办")
    clock.now += dt.timedelta(hours=5)
    await chat.run([("我的报修", "已超时"), ("催办", "已为您催办")])
    assert await Notification.filter(person__openid="demo-committee", text__contains="督办").count() == 1


async def test_a_noise_complaint_goes_to_the_grid_worker(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼上天天半夜一两点还在拖椅子，睡不着", ["噪音扰民", "1 是的"]),
            ("1", "照片"),
            ("跳过", "核对"),
            ("1", ["工单号", "网格员承诺 3 天内处理"]),
        ]
    )
    ticket = await Ticket.get()
    assert (ticket.kind, ticket.handler_role) == ("complaint", "grid_worker")
    assert "拖椅子" in (await Notification.get(person__openid="demo-grid")).text


async def test_reporting_before_binding_binds_first(conv: Conversations) -> None:
    chat = Chat(conv, "newcomer")
    await chat.run(
        [
            ("楼道灯坏了", ["先绑定您家的住址", "哪个社区"]),
            ("1", "门牌"),
            ("3栋2单元502", "核对"),
            ("1", ["绑定成功", "接着刚才的报修", "公共照明", "1 是的"]),  # the report carries on
            ("1", "照片"),
        ]
    )


async def test_residents_cannot_use_staff_commands(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    assert "不能处理" in await chat.say("接单 1")
    assert "工作人员的功能" in await chat.say("工单")


async def test_a_photo_first_then_the_words(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "收到照片" in await chat.image()
    await chat.run(
        [
            ("这个漏水谁管", ["水管漏水", "1 是的"]),
            ("1", ["请核对", "照片：已附照片"]),  # the photo step is skipped: it came first
            ("1", "工单号"),
        ]
    )
    assert await TicketPhoto.filter(ticket__reporter__openid="resident-1").count() == 1


async def test_duplicates_by_shared_location(conv: Conversations) -> None:
    first = await bound(conv)
    await first.run([("井盖坏了", "1 是的"), ("2", "具体位置")])
    await first.location(25.04000, 102.71000, "东门")
    await first.run([("跳过", "核对"), ("1", "工单号")])
    near = await bound(conv, "resident-2", "3栋1单元101")
    await near.run([("井盖坏了", "1 是的"), ("2", "具体位置")])
    assert "已有邻居报修" in await near.location(25.04030, 102.71020, "东门口")  # about 40 m away
    far = await bound(conv, "resident-3", "3栋3单元301")
    await far.run([("井盖坏了", "1 是的"), ("2", "具体位置")])
    assert "拍张照片" in await far.location(25.05000, 102.72000, "北门")  # over a kilometre away


async def test_a_report_in_residents_own_words_reaches_a_ticket(conv: Conversations) -> None:
    # the category named only in the answer to the list, from another kind than the list offered
    chat = await bound(conv)
    await chat.run([("报修", "哪一类问题"), ("楼梯拐角有人扔了垃圾 好几天了", "3栋2单元")])
    # the home's unit said in words, then no photo said in words
    await chat.run([("是我们单元，一楼那里", "照片"), ("没图 我不会弄", "请核对")])
    assert "没图" not in (await chat.say("提交"))
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.category == "sanitation" and "垃圾" in ticket.description
    assert "没图" not in ticket.description


async def test_another_place_answered_at_the_home_question(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("路灯不亮了", "3栋2单元"), ("是北门外面那一排", "照片"), ("跳过", "北门外面那一排")])
    await chat.say("提交")
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.building_id is None and "北门" in ticket.place


async def test_the_next_unit_of_ones_own_building(conv: Conversations) -> None:
    chat = await bound(conv)  # 3栋2单元502
    await chat.run([("楼道水管在滴水", "3栋2单元"), ("不是我们单元 是隔壁1单元", "照片"), ("跳过", "请核对")])
    await chat.say("提交")
    ticket = await Ticket.get(reporter__openid=chat.user).prefetch_related("building")
    assert ticket.building is not None and ticket.building.number == 3 and ticket.unit == 1


async def test_no_place_in_particular(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("物业电话永远没人接", "3栋2单元"), ("不是哪个地方 整个小区都这样", "照片")])


async def test_a_place_corrected_at_the_confirmation_with_a_remark_after(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("6栋1单元的楼道灯坏了", "照片"), ("跳过", "6栋1单元")])
    await chat.run([("啊不对 是6栋2单元 我记错了", "6栋2单元"), ("提交", "已提交")])
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.unit == 2


async def test_a_complaint_that_names_a_thing_to_repair_is_a_repair(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("投诉一下 那个电梯老是发出警报声 吓人")
    assert "电梯" in reply and "是哪一类问题" not in reply


async def test_a_thing_broken_is_repaired_whoever_is_blamed(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("投诉物业 单元的电梯又坏了 这周第二次")
    assert "电梯" in reply and "物业服务" not in reply
    await chat.say("取消")
    reply = await chat.say("投诉物业换个灯泡拖了一个月")  # nothing broken said: the company is the matter
    assert "物业服务" in reply


async def test_a_resident_a_step_ahead_at_the_place_question(conv: Conversations) -> None:
    # "没照片 跳过" answers the photo question not yet asked: the suggested place, no photo, the report shown
    chat = await bound(conv)
    await chat.run([("单元门禁坏了 刷卡没反应", "3栋2单元"), ("门禁拍了也看不出啥 跳过", "请核对")])
    await chat.run([("提交", "已提交")])
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.unit == 2 and ticket.category == "facility"


async def test_our_place_in_strong_words(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道灯又不亮了", "3栋2单元"), ("废话 当然是我们单元的", "照片")])


async def test_a_place_corrected_at_the_photo_question(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("6栋2单元门口的灯不亮", "照片"), ("不好意思说错了，是6栋1单元", "6栋1单元")])
    await chat.run([("提交", "已提交")])
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.unit == 1


async def test_a_category_not_named_twice_is_filed_under_the_general_one(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("报修", "哪一类问题"), ("就那个东西嘛", "没认出")])
    await chat.run([("你们来看看就知道了", ['先按"公共设施"', "3栋2单元"])])
