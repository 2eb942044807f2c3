"""Micro-wishes as whole conversations: a resident, the committee, a volunteer, and back to the resident."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.wishes.models import ClaimStatus, ServiceRecord, Wish, WishClaim, WishPhoto, WishStatus
from storage.models import Community, Notification, Person, Role, RoleName
from tests.helpers import CST, Chat, Clock, bound


async def posted(conv: Conversations) -> tuple[Chat, Wish]:
    chat = await bound(conv)
    await chat.run(
        [
            # the wish said back as understood, then how to be named, then filed (CONVERSATIONS.md)
            (
                "希望有人周六陪我妈去医院复查",
                ["帮您发布一个微心愿（助医陪护）", "为谁：家人（母亲）", "时间：11月28日前", "称呼"],
            ),
            ("匿名", ["已提交，心愿号 W2611-", "匿名"]),
        ]
    )
    return chat, await Wish.get()


async def test_a_wish_with_everything_said_at_once(conv: Conversations) -> None:
    _, wish = await posted(conv)
    assert wish.status is WishStatus.SUBMITTED
    assert wish.category == "escort" and wish.relation == "母亲"
    assert wish.wanted_by == dt.date(2026, 11, 28)  # 周六, read from Tuesday the 24th
    assert wish.display_name == ""
    assert await Notification.filter(person__openid="demo-committee", text__contains=wish.number).exists()


async def test_each_missing_piece_is_asked_and_wrong_answers_asked_again(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我想许个心愿", "请说说您的心愿"),
            ("嗯", "一句话"),
            ("想请人教用智能手机挂号", ["技能帮忙", "为谁"]),  # no "I", no family member: asked
            ("1", ["为谁：本人", "时间：不限", "怎么称呼您"]),
            ("过几天吧", "请回复您的姓"),
            ("王阿姨", ["已提交", '显示为"王阿姨"']),
        ]
    )
    wish = await Wish.get()
    assert (wish.category, wish.beneficiary, wish.display_name, wish.wanted_by) == (
        "skills",
        "self",
        "王阿姨",
        None,
    )


async def test_a_confirmation_where_the_resident_has_not_seen_it_all(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我想许个心愿", "请说说您的心愿"),
            ("想请人教用智能手机挂号", "为谁"),
            # the name said instead of for whom: for whom guessed in the same turn, so shown before filing
            ("叫我王阿姨", ["先按为您本人", "为谁：本人", "显示为：王阿姨", "1 提交"]),
            ("让我想想", "1 提交"),
            ("2", "请说说您的心愿"),
            # a description given again, the name kept: shown before filing
            ("孩子想要几本课外书，12月5日前", ["助学辅导", "为谁：家人（孩子）", "12月5日前", "王阿姨"]),
            ("1", "已提交"),
        ]
    )
    wish = await Wish.get()
    assert (wish.category, wish.display_name, wish.wanted_by) == ("study", "王阿姨", dt.date(2026, 12, 5))


async def test_a_date_that_passed_before_the_confirmation_is_asked_again(
    conv: Conversations, clock: Clock
) -> None:
    """Drafted for 今天 at 23:50, confirmed after midnight: the resident hears why and gives another date;
    the rest of the draft is kept, and the error sentence is never said."""
    clock.now = dt.datetime(2026, 11, 24, 23, 50, tzinfo=CST)
    chat = await bound(conv)
    await chat.run(
        [("希望今天有人陪我妈去医院复查", ["助医陪护", "为谁：家人（母亲）", "时间：11月24日前", "称呼"])]
    )
    clock.now += dt.timedelta(minutes=20)  # 00:10 on the 25th
    replies = await chat.run(
        [
            ("匿名", ["日期已经过去", "什么时候之前"]),
            ("1", "没看懂这个日期"),  # still at the date step: not the error sentence, not a new wish
            ("周六", ["陪我妈去医院复查", "为谁：家人（母亲）", "时间：11月28日前", "显示为：一位居民"]),
            ("1", "已提交"),
        ]
    )
    assert not any("出了点问题" in reply for reply in replies)
    wish = await Wish.get()
    assert (wish.wanted_by, wish.relation, wish.display_name) == (dt.date(2026, 11, 28), "母亲", "")


async def test_personal_data_is_kept_off_the_board_and_noted(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            (
                "孩子想要几本课外书，送到3栋2单元502，电话13812345678",
                ["助学辅导", "心愿墙上不会显示", "称呼"],
            ),
            ("匿名", "已提交"),
        ]
    )
    wish = await Wish.get()
    assert "13812345678" in wish.description
    assert "13812345678" not in wish.public_text and "502" not in wish.public_text
    assert set(wish.flags) == {"phone", "address"}


async def test_the_whole_loop_in_the_chat(conv: Conversations, clock: Clock) -> None:
    resident, wish = await posted(conv)
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("心愿审核", [wish.number, "助医陪护"]),
            (f"通过 {wish.number}", "已发布到心愿墙"),
        ]
    )
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.run(
        [
            ("心愿墙", [wish.number, "助医陪护", "（11月28日前）"]),
            (f"认领 {wish.number}", ["认领成功", "周六陪我妈去医院复查", "7 天内联系"]),
            (f"已联系 {wish.number}", "已记录"),
            ("我的认领", [wish.number, "已有志愿者认领"]),
        ]
    )
    assert await Notification.filter(person__openid="resident-1", text__contains="已由赵阿姨认领").exists()
    clock.now += dt.timedelta(days=4)
    await volunteer.run([(f"完成心愿 {wish.number} 3小时 陪阿姨复查，一切正常", "服务照片")])
    assert "已标记完成" in await volunteer.image()
    assert await WishPhoto.filter(wish=wish).count() == 1
    assert await Notification.filter(person__openid="resident-1", text__contains="陪阿姨复查").exists()
    await resident.run(
        [
            ("我的心愿", "待您确认"),
            ("确认心愿", "打个分"),
            ("六", "1 到 5"),
            ("5", "感谢的话"),
            ("谢谢赵阿姨，辛苦了", "公开吗"),
            ("1", ["已确认", "志愿服务记录"]),
        ]
    )
    wish = await Wish.get(id=wish.id)
    assert wish.status is WishStatus.CONFIRMED and wish.rating == 5 and wish.story_consent
    record = await ServiceRecord.get(wish=wish)
    assert (record.hours, record.points, record.confirmed_as) == (3.0, 35, "resident")
    assert record.volunteer_name == "赵阿姨"
    await volunteer.run([("服务记录", ["共 1 个心愿", "3 小时", "积分 35"])])
    assert await Notification.filter(person__openid="demo-volunteer", text__contains="谢谢赵阿姨").exists()


async def test_hours_note_and_photo_are_asked_when_not_given(conv: Conversations) -> None:
    _, wish = await posted(conv)
    committee = Chat(conv, "demo-committee")
    await committee.say(f"通过 {wish.number}")
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.say(f"认领 {wish.id}")
    await volunteer.run(
        [
            (f"完成心愿 {wish.id}", "多长时间"),
            ("很久", "例如"),
            ("30小时", "最多 24 小时"),
            ("一个半小时", "做了什么"),
            ("陪同复查", "服务照片"),
            ("好的", "没有请回复"),
            ("跳过", "已标记完成"),
        ]
    )
    claim = await WishClaim.get(wish=wish)
    assert (claim.hours, claim.note) == (1.5, "陪同复查")


async def test_residents_and_strangers_cannot_claim_or_review(conv: Conversations) -> None:
    resident, wish = await posted(conv)
    assert "两委成员" in await resident.say("心愿审核")
    assert "不能" in await resident.say(f"通过 {wish.number}")
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    assert "不能" in await resident.say(f"认领 {wish.number}")  # not a volunteer
    stranger = await bound(conv, "resident-2", "3栋1单元101")
    assert "不能" in await stranger.say(f"认领 {wish.number}")
    assert (await Wish.get(id=wish.id)).status is WishStatus.OPEN


async def test_a_volunteer_who_posted_cannot_claim_their_own(conv: Conversations) -> None:
    volunteer = Chat(conv, "demo-volunteer")
    person = await Person.get(openid="demo-volunteer")
    assert person.community_id is not None
    # the demo volunteer has no home: binding comes first, then the wish carries on
    await volunteer.run([("孩子想要几本课外书", "绑定"), ("1", "门牌"), ("3栋1单元301", "核对")])
    await volunteer.run([("1", "姓氏"), ("3", "已提交")])
    wish = await Wish.get()
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    assert "自己发布的心愿" in await volunteer.say(f"认领 {wish.number}")


async def test_changes_asked_then_revised_then_declined(conv: Conversations) -> None:
    resident, wish = await posted(conv)
    committee = Chat(conv, "demo-committee")
    assert "请写上原因" in await committee.say(f"退回 {wish.number}")
    await committee.say(f"退回 {wish.number} 请写明上午还是下午")
    assert await Notification.filter(person__openid="resident-1", text__contains="上午还是下午").exists()
    await resident.run(
        [
            ("我的心愿", "待您补充"),
            ("修改心愿", "上午还是下午"),
            ("周六上午陪我妈去医院复查", "重新审核"),
        ]
    )
    wish = await Wish.get(id=wish.id)
    assert wish.status is WishStatus.SUBMITTED and "上午" in wish.description
    await committee.say(f"不通过 {wish.number} 本周志愿者已排满，请联系社区卫生站")
    assert (await Wish.get(id=wish.id)).status is WishStatus.DECLINED
    assert await Notification.filter(person__openid="resident-1", text__contains="卫生站").exists()


async def test_approval_is_refused_while_the_public_text_holds_a_sensitive_word(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [("希望有人借钱给我买轮椅", ["为谁：本人", "称呼"]), ("匿名", "已提交")]
    )  # "给我": oneself
    committee = Chat(conv, "demo-committee")
    assert "请核对" in await committee.say("心愿审核")  # the list flags it
    assert "修改公开内容" in await committee.say("通过 1")
    assert (await Wish.get()).status is WishStatus.SUBMITTED


async def test_withdraw_before_it_is_fulfilled_tells_the_claimer(conv: Conversations) -> None:
    resident, wish = await posted(conv)
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    await Chat(conv, "demo-volunteer").say(f"认领 {wish.number}")
    await resident.run([("撤回心愿", "已撤回")])
    assert (await WishClaim.get(wish=wish)).status is ClaimStatus.ENDED
    assert await Notification.filter(person__openid="demo-volunteer", text__contains="撤回").exists()
    assert "没有可以撤回" in await resident.say("撤回心愿")


async def test_not_done_goes_back_to_the_volunteer(conv: Conversations) -> None:
    resident, wish = await posted(conv)
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.say(f"认领 {wish.number}")
    await volunteer.run([(f"完成心愿 {wish.number} 2小时 已陪同", "照片"), ("跳过", "已标记完成")])
    await resident.run([("心愿未实现 医生说下周还要再去一次", "还没实现")])
    assert (await Wish.get(id=wish.id)).status is WishStatus.CLAIMED
    assert await Notification.filter(person__openid="demo-volunteer", text__contains="下周还要").exists()
    await resident.run([("确认心愿 5 谢谢", "没有待确认")])


async def test_a_lapsed_claim_returns_the_wish_first_in_line(conv: Conversations, clock: Clock) -> None:
    from handlers.wishes import workflow

    _, wish = await posted(conv)
    committee = Chat(conv, "demo-committee")
    chat = await bound(conv, "resident-2", "3栋1单元101")
    await chat.run([("孩子想要几本课外书", "称呼"), ("匿名", "已提交")])
    other = await Wish.get(resident__openid="resident-2")
    await committee.say(f"通过 {wish.number}")
    clock.now += dt.timedelta(hours=1)
    await committee.say(f"通过 {other.number}")
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.say(f"认领 {wish.number}")
    result = await workflow.sweep(clock.now + dt.timedelta(days=7, minutes=1))
    assert result.lapsed == 1
    board = await volunteer.say("心愿墙")
    assert board.index(wish.number) < board.index(other.number) and "【急】" in board


async def test_staff_community_comes_from_the_role(conv: Conversations) -> None:
    """A volunteer registered in the community sees its board even without a home."""
    community = await Community.get(code="xingfuli")
    helper = await Person.create(openid="helper-1", name="小刘", community=community)
    await Role.create(person=helper, community=community, role=RoleName.VOLUNTEER)
    assert "暂时没有等待认领" in await Chat(conv, "helper-1").say("心愿墙")
