"""What residents write, understood (issue #12): one transcript per phenomenon the rules got wrong."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from tests.helpers import Chat, bound


async def test_no_keyword_still_understood(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "没太明白" not in await chat.say("一楼大厅黑灯瞎火的")  # a repair, with no keyword the rules know
    await chat.say("取消")
    assert "不客气" in await chat.say("谢啦") or "随时" in await chat.say("谢啦")


async def test_a_greeting_does_not_decide_the_message(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("您好，请问社保卡丢了怎么补")
    assert "社保卡" in reply and "我是社区小助手" not in reply
    await chat.say("取消")
    reply = await chat.say("哈喽，卫生间漏水了")
    assert "您是想" not in reply and ("水管漏水" in reply or "报修" in reply)


async def test_a_control_word_inside_content_is_not_the_control(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("我不想取消这个报修")
    assert "取消当前操作" not in reply and "已取消" not in reply and "没有进行中的操作" not in reply


async def test_a_complaint_about_the_property_company_is_a_complaint(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("投诉物业换个灯泡拖了一个月")
    assert "物业服务" in reply and "公共照明" not in reply


async def test_an_advert_gets_no_service_card(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("上门开锁换锁，电话138xxxx5678，随叫随到")
    assert "助洁" not in reply and "【" not in reply and "帮不上忙" in reply


async def test_negation_is_heard(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("不是要报修，我就问问物业电话多少")
    assert "帮您登记报修" not in reply and "类别" not in reply


async def test_nothing_matching_gets_no_confident_unrelated_card(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("社区有什么活动可以报名")  # a weak match: asked, not a confident card
    assert "【" not in reply
    await chat.say("取消")
    reply = await chat.say("我要给社区工作打分")
    assert "失业" not in reply and "【" not in reply


async def test_unsure_means_asking_between_the_two_best(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("我选第二个方案")
    assert "议事" in reply or "投票" in reply  # a vote, not "没太明白"


async def test_an_emergency_comes_first_even_before_binding(conv: Conversations) -> None:
    stranger = Chat(conv, "not-bound-yet")
    reply = await stranger.say("6栋电梯坏了，困了人！")
    assert "96333" in reply and "绑定" not in reply
    reply = await stranger.say("我爸摔倒了起不来")
    assert "120" in reply and "没太明白" not in reply


async def test_an_emergency_can_call_the_grid_worker_with_a_top_priority_ticket(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("楼下着火了，好大的烟")
    assert "119" in reply and "回复 1 通知网格员" in reply
    reply = await chat.say("1")
    assert "已通知网格员" in reply
    ticket = await Ticket.get(category="emergency")
    assert ticket.kind == "emergency" and ticket.handler_role == "grid_worker"
    assert "着火" in ticket.description


async def test_gas_and_fights_get_their_own_numbers(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "不要开关电灯" in await chat.say("家里好大一股煤气味，怎么办")
    await chat.say("2")
    assert "110" in await chat.say("楼下有人拿刀打架了")


async def test_ordinary_words_are_no_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    for text in ["小区门口新开的火锅店怎么样", "急着办居住证要带什么", "电梯坏了好几天了", "煤气费在哪交"]:
        reply = await chat.say(text)
        assert "120" not in reply and "119" not in reply and "110" not in reply, text
        await chat.say("取消")


async def test_the_emergency_offer_is_accepted_in_words_that_sound_like_an_emergency(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    assert "回复 1 通知网格员" in await chat.say("楼下着火了，好大的烟")
    assert "已通知网格员" in await chat.say("要，快点，着火了")


async def test_a_complaint_that_starts_with_a_command_word_is_no_command(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("意见很大，物业天天不打扫楼道，垃圾堆着没人管")
    assert "留意见" not in reply and "帮您登记" in reply  # a complaint, filed as one


async def test_wanting_to_be_a_volunteer_is_no_wish(conv: Conversations) -> None:
    chat = await bound(conv)
    for said in ["我想当志愿者", "想做志愿者"]:
        reply = await chat.say(said)
        assert "心愿墙" in reply and "帮您发布一个微心愿" not in reply, said


async def test_a_break_in_gives_the_police_number(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("有个人在撬隔壁的门锁 他家没人")
    assert "110" in reply and "120" not in reply


async def test_the_number_comes_from_the_message_asked_about(conv: Conversations) -> None:
    # "您是想：1 投诉 2 紧急求助" about a message, then words that say nothing of what happened
    from handlers.emergency import workflow

    assert workflow.kind_of("我不敢出去 他还在", "楼下有人鬼鬼祟祟在门口转") == "crime"
    assert workflow.kind_of("快来", "我妈晕倒了") == "medical"


async def test_a_hurried_yes_at_a_confirmation_is_no_emergency(conv: Conversations) -> None:
    # only the model took "快点来人" for an emergency; the words hold no danger signal, and they answer
    chat = await bound(conv)
    await chat.run([("厨房水管漏水了", "3栋2单元"), ("是的", "照片"), ("跳过", "请核对")])
    reply = await chat.say("提交提交 快点来人啊")
    assert "已提交" in reply and "120" not in reply
    assert await Ticket.filter(category="emergency").count() == 0
    # a danger signal in an answer is an emergency whatever was asked
    await chat.run([("楼道灯坏了", "3栋2单元"), ("是的", "照片")])
    assert "120" in await chat.say("好的 我爸晕倒了")
