"""What a fourth round of conversations written blind found (sets P, Q and R): a yes followed by a remark
with a "not" in it, a photo given up with 算了, a wish asked for in the middle of a report, dangers that are
questions, denied or told of, the bound home named in an introduction, messages for a grid worker, and the
everyday words of leaks, benches, guards and sheds. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.votes.models import Ballot, Proposal
from handlers.wishes.models import Wish
from storage.models import StaffMessage
from tests.dialog.test_vote_words import LOCKERS, choices, lockers
from tests.helpers import Clock, bound


async def _ticket(user: str) -> Ticket:
    return await Ticket.filter(reporter__openid=user).prefetch_related("building").get()


async def _filed(chat_said: list[str], conv: Conversations, user: str, home: str = "3栋2单元502") -> Ticket:
    """Say each line, answering "是您家所在的…吗" with 是的 whenever it is asked, then file the report."""
    chat = await bound(conv, user, home)
    for said in chat_said:
        if "是您家所在的" in await chat.say(said):
            await chat.say("是的")
    if not await Ticket.filter(reporter__openid=user).exists():
        await chat.run([("跳过", "请核对"), ("提交", "工单号")])
    return await _ticket(user)


async def test_a_yes_with_a_remark_that_says_not_about_something_else_files(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.run(
        [
            ("楼上半夜还在剁肉 咚咚咚的", "是您家所在的"),
            ("是的", "照片"),
            ("跳过", "请核对"),
            ("行 叫他们晚上别再剁了", "工单号"),
        ]
    )
    other = await bound(conv, "r-2", "2栋1单元302")
    await other.run(
        [
            ("卫生间顶上一直往下滴水", "是您家所在的"),
            ("对", "照片"),
            ("跳过", "请核对"),
            ("没错 上去敲了门家里没人", "工单号"),
        ]
    )


async def test_a_yes_with_a_doubt_about_the_report_is_still_asked_again(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯不亮了", "是您家所在的"),
            ("是的", "照片"),
            ("跳过", "请核对"),
            ("对 不过楼号不对", "请回复"),
        ]
    )
    assert not await Ticket.exists()


async def test_a_photo_given_up_with_suanle_is_no_photo_not_the_report_dropped(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("单元门的闭门器坏了 门砰砰响", "是您家所在的"),
            ("是的", "照片"),
            ("视频传不上来 算了", "请核对"),
            ("提交", "工单号"),
        ]
    )
    dropped = await bound(conv, "r-2", "5栋1单元101")
    await dropped.run(
        [
            ("单元门的闭门器坏了", "是您家所在的"),
            ("是的", "照片"),
            ("师傅已经在修了 那不报了 算了", "先不报了"),
        ]
    )


async def test_the_offer_after_an_emergency_passes_another_matter_on(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv)
    await chat.run([("我妈晕倒在厨房了 叫不醒", "120")])
    reply = await chat.say("快递柜那个我投同意")
    assert "通知网格员" not in reply and "请确认" in reply
    await chat.say("对")
    assert await choices(c) == [[0]]


async def test_dangers_asked_about_denied_or_told_of_are_no_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    for said in (
        "快递柜给电池充电的时候着火了怎么办 谁来管",
        "2栋的电梯没有人关在里面 就是一直停在五楼不动",
        "我家那口子说快递柜着过火 抖音上看到的",
    ):
        reply = await chat.say(said)
        assert "通知网格员" not in reply and "请马上" not in reply, said  # no emergency's answer
        await chat.say("取消")
    assert "请马上拨打 119" in await chat.say("厨房着火了 快来人")


async def test_a_wish_asked_for_in_the_middle_of_a_report_becomes_the_wish(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("厨房的水龙头拧不紧 一直滴", "是您家所在的"),
            ("要不发个心愿吧 我八十了腿脚不便 新龙头买好了没人帮我装", ["微心愿", "怎么称呼"]),
            ("写个陈就行", "已提交"),
        ]
    )
    wish = await Wish.get()
    assert "龙头" in wish.description and "陈" in wish.display_name
    assert not await Ticket.exists()


async def test_help_asked_of_volunteers_is_a_wish_not_a_question(conv: Conversations) -> None:
    # a guard: the shipped model reads these words as a wish (set Q's, which it did not, drove WISH_ASKED)
    chat = await bound(conv)
    reply = await chat.say("马桶水箱一直哗哗流 物业说户内的不管 想请社区志愿者帮忙修一下 配件我买好了")
    assert "微心愿" in reply and "您是想" not in reply


async def test_the_bound_home_named_in_an_introduction_is_no_move(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋2单元602")
    reply = await chat.say("你好 我是4栋2单元602的住户 一个人住")
    assert "已经绑定好了" in reply and "更换" not in reply
    moving = await bound(conv, "r-2", "4栋2单元603")
    assert "更换" in await moving.say("我搬到5栋1单元101了")


async def test_the_everyday_words_of_leaks_benches_guards_and_sheds(conv: Conversations) -> None:
    said = {
        "卫生间吊顶又在渗水 楼上渗下来的": "water",
        "小花园那张长条椅子塌了一半": "facility",
        "北门保安态度太差了 不让我进还吼人": "property_service",
        "楼后面那块绿化带被人用铁皮围起来 搭了个棚屋堆东西": "illegal_building",
        "有人把电动车推进来充电 插线板就放在楼梯上": "corridor",
    }
    for number, (words, category) in enumerate(said.items()):
        ticket = await _filed([words], conv, f"r-{number}", f"3栋2单元{501 + number}")
        assert ticket.category == category, words


async def test_a_manhole_on_the_road_outside_is_the_roads(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("井盖不见了", "是您家所在的"),
            ("不是 在小区外面马路上 公交站旁边", "照片"),
            ("拍不到 天黑了", "请核对"),
            ("提交", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).category == "road"


async def test_a_suggestion_announced_to_the_community_is_asked_for(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我想跟社区提个建议", "请说说您的建议"),
            ("图书室晚上能不能开到八点 上班的人也能去", "谢谢您的建议"),
        ]
    )
    assert await Proposal.filter(text__contains="图书室").exists()


async def test_an_option_said_to_be_someone_elses_is_confirmed_first(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv)
    await chat.run(
        [
            (f"{LOCKERS} 我不同意", ["请确认", '"不同意"']),
            ("唉 我儿子非要投同意", ["请确认", '"同意"']),
        ]
    )
    assert not await Ballot.exists()
    await chat.run([("那就弃权 谁也别争了", "已记录您家的投票：弃权")])
    assert await choices(c) == [[2]]


async def test_a_greeting_with_a_picture_is_a_greeting(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("早上好🌞")
    assert "您好" in reply and "不在社区服务的范围" not in reply


async def test_a_message_for_the_grid_worker_is_taken(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "7栋1单元101")  # 7栋 has no grid worker in the demo
    await chat.run(
        [
            ("给小刘网格员留个言", "请直接说说您的问题"),
            ("租客的登记表填好了 放在北门门卫室", "已为您留言"),
        ]
    )
    other = await bound(conv, "r-2", "8栋201")
    await other.run([("请转网格员。", "请直接说说您的问题"), ("我家孙女回来常住了 要补登", "已为您留言")])
    assert await StaffMessage.filter(text__contains="补登").exists()


async def test_a_message_left_before_and_unanswered_is_left_again(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("上周在这里留了言 问老年证怎么换新的 一直没人回")
    assert "已为您留言" in reply
    assert await StaffMessage.filter(text__contains="老年证").exists()


async def test_a_place_confirmed_at_the_photo_step_is_no_move(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元502")
    await chat.run(
        [
            ("我爸住5栋1单元 他们楼道堆满了旧沙发纸箱子", "照片"),
            ("对 5栋1单元 不是我家那栋", "5栋1单元"),
            ("没照片", "照片"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert (ticket.building.number, ticket.unit) == (5, 1)


async def test_a_health_certificate_and_a_bus_route_find_where_to_go(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "健康证" in await chat.say("我在菜市场卖凉粉 说要办个健康证 去哪里办")
    await chat.say("取消")
    assert "12345" in await chat.say("公交车改线了 站点挪远了 找哪个部门反映")


async def test_a_line_added_after_filing_goes_to_what_was_filed(conv: Conversations) -> None:
    from handlers.repairs.models import TicketEvent

    chat = await bound(conv)
    await chat.run(
        [
            ("楼道里的扶手松了 一抓就晃", "是您家所在的"),
            ("是的", "照片"),
            ("没拍", "请核对"),
            ("提交", "工单号"),
            ("补充一下 是三楼到四楼那一段", ["已经补进您的报修单", "R"]),
        ]
    )
    ticket = await _ticket(chat.user)
    assert "三楼到四楼" in ticket.description
    assert await TicketEvent.filter(ticket=ticket, action="note").exists()
    await chat.run([("请帮我留言：下周二上午家里没人", "已为您留言"), ("再加一句 有事打我手机", "留言")])
    assert "打我手机" in (await StaffMessage.get(person__openid=chat.user)).text
    await chat.run(
        [("我建议小区门口装个快递驿站的指示牌", "谢谢您的建议"), ("忘了说 最好夜里也能看清", "建议")]
    )
    assert "夜里" in (await Proposal.get(person__openid=chat.user)).text


async def test_a_line_added_to_a_closed_ticket_is_not_lost_silently(conv: Conversations) -> None:
    from handlers.repairs.models import TicketStatus

    chat = await bound(conv)
    await chat.run(
        [("单元门的门禁刷不开", "是您家所在的"), ("是的", "照片"), ("没拍", "请核对"), ("提交", "工单号")]
    )
    await Ticket.filter(reporter__openid=chat.user).update(status=TicketStatus.CLOSED)
    assert "办理完了" in await chat.say("补充一下 现在好了")


async def test_a_service_question_at_the_wish_name_step_is_answered_and_the_wish_goes_on(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我外婆一个人住 平时买菜做饭都吃力", "怎么称呼"),
            ("对了 社区有没有长者食堂", ["长者食堂", "接着刚才的", "怎么称呼"]),
            ("姓黄", "已提交"),
        ]
    )
    assert (await Wish.get()).display_name.startswith("黄")


async def test_a_short_question_after_one_not_understood_finishes_it(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.say("我公公今年八十了")
    assert "高龄" in await chat.say("听说有补贴")


async def test_a_word_for_a_person_named_is_asked_for_then_left(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("我想给小李带个话", "请直接说说"), ("谢谢她上周帮我跑医保的手续", "已为您留言")])


async def test_the_stairway_or_upstairs_said_at_the_home_question_is_the_homes(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.run([("灯", "是您家所在的"), ("坏了 楼道的", "照片"), ("跳过", "请核对"), ("提交", "工单号")])
    assert ((await _ticket("r-1")).building.number, (await _ticket("r-1")).unit) == (2, 1)
    other = await bound(conv, "r-2", "6栋1单元502")
    await other.run([("隔壁在装修 电钻响一天", "是您家所在的"), ("哦不是隔壁 是楼上", "照片")])
    await other.run([("跳过", "请核对"), ("提交", "工单号")])
    ticket = await _ticket("r-2")
    assert (ticket.building.number, ticket.unit) == (6, 1)


async def test_errands_asked_for_at_the_category_question_are_a_wish(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.say("下不了楼")  # the shipped model takes it for a report: "是哪一类问题？"
    reply = await chat.say("想找人帮忙买点米和菜 一个礼拜一回就行")
    assert "微心愿" in reply
    assert not await Ticket.exists()


async def test_mediation_asked_for_mid_report_files_a_dispute(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼下那户说我家卫生间漏水到他家 天天上来敲门 我找人查过不漏", "是您家所在的"),
            ("是的 我就想请社区出个面 大家坐下来说说", "照片"),
            ("跳过", "请核对"),
            ("提交", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).category == "dispute"


async def test_no_photo_said_at_the_place_question_is_no_place(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("电梯按钮失灵了", "是您家所在的"), ("不是", "具体位置")])
    await chat.run([("没拍 手机没电了", "具体"), ("5栋1单元的电梯", "请核对")])


async def test_praise_for_the_committee_head_is_a_message(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("上周六王师傅冒雨来修好了我家楼道的灯 想表扬一下 麻烦给李主任说一声")
    assert "已为您留言" in reply
    assert await StaffMessage.filter(text__contains="表扬").exists()


async def test_questions_at_the_confirmation_and_after_voting_are_answered(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv)
    await chat.run([(f"{LOCKERS} 我同意", ["请确认", '"同意"'])])
    reply = await chat.say("快递柜晚上有灯吗")
    assert LOCKERS in reply and "请确认" in reply
    await chat.run([("还是再等等吧 我改弃权 看看别人怎么说", "已记录您家的投票：弃权")])
    voted = await bound(conv, "r-2", "3栋1单元101")
    await voted.run([(f"{LOCKERS} 我同意", "请确认"), ("对", "已记录")])
    reply = await voted.say("等一下 南门装了快递柜 快递车是不是就不进小区了")
    assert LOCKERS in reply and "1 同意" in reply
    await voted.run([("那算了 不同意", "不同意")])
    assert (await choices(c))[-1] == [1]


async def test_a_wish_asked_about_starts_a_wish(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("问一下微心愿会有人上门帮老人剪指甲吗")
    assert "微心愿" in reply and "心愿墙" not in reply


async def test_a_condition_of_years_is_no_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("我妈瘫在床上两年了 起不来床 头发长了")  # the model alone: 0.75 emergency
    assert "请马上" not in reply


async def test_a_saying_with_buguo_in_it_is_no_doubt(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("小花园的秋千链子断了", "照片"),
            ("跳过", "请核对"),
            ("确认 这都第三回了 事不过三", "工单号"),
        ]
    )


async def test_a_service_question_at_the_home_question_is_answered_but_a_yes_first_answers_it(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道里堆满了纸箱子", "是您家所在的"),
            ("社区有没有四点半课堂？孩子放学没人接", ["儿童之家", "接着刚才的", "是您家所在的"]),
            ("是的", "照片"),
        ]
    )
    other = await bound(conv, "r-2", "4栋2单元301")
    await other.run([("楼梯上堆满了旧家具", "是您家所在的"), ("对 顺便问下物业费在哪交", "照片")])
