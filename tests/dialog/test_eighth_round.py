"""What an eighth round of conversations written blind found (sets AP and AQ): problems told by their
effect, a photo given up with 算了, an acknowledgement taken for "pass it on", a calm resident stuck in a
lift, a word for the mediator, a neighbour asked to knock on a door, a consultation's subject said with 的
between its words, a household's last word at a ballot, and a place that is an office. Every example here is
written for this file."""

from __future__ import annotations

import pytest

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from storage.models import StaffMessage
from tests.dialog.test_seventh_round import _each_filed_as
from tests.dialog.test_vote_words import LOCKERS, choices, lockers
from tests.helpers import Clock, bound


async def test_things_broken_told_by_their_effect(conv: Conversations) -> None:
    said = {
        "晚上下班回来单元楼梯黑咕隆咚的，只能打着手电筒上楼": "lighting",
        "顶楼那户这几天在楼顶砌了一间房子": "illegal_building",
        "三楼楼梯拐弯堆了一大摞泡沫箱，旁边还停了辆电池鼓包的电瓶车": "corridor",
        "单元楼下那道刷卡的铁门合不上了": "facility",
    }
    await _each_filed_as(conv, said, unit="1单元402")


async def test_neighbours_told_of_by_their_effect(conv: Conversations) -> None:
    said = {
        "对门天天在家炸油条卖，我家衣服都是一股油味": "fumes",
        "楼上几个人每晚打牌到一两点，洗牌声哗啦哗啦的": "noise",
        "对门老头天天在门口骂骂咧咧，昨天差点动起手来，想请社区来说和": "dispute",
        "隔壁上班把狗关在家里，狗从早嚎到晚": "pets",
    }
    await _each_filed_as(conv, said, unit="1单元402")


async def test_a_photo_given_up_with_suan_le_keeps_the_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.run([("我们单元楼道灯坏了", "是您家所在的"), ("是的", "照片")])
    reply = await chat.say("晚上拍出来啥也看不见，算了")
    assert "不报了" not in reply and "请核对" in reply
    await chat.say("提交")
    assert (await Ticket.get(reporter__openid="r-1")).category == "lighting"


async def test_an_acknowledgement_is_not_pass_it_on(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "3栋1单元101")
    assert "答不上来" in await chat.say("这个东西怎么弄啊")
    for said in ("好的，我找房东要合同去", "好的 我回头自己跑一趟"):
        assert "留言号" not in await chat.say(said), said
    asked = await bound(conv, "r-2", "3栋1单元102")
    assert "答不上来" in await asked.say("这个东西怎么弄啊")
    assert "留言号" in await asked.say("好的 帮我转一下")
    left = await StaffMessage.filter(person__openid__in=["r-1", "r-2"])
    assert [m.text for m in left] == ["这个东西怎么弄啊"]


async def test_a_calm_resident_stuck_in_a_lift_gets_the_lift_line(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋1单元101")
    reply = await chat.say(
        "你好，麻烦问一下，我在5栋1单元的电梯里，停在半中间了，门打不开，人没事，不着急，就是问问该咋弄"
    )
    assert "96333" in reply
    other = await bound(conv, "r-2", "5栋1单元102")
    assert "96333" not in await other.say("我在电梯里看到张通知，说下周二电梯检修停一天")  # inside, no danger


async def test_words_for_the_mediator_and_a_knock_on_a_door_are_left(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元101")
    reply = await chat.say("麻烦跟调解员老师说一声，我们两家已经谈好了，下周不用再来了")
    assert "留言号" in reply
    far = await bound(conv, "r-2", "6栋1单元102")
    reply = await far.say("我在外地出差，我爸电话一直打不通，麻烦网格员去敲个门看一眼")
    assert "留言号" in reply
    assert "敲个门" in (await StaffMessage.get(person__openid="r-2")).text
    lamp = await bound(conv, "r-3", "6栋1单元103")
    reply = await lamp.say("楼道灯又坏了，麻烦网格员去看一眼")
    assert "留言号" not in reply


async def test_a_consultation_named_with_de_between_its_words(conv: Conversations, clock: Clock) -> None:
    await lockers(clock)
    chat = await bound(conv, "r-1", "2栋2单元301")
    reply = await chat.say("听说南门那边要装放快递的柜子？早该装了，包裹老是丢")
    assert LOCKERS in reply


async def test_a_households_last_word_at_the_ballot(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "2栋2单元302")
    await chat.run([("投票", LOCKERS), ("1", "1 同意")])
    await chat.say("一开始想投同意，后来觉得跟我家关系不大，我家弃权")
    assert await choices(c) == [[2]]


async def test_an_office_is_a_place_and_submit_is_none(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "7栋1单元201")
    await chat.say("物业前台那个收费的态度太差了，问个停车费就吼人")
    reply = await chat.say("不是楼里，在物业办公室")
    assert "具体位置" not in reply
    other = await bound(conv, "r-2", "7栋1单元202")
    await other.say("物业前台那个收费的态度太差了，问个停车费就吼人")
    await other.say("不是，换个位置")
    await other.say("确认提交")
    ticket = await Ticket.get(reporter__openid="r-2")
    assert "确认提交" not in ticket.place


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("孩子明年读书要个证，学校说外地的没有就不收", "residence_permit"),
        ("厂子垮了，老板把我们都遣散了，能领点钱吗", "unemployment_insurance"),
        ("我妈在外地住院花了好多钱，她在这边交的看病的保险能报吗", "resident_medical_insurance"),
        ("孩子耳朵一直听不太清，听说可以办个证，上学有照顾", "disability_card"),
    ],
)
def test_services_told_as_a_story_find_their_entry(question: str, entry: str) -> None:
    from handlers.services import search

    found = search.ask("xingfuli", question)
    assert found.sure and found.entries[0].key == entry, list(zip(found.entries, found.scores, strict=True))


# -- guards: what a review of this round found the first version doing wrong -----------------------------
@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("下水道返上来的水都是黑的", "water"),
        ("楼梯扶手松了 老人晚上摸黑下楼差点摔了", "facility"),
        ("电梯坏了三天了 晚上拿手电筒爬十八楼", "lift"),
        ("楼道水管哗啦哗啦往外流水", "water"),
        ("楼下垃圾堆了三天没人动手清", "sanitation"),
        ("楼下麻将馆门口天天停满车", "parking"),
        ("楼上装修把我家狗都吓叫了", "noise"),
        ("跟物业说和没说一样，问了也白问", "property_service"),
    ],
)
def test_words_of_this_round_take_no_other_report(said: str, category: str) -> None:
    from handlers.repairs.categories import category_in_text

    found = category_in_text(said)
    assert found is not None and found.key == category, said


async def test_a_yes_with_a_request_still_passes_the_question_on(conv: Conversations) -> None:
    for number, said in enumerate(["好 麻烦尽快", "好的 有结果告诉我", "行 那就麻烦你了"]):
        chat = await bound(conv, f"r-{number}", f"3栋2单元{101 + number}")
        assert "答不上来" in await chat.say("这个东西怎么弄啊")
        assert "留言号" in await chat.say(said), said


async def test_a_knock_on_a_door_about_a_leak_is_a_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋2单元101")
    reply = await chat.say("楼上漏水漏到我家了，家里没人，麻烦网格员去敲个门")
    assert "留言号" not in reply
    assert not await StaffMessage.filter(person__openid="r-1").exists()


async def test_someone_elses_word_does_not_settle_the_ballot(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "2栋2单元303")
    await chat.run([("投票", LOCKERS), ("1", "1 同意")])
    await chat.say("不同意 我家孩子说同意也行")
    assert await choices(c) == [[1]]


async def test_the_home_stairway_told_beside_whom_it_was_told(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "3栋2单元501")
    await chat.run([("楼道灯坏了", "是您家所在的"), ("楼道的 跟物业那边说过好几次了", "照片")])
    await chat.run([("跳过", "3栋2单元"), ("提交", "工单号")])
    other = await bound(conv, "r-2", "3栋2单元502")
    await other.run([("垃圾桶满了没人清", "是您家所在的"), ("不是，换个位置", "位置")])
    reply = await other.say("自行车棚那儿 提交吧")
    if "照片" in reply:
        reply = await other.say("跳过")
    if "请核对" in reply:
        await other.say("提交")
    ticket = await Ticket.get(reporter__openid="r-2")
    assert "自行车棚" in ticket.place


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("孩子上一年级 户口怎么迁过来", "household_registration"),
        ("公司倒闭了 欠的工资不给怎么办", "hotline_labor"),
    ],
)
def test_story_words_take_no_other_question(question: str, entry: str) -> None:
    from handlers.services import search

    found = search.ask("xingfuli", question)
    assert found.entries and found.entries[0].key == entry, question


async def test_stuck_in_a_lift_before_is_no_emergency_now(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋2单元101")
    assert "96333" not in await chat.say("我在电梯里卡住过好几次，门打不开，物业修了又坏")


async def test_a_question_at_the_category_step_was_a_service_question(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋1单元301")
    reply = await chat.say("我妈今年满八十了，听隔壁说政府每个月给老人发点钱，我们家一直没领到过")
    if "是哪一类" in reply:  # the model took the story for a complaint: the question after it tells
        reply = await chat.say("那要带啥子去办")
    assert "高龄" in reply
    laid_off = await bound(conv, "r-2", "1栋1单元302")
    reply = await laid_off.say("厂子上个月关门了，老板把我们都遣散了，听说能领点钱？")
    assert "是哪一类" in reply
    assert "失业" in await laid_off.say("要带什么材料")
    assert not await Ticket.filter(reporter__openid__in=["r-1", "r-2"]).exists()


async def test_a_question_about_a_report_keeps_the_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋1单元303")
    reply = await chat.say("楼上那家天天在家弄东西，搞得我们没法休息")
    assert "是哪一类" in reply
    reply = await chat.say("要多久才能处理？")
    assert "【" not in reply  # no catalog card: the report goes on
    await chat.run([("噪音扰民", "是您家所在的"), ("是的", "请核对"), ("提交", "工单号")])


@pytest.mark.parametrize(
    ("story", "question"),
    [
        (
            "我家闺女小时候生病耳朵烧坏了，到现在一直听不太清，啥都没给她办过，听说办了以后读书找工作都有照顾",
            "要去哪家医院做鉴定？社区能帮忙填表吗",
        ),
        (
            "我儿子小时候发烧耳朵烧坏了，一直听不太清，听人说办了以后上学就业都有照顾",
            "要去哪个医院检查？社区能帮着填表不",
        ),
    ],
)
async def test_a_question_set_aside_from_a_report_is_read_with_its_story(
    conv: Conversations, story: str, question: str
) -> None:
    chat = await bound(conv, "r-1", "1栋2单元301")
    reply = await chat.say(story)
    if "是哪一类" in reply:  # taken for a report: the question at its step is read with the story
        reply = await chat.say(question)
        assert "是哪一类" not in reply and "报修" not in reply  # the story was the question's: no report
    assert "残疾" in reply
    reply = await chat.say("好的谢谢")
    assert "是哪一类" not in reply and "报修" not in reply
    assert not await Ticket.filter(reporter__openid="r-1").exists()


async def test_trying_the_account_out_is_small_talk(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋2单元302")
    reply = await chat.say("试一下这个能不能用")
    assert "建议" not in reply and "留言号" not in reply
    await chat.say("好的谢谢")
    assert not await StaffMessage.filter(person__openid="r-1").exists()
