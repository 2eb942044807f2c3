"""What a seventh round of conversations written blind found (sets AM and AN): a side taken in one's own
words at a ballot, 改票 before any vote, a bare yes where a new description was asked, a person of the staff
asked for by name, a suggestion meant for someone, a fire named only to ask who answers for it, and the
words of places, things and services residents used. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from storage.models import StaffMessage
from tests.dialog.test_sixth_round import _report
from tests.dialog.test_vote_words import LOCKERS, choices, lockers
from tests.helpers import Clock, bound


async def test_a_side_taken_in_words_is_said_back_to_confirm(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "2栋1单元301")
    await chat.run([("投票", LOCKERS), ("1", "1 同意")])
    reply = await chat.say("装了好哇，包裹再也不会在楼道口丢了")
    assert "请确认" in reply and "同意" in reply
    assert await choices(c) == []  # nothing cast from these words alone
    await chat.say("是的")
    assert await choices(c) == [[0]]


async def test_a_side_against_and_a_side_once_left(conv: Conversations, clock: Clock) -> None:
    await lockers(clock)
    against = await bound(conv, "r-1", "2栋1单元302")
    await against.run([("投票", LOCKERS), ("1", "1 同意")])
    reply = await against.say("别装了，门口本来就窄，再放一排柜子人都过不去")
    assert "请确认" in reply and '投"不同意"' in reply
    changed = await bound(conv, "r-2", "2栋1单元401")
    await changed.run([("投票", LOCKERS), ("1", "1 同意")])
    reply = await changed.say("本来是反对的，听说取件不要钱，我现在支持")
    assert "请确认" in reply and '投"同意"' in reply


async def test_a_reason_that_takes_no_side_is_asked_again(conv: Conversations, clock: Clock) -> None:
    await lockers(clock)
    chat = await bound(conv, "r-1", "2栋1单元303")
    await chat.run([("投票", LOCKERS), ("1", "1 同意")])
    reply = await chat.say("我家快递一般都是放门卫那里的")
    assert "请确认" not in reply and "1 同意" in reply


async def test_changing_a_vote_never_cast_opens_the_ballot(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋1单元101")
    reply = await chat.say("重新投票")
    assert "还没有投过票" in reply and LOCKERS in reply
    mid = await bound(conv, "r-2", "3栋1单元102")
    await mid.run([("投票", LOCKERS), ("1", "1 同意"), ("早该装了，省得跑快递站", "请确认")])
    assert "1 同意" in await mid.say("改票")  # before confirming: the same ballot, to choose again
    await mid.say("不同意")
    assert await choices(c) == [[1]]


async def test_a_bare_yes_where_a_new_description_is_asked_keeps_the_old_one(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元201")
    await chat.run(
        [("单元门的闭门器坏了，门老是哐哐响", "是您家所在的"), ("是的", "照片"), ("跳过", "请核对")]
    )
    await chat.run([("2", "重新描述"), ("好滴", "请核对")])
    await chat.say("提交")
    assert "闭门器" in (await Ticket.get(reporter__openid="r-1")).description


async def test_someone_of_the_staff_asked_for_by_name(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋1单元101")
    reply = await chat.say("王书记在不在")
    assert "说说" in reply
    reply = await chat.say("上次说的老年食堂的事有消息了吗，有空回我个电话")
    assert "留言号" in reply or "H" in reply
    assert "老年食堂" in (await StaffMessage.get(person__openid="r-1")).text
    other = await bound(conv, "r-2", "5栋1单元102")
    reply = await other.say("小区在不在搞活动")
    assert "说说您的问题" not in reply


async def test_a_suggestion_meant_for_someone_is_a_message(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋1单元103")
    reply = await chat.say("灯已经修好了谢谢。还有个想法想让社区知道：健身角能不能加个遮阳棚，夏天太晒了")
    assert "留言号" in reply or "H" in reply
    assert "遮阳棚" in (await StaffMessage.get(person__openid="r-1")).text


async def test_who_answers_for_a_fire_is_asked_both_of_a_fear_and_of_a_fire(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "5栋1单元104")
    reply = await chat.say("楼下天天有人往楼道里推电瓶车，真着火了谁负责？")
    assert "119" not in reply
    for number, (said, line) in enumerate(
        {"着火了谁负责，快来人啊": "119", "电梯困人了谁负责，快来救人": "96333"}.items()
    ):  # a review found these missed by a hedge on 谁负责, since removed
        other = await bound(conv, f"r-{number + 2}", f"5栋1单元{201 + number}")
        assert line in await other.say(said), said


async def test_words_of_places_and_things_of_this_round(conv: Conversations) -> None:
    said = {
        "有辆白色的车横在我们单元门口两天了，电话也没留": "parking",
        "楼道里的灭火器不知道被谁拿走了，消防箱空的": "corridor",
        "一楼楼梯那里的地老是湿，拖干了过一会又湿": "water",
        "二楼楼道窗户玻璃碎了一大块，风一吹哐哐响": "facility",
        "南门值夜班的保安叫了半天都不开门": "property_service",
    }
    await _each_filed_as(conv, said, unit="1单元502")


async def test_service_words_of_this_round(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "6栋1单元201")
    assert "接种" in await chat.say("外孙女三个月了，该打什么针，去哪打")
    other = await bound(conv, "r-2", "6栋1单元202")
    assert "垃圾分类" in await other.say("家里一堆过期药扔哪个桶")


async def test_of_two_problems_the_one_named_to_file_is_the_report(conv: Conversations) -> None:
    first = await bound(conv, "r-1", "7栋1单元101")
    await first.run([("一楼信报箱的锁坏了，还有单元门口的灯也不亮，你们就帮我报灯吧", "公共照明")])
    photo = await bound(conv, "r-2", "7栋1单元102")
    await photo.run([("小广场的滑梯裂了个口子，长椅也松了", "照片")])
    reply = await photo.say("长椅物业上午已经拧好了，就报滑梯那个")
    assert "公共设施" in reply
    later = await bound(conv, "r-3", "7栋1单元103")
    reply = await later.say("楼上天天半夜拖凳子，单元门口的灯也坏了")
    if "噪音" not in reply:
        reply = await later.say("灯已经有人报了，这次说楼上吵的事")
    assert "噪音扰民" in reply
    guard = await bound(conv, "r-4", "7栋1单元104")
    reply = await guard.say("楼道灯坏了一个星期，上次就报了物业，一直没人来")
    assert "公共照明" in reply


async def test_a_word_for_someone_of_the_staff_by_name_is_left(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "8栋101")
    reply = await chat.say("我人在广州，我妈电话一直占线，麻烦老周有空的时候跟她说一声，让她给我回个电话")
    assert "留言号" in reply or "H" in reply
    assert "回个电话" in (await StaffMessage.get(person__openid="r-1")).text
    other = await bound(conv, "r-2", "8栋102")
    await other.say("我跟老周说过了，他说下午来看看")
    assert not await StaffMessage.filter(person__openid="r-2").exists()


async def test_words_that_take_no_side_at_the_ballot(conv: Conversations, clock: Clock) -> None:
    # found by a review: 不反对 is no 反对, declining to vote is no vote against, a place objected to is not
    # the thing, and at the list a complaint with a side word is a complaint
    await lockers(clock)
    for number, said in enumerate(["我不反对", "别搞了，我不想投", "不要装在我家楼下"]):
        chat = await bound(conv, f"r-{number}", f"4栋2单元{301 + number}")
        await chat.run([("投票", LOCKERS), ("1", "1 同意")])
        reply = await chat.say(said)
        assert '投"不同意"' not in reply, said
    listed = await bound(conv, "r-9", "4栋2单元401")
    await listed.say("投票")
    assert "请确认" not in await listed.say("我反对物业乱收停车费")


async def test_whom_a_problem_was_told_is_not_what_to_file(conv: Conversations) -> None:
    said = {
        "楼道灯坏了一个星期，早就报给物业了，一直没人来": "lighting",
        "厨房水管漏水，我先报物业那边了，他们没来": "water",
    }
    await _each_filed_as(conv, said, unit="2单元301")


async def _each_filed_as(conv: Conversations, said: dict[str, str], unit: str) -> None:
    """Each report filed from its first words takes its category (one building each: none filed before)."""
    for number, (words, category) in enumerate(said.items()):
        assert await _report(conv, f"c-{number}", words, f"{number + 1}栋{unit}") == category, words


async def test_a_new_description_after_a_no_is_taken(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "4栋1单元202")
    await chat.run([("单元门的闭门器坏了，门老是哐哐响", "是您家所在的"), ("是的", "照片")])
    await chat.say("跳过")
    await chat.run([("2", "重新描述"), ("不对，是厨房漏水", "请核对")])
    await chat.say("提交")
    ticket = await Ticket.get(reporter__openid="r-1")
    assert "漏水" in ticket.description and ticket.category == "water"


async def test_a_trade_asked_for_is_no_message_for_the_staff(conv: Conversations) -> None:
    chat = await bound(conv, "r-1", "3栋2单元201")
    reply = await chat.say("物业师傅在不在，我家水管漏了")
    assert "留言号" not in reply
    other = await bound(conv, "r-2", "3栋2单元202")
    await other.say("老楼在不在加装电梯的范围")
    assert not await StaffMessage.filter(person__openid__in=["r-1", "r-2"]).exists()
