"""What a ninth round of conversations written blind found (sets AS and AT): a place corrected to a gate
at a later step, a yes that names another unit, a photo promised for later, how long a report takes asked
in the middle of it, a "确认" after filing, staff asked to get in touch, thanks for the mediator, a report
that was only a word for the staff, how to reach the resident said after a message, and services told as
a worry (a maternity allowance, 评残 for a bedridden father). Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.common.corrections import corrected
from handlers.repairs.models import Ticket
from storage.models import StaffMessage
from tests.dialog.test_seventh_round import _each_filed_as
from tests.helpers import bound


async def test_problems_told_their_own_way_take_their_category(conv: Conversations) -> None:
    said = {
        "有辆白色SUV横在单元门口，按喇叭也没人管": "parking",
        "顶楼那户在平台上搭彩钢房，天天敲敲打打": "illegal_building",
        "五楼那家在窗户外面焊了一截铁架子伸出来": "illegal_building",
        "三楼楼道里有张旧沙法挡着路": "corridor",
    }
    await _each_filed_as(conv, said, unit="1单元402")


async def test_a_place_corrected_to_a_gate_at_the_photo_step(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.run([("南门口那个路灯杆歪了，风一吹晃得厉害", "照片")])
    reply = await chat.say("哦不对 说错了 是西门 西门进来那根")
    assert "西门" in reply and "照片" in reply
    await chat.run([("不拍了", "请核对"), ("提交", "工单号")])
    ticket = await Ticket.get(reporter__openid="r-1")
    assert "西门" in ticket.place and ticket.building_id is None  # type: ignore[attr-defined]


async def test_a_question_with_a_gate_in_it_changes_no_place(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "3栋1单元201")
    await chat.run([("我们单元门口总有电动车堵着，轮椅推不出去", "是您家所在的"), ("是的", "照片")])
    reply = await chat.say("好的。顺便问下，东门那个充电棚是不是快建好了？建好了是不是就不堵了？")
    assert "位置改为" not in reply
    await chat.run([("跳过", "请核对"), ("提交", "工单号")])
    ticket = await Ticket.get(reporter__openid="r-1")
    assert ticket.unit == 1 and "东门" not in ticket.place


async def test_a_yes_that_names_another_unit_takes_that_unit(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元301")
    await chat.run([("隔壁单元楼道的水管在渗水，地上一大滩", "是您家所在的")])
    await chat.run([("对，是6栋2单元，不是我们1单元", "照片"), ("不拍", "6栋2单元"), ("提交", "工单号")])
    ticket = await Ticket.get(reporter__openid="r-1")
    assert ticket.unit == 2 and "我们" not in ticket.place


def test_a_correction_after_a_yes_and_is_it_not_so() -> None:
    assert corrected("对，是6栋2单元，不是我们1单元") == "6栋2单元"
    assert corrected("嗯 就是8栋 不是3栋") == "8栋"
    assert corrected("建好了是不是就有地方停了") is None  # 是不是 corrects nothing


async def test_a_photo_promised_for_later_files_the_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋2单元301")
    await chat.run([("北门出去人行道上有块盖板松了，踩上去咣当响", "照片")])
    reply = await chat.say("照片晚点下楼再补拍 先这样报上去吧")
    assert "工单号" in reply
    ticket = await Ticket.get(reporter__openid="r-1")
    assert ticket.category == "road"
    assert "已经提交" in await chat.say("确认")  # said once more after filing: told it is done


async def test_how_long_it_takes_asked_in_the_middle_of_a_report(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元202")
    await chat.run([("楼道的灯不亮了", "是您家所在的"), ("是的", "照片")])
    reply = await chat.say("报了大概几天能修好啊？")
    assert "物业" in reply and "承诺" in reply and "照片" in reply
    reply = await chat.run([("跳过", "请核对")])
    reply = await chat.say("那是谁来修？")
    assert "承诺" in reply and "1 提交" in reply
    await chat.run([("提交", "工单号")])


async def test_staff_asked_to_get_in_touch_and_how_to_reach_the_resident(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋1单元301")
    reply = await chat.say("刚退休闲着，想报名当志愿者，麻烦让小张有空跟我联系一下")
    assert "留言号" in reply
    reply = await chat.say("我下午一般都在家")
    assert "补进" in reply
    message = await StaffMessage.get(person__openid="r-1")
    assert "志愿者" in message.text and "下午一般都在家" in message.text
    assert "补进" not in await chat.say("好的谢谢")
    assert await StaffMessage.filter(person__openid="r-1").count() == 1
    assert not await Ticket.filter(reporter__openid="r-1").exists()


async def test_thanks_for_the_mediator_is_a_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋1单元302")
    reply = await chat.say(
        "去年和对门因为楼道放鞋柜闹得很僵，社区调解员来了好几次才说通，现在我们两家处得挺好，"
        "帮我谢谢那位调解员"
    )
    assert "留言号" in reply
    assert not await Ticket.filter(reporter__openid="r-1").exists()


async def test_a_report_that_was_only_a_word_for_the_staff(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "1栋2单元401")
    reply = await chat.say("上周楼道灯坏了，物业王师傅当天就来换好了，修得很仔细")
    assert "帮您登记" in reply  # taken for a report: its next answer says what it was
    assert "留言号" in await chat.say("不用登记，就是想表扬一下王师傅")
    message = await StaffMessage.get(person__openid="r-1")
    assert "仔细" in message.text and "表扬" in message.text
    other = await bound(conv, "r-2", "1栋2单元402")
    await other.say("上周楼上漏水，物业王师傅冒雨来修了两趟，总算弄好了，人真不错")
    assert "留言号" in await other.say("不用登记，就是想表扬一下王师傅")  # after "您是想：…" too
    assert not await Ticket.filter(reporter__openid__in=["r-1", "r-2"]).exists()


async def test_services_told_as_a_worry(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "2栋1单元302")
    reply = await chat.say("顺产住院花了八千多，我单位一直给交着社保，这钱能报吗")
    assert "生育" in reply
    assert "生育" in await chat.say("我还在坐月子出不了门，能让我老公去办吗？")
    father = await bound(conv, "r-2", "2栋1单元303")
    reply = await father.say("我爸瘫在床上好几年了，听人说能办个本本，每个月还有点钱，是哪个本本")
    if "残疾人证" not in reply:  # not sure at once: the next question settles it
        reply = await father.say("他下不了床，可不可以上门评残？")
    assert "残疾人证" in reply
