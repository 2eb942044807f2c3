"""What a sixth round of conversations written blind found (sets AG, AH, AJ and AK): a vote named in the
middle of another dialog, a changed vote said with the command, a wish let go or kept in everyday words,
animals that make the noise, a car parked for days, water told by its sound or its stain, dangers told
calmly (a lift stopped between floors, a lock picked, a cry for help), a person asked for at the end of a
complaint, a word for the mediator, a report asked for on a parent's behalf, and the words around leaving a
message. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.wishes.models import Wish
from storage.models import StaffMessage
from tests.dialog.test_vote_words import LOCKERS, choices, lockers
from tests.helpers import Clock, bound


async def _category(user: str) -> str:
    return (await Ticket.get(reporter__openid=user)).category


async def _report(conv: Conversations, user: str, words: str, home: str) -> str:
    """File a report from its first words, answering the usual questions plainly; its category."""
    chat = await bound(conv, user, home)
    reply = await chat.say(words)
    assert "是哪一类" not in reply, (words, reply)
    if "是您家所在的" in reply or "是在" in reply:
        reply = await chat.say("是的")
    await chat.run([("跳过", "请核对"), ("提交", "工单号")])
    return await _category(user)


async def test_a_vote_named_in_the_middle_of_a_wish_is_taken_up(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.say("想发个心愿，找个志愿者周六陪我妈去医院复查")
    reply = await chat.say("等一下 快递柜那个投票我家还没投")
    assert LOCKERS in reply and "心愿" in reply  # the ballot, and the wish kept aside
    reply = await chat.say("同意")
    if "请确认" in reply:
        await chat.say("确认")
    assert await choices(c) == [[0]]


async def test_a_yes_then_a_question_about_the_vote_stays_in_the_report(
    conv: Conversations, clock: Clock
) -> None:
    await lockers(clock)
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.say("我们单元楼道的灯坏了")
    reply = await chat.say("是的。顺便问下快递柜那个投票哪天截止？")
    assert "照片" in reply and "议事" not in reply


async def test_a_changed_vote_said_with_the_command_in_another_dialog(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋1单元101")
    await chat.run([("投票", LOCKERS), ("1", "1 同意")])
    reply = await chat.say("同意")
    if "请确认" in reply:
        await chat.say("确认")
    await chat.say("楼下花坛的栏杆断了一截")
    reply = await chat.say("改票，改成弃权")
    assert "请确认" in reply and "弃权" in reply  # said back, as a vote read from words
    await chat.say("确认")
    assert (await choices(c))[-1] == [2]


async def test_a_wish_let_go_or_kept_in_everyday_words(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋2单元201")
    await chat.say("想请个志愿者帮我爷爷修修他那台老电视")
    await chat.say("不用麻烦了，我表哥说他周末过来弄")
    assert not await Wish.filter(resident__openid="r-1").exists()

    other = await bound(conv, "r-2", "4栋2单元202")
    await other.say("想发个心愿，找个大学生周末教我女儿弹吉他")
    reply = await other.say("投票的事那就算了，心愿接着发，匿名吧")
    assert "先不发布" not in reply
    if "心愿号" not in reply:
        await other.say("提交")
    assert await Wish.filter(resident__openid="r-2").exists()


async def test_category_words_of_the_sixth_round(conv: Conversations) -> None:
    said = {
        "隔壁两只狗一到晚上就叫，吵得全家睡不着": "pets",
        "门口那辆面包车已经停了三天了，把坡道挡得严严实实": "parking",
        "晚上总听到楼道里滴答滴答的，那根水管接头一直在往外渗": "water",
        "我家厨房顶上一块黄印子，摸着潮乎乎的": "water",
        "南门外面那几家烧烤摊天天烤到半夜，烟全往我们楼里飘": "fumes",
        "楼上那家半夜拖桌子，咚咚响，吵得睡不着": "noise",
    }
    for number, (words, category) in enumerate(said.items()):
        home = f"{number + 1}栋1单元502"  # one building each: no report of the same thing already there
        assert await _report(conv, f"c-{number}", words, home) == category, words


async def test_dangers_told_calmly_get_their_number(conv: Conversations) -> None:
    said = {
        "我被关在电梯里了 按铃没人理": "96333",
        "我现在在5栋的电梯里，停在三楼和四楼中间了，门打不开": "96333",
        "有个不认识的人拿着铁丝在一家一家捅门锁": "110",
        "有个人在挨家挨户拧门把手 现在就在我们这层": "110",
        "楼下那家又吵起来了，听到女的在喊救命": "110",
    }
    for number, (words, number_wanted) in enumerate(said.items()):
        chat = await bound(conv, f"e-{number}", f"5栋1单元{301 + number}")
        reply = await chat.say(words)
        assert number_wanted in reply, (words, reply)


async def test_the_same_words_told_of_the_past_or_of_a_thing_are_no_emergency(conv: Conversations) -> None:
    for number, words in enumerate(
        ("上个月我被关在电梯里半小时 到底修好没有", "单元门的门把手掉了", "有人把单元门把手拧坏了")
    ):
        chat = await bound(conv, f"p-{number}", f"5栋1单元{401 + number}")
        reply = await chat.say(words)
        assert "96333" not in reply and "110" not in reply, (words, reply)


async def test_a_person_asked_for_at_the_end_of_a_complaint(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元502")
    reply = await chat.say("楼顶漏水报了一个多月了，一个人都没来看过，跟你说也没用，我要跟真人说")
    assert "H" in reply
    assert "楼顶漏水" in (await StaffMessage.get(person__openid="r-1")).text


async def test_a_word_for_the_mediator_is_a_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元501")
    reply = await chat.say("麻烦帮我跟那个调解员说一声，我们跟楼下那家的事已经谈妥了，周五不用再去了")
    assert "H" in reply
    assert "谈妥" in (await StaffMessage.get(person__openid="r-1")).text


async def test_a_report_asked_for_on_a_parents_behalf_starts_one(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元501")
    reply = await chat.say("帮我爸报个修")
    assert "您还没有报修记录" not in reply


async def test_an_acknowledgement_is_no_message_for_the_staff(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "7栋1单元101")
    await chat.say("人工")
    reply = await chat.say("好的")
    assert "留言号" not in reply
    await chat.say("谢谢")
    other = await bound(conv, "r-2", "7栋1单元102")
    await other.run([("人工", "说说"), ("行 那我自己打电话问吧", "有需要")])
    assert not await StaffMessage.filter(person__openid__in=["r-1", "r-2"]).exists()


async def test_a_hotlines_number_asked_is_answered(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元402")
    reply = await chat.say("小区门口那个红绿灯老是坏，想反映一下，是不是要打市民热线？号码是多少？")
    assert "12345" in reply and "您是想" not in reply


async def test_a_suggestion_to_pass_on_is_a_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元401")
    reply = await chat.say("上回的灯修得快，谢谢。另外有个意见想转给李主任：小广场晚上太黑，老人看不清台阶")
    assert "留言号" in reply
    assert "台阶" in (await StaffMessage.get(person__openid="r-1")).text


async def test_catalog_words_for_a_layoff_and_for_deafness(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元403")
    reply = await chat.say("厂里裁员了，刚签了解除劳动合同，下个月起没收入了，能领点什么吗")
    assert "失业" in reply
    other = await bound(conv, "r-2", "2栋2单元404")
    reply = await other.say("我女儿从小一只耳朵听不见，人家说能办个证，去哪办")
    assert "残疾人证" in reply


async def test_trying_the_account_out_is_no_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋2单元301")
    reply = await chat.say("孙女帮我装的这个 说有事能在上面找居委会 我先试试能不能用")
    assert "能用" in reply and "留言号" not in reply
    other = await bound(conv, "r-2", "1栋2单元302")
    await other.run([("人工", "说说"), ("哦 今天没啥事了", "有需要")])
    assert not await StaffMessage.filter(person__openid__in=["r-1", "r-2"]).exists()


# guards: what a review of this round's rules found they must not do


async def test_a_cry_for_help_keeps_the_number_of_its_danger(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋1单元301")
    reply = await chat.say("楼下有个老人摔倒了起不来，一直喊救命")
    assert "120" in reply and "110" not in reply
    for number, words in enumerate(
        ("隔壁小孩玩游戏天天大喊救命，吵死了", "电梯坏了三天 老人爬楼爬得直喊救命")
    ):
        other = await bound(conv, f"n-{number}", f"5栋1单元{302 + number}")
        reply = await other.say(words)
        assert "110" not in reply and "96333" not in reply and "120" not in reply, (words, reply)


async def test_a_lift_that_shut_someone_in_before_is_no_emergency(conv: Conversations) -> None:
    for number, words in enumerate(
        ("昨天我妈被关在电梯里一个小时，物业到现在也没个说法", "电梯老是坏，上次我爸被困在电梯里半个多小时")
    ):
        chat = await bound(conv, f"l-{number}", f"6栋1单元{301 + number}")
        reply = await chat.say(words)
        assert "96333" not in reply, (words, reply)


async def test_a_message_that_mentions_calling_is_still_a_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "7栋1单元201")
    await chat.say("人工")
    reply = await chat.say("我打电话给社区一直没人接，想问一下我妈的老年卡办好了没有")
    assert "留言号" in reply


async def test_a_name_declined_politely_still_posts_the_wish(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元101")
    await chat.say("想找个志愿者周末陪我爷爷下下象棋")
    reply = await chat.say("不用麻烦了，就写匿名吧")
    if "心愿号" not in reply:
        await chat.say("提交")
    assert await Wish.filter(resident__openid="r-1").exists()
    other = await bound(conv, "r-2", "4栋1单元102")
    await other.say("想找个志愿者帮我奶奶去医院拿药")
    await other.say("算了，我还是来社区当面说吧")
    assert not await Wish.filter(resident__openid="r-2").exists()


async def test_words_of_this_round_that_must_not_move_a_report(conv: Conversations) -> None:
    said = {
        "电梯停了两天了，物业也不管": "lift",
        "楼下装修天天电钻，吵得我家狗整天叫": "noise",
    }
    for number, (words, category) in enumerate(said.items()):
        home = f"{number + 1}栋2单元602"
        assert await _report(conv, f"g-{number}", words, home) == category, words
    chat = await bound(conv, "r-1", "8栋302")
    reply = await chat.say("麻烦帮我跟王师傅说一声：楼道灯又坏了，明天能来修吗")
    assert "留言号" not in reply


async def test_a_vote_told_of_at_a_report_step_keeps_the_report(conv: Conversations, clock: Clock) -> None:
    await lockers(clock)
    chat = await bound(conv, "r-1", "2栋1单元302")
    await chat.run([("我们单元楼道的灯坏了", "是您家所在的"), ("是的", "照片")])
    reply = await chat.say("我老婆已经投过票了，没拍照")
    assert LOCKERS not in reply
