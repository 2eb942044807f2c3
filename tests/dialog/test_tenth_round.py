"""What a tenth round of conversations written blind found (sets AV and AW): thanks or a word for the staff
asked in the middle of a report or a wish, a place said with 就在 before what it is not, an e-bike charging
under the stairs told in Cantonese, a name given in one part of a longer answer, and a suggestion announced
for the director. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.common.corrections import corrected
from handlers.repairs.models import Ticket
from handlers.votes.models import Proposal
from handlers.wishes.models import Wish
from handlers.wishes.reading import Naming, naming_in
from storage.models import StaffMessage
from tests.dialog.test_seventh_round import _each_filed_as
from tests.helpers import bound


async def test_thanks_passed_on_in_the_middle_of_a_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元401")
    reply = await chat.say("上个月楼上楼下为漏水吵架，调解员来了三趟才把我们两家说和")
    if "留言号" not in reply:  # taken for a report: the next line says what it was for
        assert "留言号" in await chat.say("现在两家处得挺好的，麻烦帮我转达一下谢意")
    message = await StaffMessage.get(person__openid="r-1")
    assert "调解员" in message.text
    assert not await Ticket.filter(reporter__openid="r-1").exists()


async def test_a_report_pressed_on_someone_stays_a_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元402")
    await chat.run([("楼道灯坏了", "是您家所在的"), ("是的", "照片")])
    reply = await chat.say("帮我转告王师傅尽快来修，晚上太黑了")
    assert "留言号" not in reply
    await chat.run([("跳过", "请核对"), ("提交", "工单号")])
    assert not await StaffMessage.filter(person__openid="r-1").exists()


async def test_thanks_passed_on_in_the_middle_of_a_wish(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "3栋1单元201")
    reply = await chat.say("志愿者小刘上周陪我爸去医院拿药，楼上楼下跑了一上午")
    if "留言号" not in reply:  # taken for a wish: the next line says it was thanks
        assert "留言号" in await chat.say("帮我谢谢他，他真是个好孩子")
    message = await StaffMessage.get(person__openid="r-1")
    assert "小刘" in message.text
    assert not await Wish.filter(resident__openid="r-1").exists()


def test_a_place_said_with_jiu_zai_before_what_it_is_not() -> None:
    assert corrected("就在我们7栋楼下，垃圾房旁边，不是楼道里") == "我们7栋楼下，垃圾房旁边"


async def test_rubbish_below_the_building_not_in_the_stairway(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "7栋1单元301")
    await chat.run([("垃圾房旁边那堆垃圾好几天没人收，臭得很", "是您家所在的")])
    await chat.run([("就在我们7栋楼下，垃圾房旁边，不是楼道里", "照片"), ("不会拍", "请核对")])
    await chat.run([("提交", "工单号")])
    ticket = await Ticket.get(reporter__openid="r-1")
    assert ticket.category == "sanitation" and "楼道" not in ticket.place and ticket.unit == 0


async def test_an_e_bike_charging_under_the_stairs_told_in_cantonese(conv: Conversations) -> None:
    await _each_filed_as(conv, {"楼下有人将电单车推入楼梯底充电，拉条拖板出嚟": "corridor"}, unit="1单元402")


async def test_a_suggestion_announced_for_the_director_is_asked_for(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元301")
    assert "请说说您的建议" in await chat.say("给李主任提个建议")
    await chat.say("小花园的长椅太少了，能不能再添几张，老人遛弯走累了没地方坐")
    proposal = await Proposal.get(person__openid="r-1")
    assert "长椅" in proposal.text


def test_a_name_in_one_part_of_a_longer_answer() -> None:
    assert naming_in("我自己嘛 一个人住 写个孙就行了 孙奶奶") == Naming("name", "孙奶奶")
    assert naming_in("给我妈的 写个李就行") == Naming("surname", "李")
    assert naming_in("好的 谢谢") == Naming("shown")
    assert naming_in("不用了 谢谢你") == Naming("hidden")
