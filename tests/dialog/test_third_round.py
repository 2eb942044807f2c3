"""What a third round of conversations written blind found: a dialect "not" before an option, a knife named
for a fight, a fire that would happen, the words of a request kept when the resident picks from "您是想",
a message for the grid worker said with the request or announced first, and the everyday words of noise,
dogs, cars parked in the way and sheds built. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.votes.models import Ballot
from storage.models import StaffMessage
from tests.dialog.test_vote_words import LOCKERS, choices, lockers
from tests.helpers import Clock, bound

# the shipped model cannot tell a repair from a complaint here: the bot asks "您是想：1 报修 2 投诉"
UNDECIDED = "5栋消防通道停满了车"


async def _ticket(user: str) -> Ticket:
    return await Ticket.filter(reporter__openid=user).prefetch_related("building").get()


async def _each_filed_as(conv: Conversations, said: dict[str, str]) -> None:
    """Each report filed by a resident of its own (at home when asked), under the category given."""
    for number, (words, category) in enumerate(said.items()):
        chat = await bound(conv, f"r-{number}", f"3栋2单元{501 + number}")
        if "是您家所在的" in await chat.say(words):
            await chat.say("是的")
        await chat.run([("跳过", "请核对"), ("提交", "工单号")])
        assert (await _ticket(chat.user)).category == category, words


async def test_a_cantonese_not_before_an_option_is_that_option_negated(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-canton", "3栋1单元101")
    await chat.run(
        [
            ("南门快递柜我唔赞成 啲快递车会塞住条路", ["请确认", LOCKERS, '"不同意"']),
            ("系 唔同意", "已记录您家的投票：不同意"),
        ]
    )
    ballot = await Ballot.get(consultation=c)
    assert len(ballot.choices) == 1
    shanghai = await bound(conv, "r-shanghai", "3栋1单元102")
    await shanghai.run([("快递柜额投票 阿拉覅同意", ["请确认", '"不同意"']), ("对额", "不同意")])


async def test_a_knife_in_a_quarrel_is_the_police(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("楼下两个人拿着把菜刀在对骂 眼看要打起来了")
    assert "110" in reply and "120" not in reply


async def test_a_fire_that_would_trap_people_is_a_report_not_a_fire(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("对门把旧床垫堆在楼梯上 真着火了都逃不出去")
    assert "119" not in reply
    assert "楼道堆物和消防隐患" in reply or "是您家所在的" in reply
    # a fire that is burning and a way that is blocked: 119 at once
    other = await bound(conv, "r-2", "5栋1单元101")
    assert "119" in await other.say("楼道着火了跑不出去 救命")


async def test_a_pick_at_did_you_mean_keeps_what_was_said(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            (UNDECIDED, ["您是想", "报修", "投诉"]),
            ("投诉", "照片"),  # the category and the place come from the words said first
            ("跳过", ["乱停车", "5栋"]),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.category == "parking" and ticket.building.number == 5


async def test_a_place_or_a_yes_at_did_you_mean_goes_on_with_the_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元101")
    await chat.run(
        [
            (UNDECIDED, "您是想"),
            ("嗯 就是5栋门口", "照片"),  # not a change of the resident's own home
            ("没拍 交了吧", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.category == "parking" and ticket.building.number == 5
    home = await bound(conv, "r-2", "6栋1单元102")
    assert "您是想" in await home.say(UNDECIDED)
    assert "更换" not in await home.say("对")


async def test_a_message_said_with_the_request_is_left(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("您好，麻烦转达给我们的网格员：我家下周开始装修，想请她先跟楼上楼下说一声")
    assert "H" in reply
    note = await StaffMessage.get(person__openid=chat.user)
    assert "装修" in note.text


async def test_a_message_announced_is_asked_for_then_left(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我是5栋老刘家的儿子 人在外地 想给社区留个言", "请直接说说"),
            ("我爸最近老忘事 出门找不着家 麻烦网格员有空去看看他", "H"),
        ]
    )
    assert "找不着家" in (await StaffMessage.get(person__openid=chat.user)).text
    # 留言 alone from a resident leaves one; it is no staff command for them
    other = await bound(conv, "r-2", "5栋1单元101")
    assert "请直接说说" in await other.say("留言")


async def test_leave_a_message_at_did_you_mean_leaves_what_was_said(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([(UNDECIDED, "您是想"), ("留言就行 谢谢", "H")])
    assert (await StaffMessage.get(person__openid=chat.user)).text == UNDECIDED


async def test_the_everyday_words_of_complaints_find_their_category(conv: Conversations) -> None:
    said = {
        "隔壁那条狗从早到晚一直叫 我妈心脏不好受不了": "pets",
        "楼上半夜还在蹦 咚咚咚的 根本睡不了": "noise",
        "有辆小车停在路中间三天了也不挪 垃圾车都开不进来": "parking",
        "一楼那户在院子里搭了个彩钢棚子 越搭越大": "illegal_building",
        "北门值班的保安夜里老是睡觉 叫半天才开门": "property_service",
    }
    await _each_filed_as(conv, said)


async def test_a_burst_pipe_no_one_is_in_danger_from_is_a_repair_at_once(conv: Conversations) -> None:
    # the model's "emergency" set aside by content/emergency.yaml's `ordinary`: its next reading, not
    # "您是想：1 紧急求助 2 报修" (nor, before that, "没太明白")
    chat = await bound(conv)
    await chat.run(
        [
            ("车库门口有根管子爆了 水喷得到处都是", "照片"),
            ("嗯 就地下车库进口那儿", "照片"),
            ("没拍 提交", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).category == "water"


async def test_what_to_tell_the_staff_said_first_is_left(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "8栋301")
    reply = await chat.say("我是8栋301的房东 下个月有新租客住进来 得跟管出租房登记的工作人员报备一下")
    assert "H" in reply and "更换" not in reply  # a message, not a change of the landlord's home
    assert "新租客" in (await StaffMessage.get(person__openid=chat.user)).text


async def test_a_wish_called_off_at_the_name_question_is_not_filed(conv: Conversations) -> None:
    from handlers.wishes.models import Wish

    chat = await bound(conv)
    await chat.run([("想找个志愿者周六陪我去社区医院打针", "怎么称呼您")])
    await chat.say("不用了不用了 取消吧 谢谢你们")
    other = await bound(conv, "r-2", "5栋1单元101")
    await other.run([("想请志愿者帮我去药房拿个药", "怎么称呼您")])
    await other.say("等下 我女儿说下班她去拿就行")
    assert not await Wish.filter(resident__openid__in=[chat.user, other.user]).exists()


async def test_a_skip_with_hurry_at_the_photo_step_is_no_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("楼道里水管爆了 哗哗的", "是您家所在的"), ("对", "照片")])
    reply = await chat.say("跳过 水都快漫到电梯口了 快点")
    assert "120" not in reply and "请核对" in reply


async def test_a_home_denied_and_another_named_is_the_place(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋1单元101")
    await chat.run(
        [
            ("我妈跟对门为了鞋柜的事吵了好几回了 想请社区调解一下", "是您家所在的"),
            ("不是我家，我妈一个人住4栋1单元，我是她儿子", "照片"),
            ("跳过", "请核对"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert (ticket.building.number, ticket.unit) == (4, 1)
    other = await bound(conv, "r-2", "6栋1单元101")
    await other.run(
        [
            ("楼下烧烤店的烟管子正对着我家窗户 一晚上都是油烟味", "是您家所在的"),
            ("不是6栋，烧烤店在7栋底下，烟管子是从7栋那边伸出来的", "照片"),
            ("跳过", "请核对"),
            ("提交", "工单号"),
        ]
    )
    assert (await _ticket(other.user)).building.number == 7


async def test_more_everyday_words_find_their_category(conv: Conversations) -> None:
    said = {
        "我哋单元道门个闭门器坏咗 成日嘭嘭声": "facility",
        "楼上晒被子的水滴到我家阳台 跟她说了 人家还跟我吵": "dispute",
        "花坛后面有人倒了一堆装修垃圾 碎瓷砖水泥袋子都有": "sanitation",
        "有人天天喂流浪猫 现在半夜一群猫在叫": "pets",
        "楼梯间里停了好几辆自行车 防火门也被顶着关不上": "corridor",
        "物业前台那个小伙子一直玩手机 问他事情理都不理": "property_service",
        "外面的车天天停在北门口 把门堵了一半": "parking",
    }
    await _each_filed_as(conv, said)


async def test_a_late_skip_or_submit_after_filing_files_nothing_more(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("5栋楼下的垃圾桶满出来好几天了", "照片"),
            ("跳过", "请核对"),
            ("对", "工单号"),
            ("跳过 太臭了不想凑近拍", ["已经提交了", "不用再提交"]),
            ("ok 提交", "已经提交了"),
        ]
    )
    assert await Ticket.filter(reporter__openid=chat.user).count() == 1


async def test_nobody_trapped_is_no_emergency_and_a_burst_pipe_in_the_stairway_is_a_repair(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run([("帮我报个修 电梯门关不严 一直开开关关", "是您家所在的"), ("对", "照片")])
    reply = await chat.say("里面没人困 照片跳过")
    assert "96333" not in reply and "120" not in reply and "请核对" in reply
    other = await bound(conv, "r-2", "5栋1单元101")
    reply = await other.say("二楼楼道的水管爆了 水哗哗地淌")
    assert "120" not in reply and "119" not in reply


async def test_someone_in_the_lift_of_a_lift_report_is_given_the_lift_line(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.say("电梯卡在两层中间了 门打不开")
    reply = await chat.say("我和孩子在里面 按警铃没人应 救命")
    assert "96333" in reply and "请马上拨打 120" not in reply


async def test_a_change_of_mind_after_voting_names_its_option_anywhere(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋1单元101")
    await chat.run([("投票", LOCKERS), ("1", "1 同意"), ("不同意吧", "已记录您家的投票：不同意")])
    await chat.say("算了算了 改弃权 家里意见不统一 hh")
    assert (await choices(c))[-1] == [2]
    cantonese = await bound(conv, "r-2", "3栋1单元102")
    await cantonese.run([("投票", LOCKERS), ("1", "1 同意"), ("弃权", "已记录您家的投票：弃权")])
    await cantonese.say("我老公话要投同意 改咗佢啦")
    assert (await choices(c))[-1] == [0]
    # a question after voting, with 改 and an option in it, changes nothing
    await cantonese.say("改天再问问 不同意的人多吗")
    assert (await choices(c))[-1] == [0]


async def test_a_service_question_at_the_category_step_is_answered_and_the_report_kept(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run([("投诉", "是哪一类问题")])
    reply = await chat.say("对了 社区有没有托管孩子的地方 四点半课堂那种")
    assert "儿童之家" in reply and "接着刚才的" in reply and "是哪一类问题" in reply  # straight back
    # the words of a category are still the answer there
    await chat.run([("楼上天天半夜蹦迪", "噪音扰民")])


async def test_words_of_the_young_find_the_matter(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("啊啊啊 楼梯拐角有只死老鼠")
    assert "不在社区服务的范围" not in reply
    neighbours = await bound(conv, "r-2", "3栋3单元501")
    await neighbours.run(
        [("对门装了个摄像头正对着我家门口", "是您家所在的"), ("是", "照片"), ("跳过", "邻里纠纷")]
    )
    stairway = await bound(conv, "r-3", "3栋3单元502")
    await stairway.run([("我们单元楼道被人堆满了纸箱和旧沙发", "楼道堆物和消防隐患")])
    remark = await bound(conv, "r-4", "7栋1单元101")
    await remark.run([("有人把电瓶车推进楼道里充电 线从窗户拉下来的", "是您家所在的")])
    reply = await remark.say("这不是作死吗 新闻天天报")
    assert "请告诉我具体位置" not in reply


async def test_chest_pain_with_sweat_is_an_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("我老公说胸口闷得慌 满头大汗 脸色发白")
    assert "120" in reply
    # chest pain of the past, asked about: no emergency
    other = await bound(conv, "r-2", "5栋1单元101")
    assert "120" not in await other.say("上个月胸口疼住过院 现在复查去哪里挂号")


async def test_a_message_for_a_named_grid_worker_is_asked_for(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元101")  # a building with no grid worker of its own
    await chat.run([("请帮我给网格员小李留个言", "请直接说说"), ("我妈下周住院 上门走访那天家里没人", "H")])


async def test_another_option_named_at_the_confirmation_is_cast(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋1单元101")
    await chat.run(
        [
            ("快递柜那个我投同意", ["请确认", '"同意"']),
            ("等一下 家里人说不行 改票", "1 同意"),
            ("不同意 听她的", "已记录您家的投票：不同意"),
        ]
    )
    assert (await choices(c))[-1] == [1]
    asks = await bound(conv, "r-2", "3栋1单元102")
    await asks.run([("快递柜那个我投同意", "请确认"), ("不同意的话快递放哪", ['"不同意"', "请确认"])])


async def test_my_own_building_denied_at_the_photo_step_keeps_the_one_named(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元101")
    await chat.run(
        [
            ("五栋一单元那电梯又趴窝了 爬了七楼", "照片"),
            ("嗯呐 五栋一单元 不是俺们二栋的", "照片"),
            ("照片没有", "请核对"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert (ticket.building.number, ticket.unit) == (5, 1)


async def test_no_photo_said_with_the_place_is_not_asked_for(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("路灯坏了两个晚上了", "是您家所在的"), ("不是不是", "具体位置")])
    assert "请核对" in await chat.say("小广场靠东边那两个 没有照片")


async def test_a_suggestion_announced_is_asked_for(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "请说说您的建议" in await chat.say("我有个建议想跟居委会说说 可以留言吗")


async def test_a_nuisance_asked_to_stop_is_a_complaint(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("楼下的广场舞音响能不能小点声啊 天天吵到九点多")
    assert "建议" not in reply and ("噪音扰民" in reply or "是您家所在的" in reply)


async def test_a_message_asked_for_at_did_you_mean_keeps_both_lines(conv: Conversations) -> None:
    chat = await bound(conv)
    # the shipped model offers 人工服务 or 心愿墙 here (it changes with the model: any words that give a
    # "did you mean" with 人工服务 among the choices will do)
    await chat.run(
        [("想找个工作人员聊聊 当志愿者", ["您是想", "人工"]), ("对 帮我留言 工作日晚上七点后方便", "H")]
    )
    text = (await StaffMessage.get(person__openid=chat.user)).text
    assert "志愿者" in text and "七点后" in text


async def test_what_if_it_caught_fire_is_no_fire(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋1单元101")
    await chat.run([("投票", LOCKERS), ("1", "1 同意"), ("同意吧", "已记录您家的投票：同意")])
    reply = await chat.say("等下 快递柜装在我家窗户底下 电瓶车着火怎么办 还是改成不同意")
    assert "119" not in reply
    assert (await choices(c))[-1] == [1]
    # a fire that has broken out is one, asked as a question or not
    other = await bound(conv, "r-2", "5栋1单元101")
    assert "119" in await other.say("我家厨房着火了怎么办")


async def test_a_smell_of_bottled_gas_is_gas(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("一楼楼梯口一股很冲的液化气味")
    assert "燃气" in reply or "煤气" in reply


async def test_a_follow_up_question_at_did_you_mean_finds_the_entry(conv: Conversations) -> None:
    chat = await bound(conv)
    # set M's words: the question fits three entries, which are offered
    said = "你好 我弟弟是智力残疾 一直是我照顾他 今年四十了 听说有补贴 请问怎么办"
    assert "您是想了解" in await chat.say(said)
    reply = await chat.say("要先去医院做评定吗 他怕生人")
    assert "残疾人证" in reply and "微心愿" not in reply
