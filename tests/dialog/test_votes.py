"""Consultations as whole conversations: list, read, vote, change, comment, be refused kindly, propose."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.votes import workflow
from handlers.votes.models import Ballot, Comment, Consultation, PassRule, Per, Proposal
from handlers.votes.workflow import LaunchConsultation
from storage.models import Community, Notification, Person
from tests.helpers import Chat, Clock, bound


async def launch(clock: Clock, **changes: object) -> Consultation:
    spec = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "3栋加装电梯方案",
        "background": "3栋共18户，电梯由政府补贴一部分，其余按楼层分摊。",
        "options": ("同意", "不同意", "弃权"),
        "closes_at": clock.now + dt.timedelta(days=10),
        "buildings": (3,),
        "per": Per.HOUSEHOLD,
        "quorum": 0.5,
        "rule": PassRule.TWO_THIRDS,
        "approve_option": 0,
    }
    spec.update(changes)
    return await workflow.launch(LaunchConsultation(**spec), clock.now)  # type: ignore[arg-type]


async def test_vote_like_the_conversation_in_the_brief(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    await chat.run(
        [
            ("投票", ["您可以参与的议事", "1 3栋加装电梯方案（12月4日 09:00截止，一户一票）", "回复序号"]),
            ("1", ["3栋加装电梯方案：3栋共18户", "1 同意  2 不同意  3 弃权", "截止前可以改票"]),
            ("1", "已记录您家的投票：同意"),
            ("投票", "已投"),
        ]
    )
    ballots = await Ballot.filter(consultation=c)
    assert [b.choices for b in ballots] == [[0]]


async def test_change_the_vote_and_comment(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    await chat.run(
        [
            ("议事", "回复序号"),
            ("1", "1 同意"),
            ("我再想想", ["1 同意", "2 不同意", "3 弃权"]),
            ("3", "弃权"),
            ("改票", "1 同意"),
            ("2", "不同意"),
            ("意见 补贴方案要先公示，低楼层分摊太多，可以打我电话13912345678", "匿名公布"),
            ("意见", "请说说您对"),
            ("嗯", "太简单"),
            ("一楼住户的采光问题也要考虑", "已记录"),
        ]
    )
    ballots = await Ballot.filter(consultation=c).order_by("id")
    assert [b.choices for b in ballots] == [[2], [1]]  # the log keeps both; the newest counts
    assert await Comment.filter(consultation=c).count() == 2


async def test_one_vote_per_household_names_nobody(conv: Conversations, clock: Clock) -> None:
    await launch(clock)
    first = await bound(conv, "resident-1", "3栋2单元502")
    second = await bound(conv, "resident-2", "3栋2单元502")  # the same home
    await first.run([("投票", "回复序号"), ("1", "同意"), ("1", "您家")])
    reply = (await second.run([("投票", "回复序号"), ("1", "同意"), ("2", "一户一票")]))[-1]
    assert "已经有家人投过票" in reply and "resident-1" not in reply


async def test_outside_the_scope_unbound_and_closed(conv: Conversations, clock: Clock) -> None:
    await launch(clock)
    elsewhere = await bound(conv, "resident-5", "5栋1单元101")
    assert "目前没有您可以参与的议事" in await elsewhere.say("投票")
    stranger = Chat(conv, "newcomer")
    await stranger.run([("投票", ["绑定", "社区"]), ("1", "门牌"), ("3栋1单元101", "核对")])
    assert "您可以参与的议事" in await stranger.say("1")  # bound, then straight to the list
    clock.now += dt.timedelta(days=11)
    assert "目前没有您可以参与的议事" in await stranger.say("投票")


async def test_multiple_choice(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(
        clock,
        title="小区微改造项目",
        options=("增设休闲座椅", "改造自行车棚", "增加绿化", "安装监控"),
        max_choices=2,
        per=Per.PERSON,
        buildings=(),
        approve_option=None,
        rule=PassRule.PLURALITY,
    )
    await chat.run(
        [
            ("投票", "回复序号"),
            ("1", "最多 2 项"),
            ("1 2 3", "最多可以选 2 项"),
        ]
    )
    await chat.run(
        [("投票", "回复序号"), ("1", "最多 2 项"), ("1、3", "已记录您的投票：增设休闲座椅、增加绿化")]
    )
    assert [b.choices for b in await Ballot.filter(consultation=c)] == [[0, 2]]


async def test_close_publishes_and_tells_those_who_took_part(conv: Conversations, clock: Clock) -> None:
    c = await launch(clock, quorum=0.5)
    voters = [await bound(conv, f"r-{i}", f"3栋1单元{101 + i}") for i in range(3)]
    await bound(conv, "r-silent", "3栋3单元301")
    for chat, pick in zip(voters, ("1", "1", "2"), strict=True):
        await chat.run([("投票", "回复序号"), ("1", "同意"), (pick, "已记录")])
    assert "匿名公布" in await voters[0].say("意见 有问题可以打我电话13912345678")
    assert "最近没有已结束的议事" in await voters[0].say("议事结果")  # sealed until the close
    clock.now = c.closes_at
    assert await workflow.sweep(clock.now) == 1
    told = await Notification.get(person__openid="r-0", key__contains=f"consultation:{c.id}:result:")
    # 3 of the 4 households of 3栋 took part (quorum: half); 2 of 3 ballots is two thirds: passed
    assert "结果：通过（同意），参与 3/4 户" in told.text
    assert not await Notification.filter(person__openid="r-silent", key__contains=":result:").exists()
    published = await Consultation.get(id=c.id)
    assert published.result is not None and published.result["comments"] == ["有问题可以打我电话***"]
    reply = await voters[0].say("议事结果")
    assert "同意：2 票" in reply and "不同意：1 票" in reply and "核验" in reply
    # issue 13: the hash is no longer in the result a resident reads; it is behind 核验
    assert "校验码" not in reply and published.result["digest"][:16] not in reply
    checked = await voters[0].say("核验")
    assert "核验通过" in checked and published.result["digest"] in checked


async def test_propose_a_topic(conv: Conversations) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    await chat.run([("我建议在3栋门口加装非机动车充电桩", "谢谢您的建议，编号 P2611-")])
    await chat.run(
        [
            ("我想提个议题", "请说说您的建议"),
            ("小区", "具体一点"),
            ("周末晚上广场舞音量太大，想商量个时间", "编号"),
        ]
    )
    assert await Proposal.filter(person__openid="resident-1").count() == 2
    assert await Notification.filter(person__openid="demo-committee", text__contains="充电桩").exists()


async def test_the_committee_launches_in_the_chat(conv: Conversations, clock: Clock) -> None:
    residents = [await bound(conv, f"r-{i}", f"3栋1单元{101 + i}") for i in range(2)]
    await bound(conv, "r-5", "5栋1单元101")
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发起议事", "请输入议题标题"),
            ("3栋加装电梯方案", "背景"),
            ("政府补贴一部分，其余按楼层分摊", "列出选项"),
            ("同意", "选项需要 2 到"),
            ("同意、不同意、弃权", "哪些居民参与"),  # 同意 is there: single choice, no question
            ("3栋", "怎么计票"),
            ("2", "谁可以参与"),
            ("1", "哪天截止"),
            ("昨天", "今天以后"),
            ("12月4日", "参与比例"),
            ("很多人吧", "请回复一个比例"),
            ("一半", "通过的规则"),
            (
                "2",
                [
                    "议题：3栋加装电梯方案",
                    "范围：3栋，全体居民，一户一票",
                    "截止：12月4日（周五） 20:00",
                    "参与比例：50%",
                    "三分之二以上通过",
                ],
            ),
            ("1", ["已发起议事 V2611-", "已通知 2 位"]),
        ]
    )
    c = await Consultation.get()
    assert (c.per, c.buildings, c.approve_option, c.quorum, c.rule) == (
        Per.HOUSEHOLD,
        [3],
        0,
        0.5,
        PassRule.TWO_THIRDS,
    )
    assert c.closes_at == dt.datetime(2026, 12, 4, 20, 0, tzinfo=clock.now.tzinfo)
    assert await Notification.filter(person__openid="r-0", text__contains="3栋加装电梯方案").exists()
    assert not await Notification.filter(person__openid="r-5", text__contains="3栋加装电梯方案").exists()
    await residents[0].run([("投票", "回复序号"), ("1", "同意"), ("1", "已记录")])
    await committee.run(
        [
            ("议事列表", ["3栋加装电梯方案", "已参与 1/2 户", "保密"]),
            (f"延期议事 {c.number} 12月10日 参与户数还不够", ["已延期", "12月10日 20:00截止"]),
            (f"取消议事 {c.number}", "请写上原因"),
            (f"取消议事 {c.number} 方案需要重新设计", "已取消"),
        ]
    )
    assert await Notification.filter(person__openid="r-1", text__contains="方案需要重新设计").exists()


async def test_residents_cannot_use_the_committee_commands(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    assert "两委成员" in await chat.say("发起议事")
    assert "两委成员" in await chat.say("议事列表")
    assert "两委成员" in await chat.say(f"取消议事 {c.number} 不想投")
    assert (await Consultation.get(id=c.id)).status.value == "open"


async def test_multiple_choice_launch_asks_how_many(conv: Conversations) -> None:
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发起议事", "标题"),
            ("小区微改造项目", "背景"),
            ("跳过", "选项"),
            ("增设座椅 改造车棚 增加绿化", "最多可以选几项"),
            ("5", "1 到 3"),
            ("2", "哪些居民参与"),
            ("全社区", "怎么计票"),
        ]
    )


@pytest.mark.parametrize(
    ("said", "share"),
    [
        ("一半", 0.5),
        ("三分之二", 2 / 3),
        ("60%", 0.6),
        ("百分之六十", 0.6),
        ("0.6", 0.6),
        ("60", 0.6),
        ("不限", 0.0),
    ],
)
def test_read_share(said: str, share: float) -> None:
    from handlers.votes.committee_dialog import read_share

    found = read_share(said)
    assert found is not None and float(found) == pytest.approx(share)


def test_read_share_refuses_what_is_not_a_share() -> None:
    from handlers.votes.committee_dialog import read_share

    assert read_share("很多") is None and read_share("150%") is None


async def test_a_grid_worker_records_a_vote_in_the_chat(conv: Conversations, clock: Clock) -> None:
    c = await launch(clock, buildings=(), per=Per.PERSON)
    grid = Chat(conv, "demo-grid")
    await grid.run(
        [
            ("代投 李奶奶", "代投 4栋1单元101 李奶奶"),
            ("代投 4栋1单元101 李奶奶", ["为李奶奶代为登记", "1 3栋加装电梯方案"]),
            ("1", "请回复居民选择的序号"),
            ("1", "已为李奶奶登记"),
        ]
    )
    ballot = await Ballot.get(consultation=c)
    assert (await Person.get(id=ballot.voter_id)).name == "李奶奶"
    assert ballot.proxy_by_id == (await Person.get(openid="demo-grid")).id
    resident = await bound(conv, "resident-1", "3栋2单元502")
    assert "网格员或社区两委成员" in await resident.say("代投 4栋1单元101 李奶奶")


async def test_an_opinion_while_reading_the_options(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    await chat.run([("投票", "回复序号"), ("1", "1 同意"), ("意见 希望先公示费用分摊", "匿名公布")])
    assert (await Comment.get()).consultation_id == c.id


async def test_a_proxy_never_replaces_the_residents_own_vote(conv: Conversations, clock: Clock) -> None:
    c = await launch(clock, buildings=(), per=Per.PERSON)
    resident = await bound(conv, "resident-1", "3栋2单元502")
    await Person.filter(openid="resident-1").update(name="王芳")
    await resident.run([("投票", "回复序号"), ("1", "1 同意"), ("2", "已记录")])
    grid = Chat(conv, "demo-grid")
    await grid.run(
        [
            ("代投 3栋2单元502 王芳", "为王芳代为登记"),
            ("1", "请回复居民选择的序号"),
            ("1", "已经自己投过票了"),
        ]
    )
    ballots = await Ballot.filter(consultation=c).order_by("id")
    assert [(b.choices, b.proxy_by_id) for b in ballots] == [([1], None)]
    # the other way round: a proxy ballot first, the resident's own later vote replaces it
    await grid.run(
        [
            ("代投 4栋1单元101 李奶奶", "为李奶奶代为登记"),
            ("1", "请回复居民选择的序号"),
            ("2", "已为李奶奶登记"),
        ]
    )
    elder = await Person.get(name="李奶奶")
    await Person.filter(id=elder.id).update(openid="elder-openid")
    own = Chat(conv, "elder-openid")
    await own.run([("投票", "回复序号"), ("1", "1 同意"), ("1", "已记录")])
    log = [(b.choices, b.proxy_by_id is not None) for b in await Ballot.filter(voter=elder).order_by("id")]
    assert log == [([1], True), ([0], False)]  # both in the log; the newest, her own, counts


async def test_a_proxy_for_a_new_name_is_reviewed_and_one_per_home(conv: Conversations, clock: Clock) -> None:
    c = await launch(clock, buildings=(), per=Per.PERSON)
    grid = Chat(conv, "demo-grid")
    await grid.run(
        [
            ("代投 4栋1单元101 李奶奶", "为李奶奶代为登记"),
            ("1", "请回复居民选择的序号"),
            ("1", "已为李奶奶登记"),
        ]
    )
    ballot = await Ballot.get(consultation=c)
    assert ballot.review  # nobody's register vouches for her: the committee is asked to check
    assert await Notification.filter(person__openid="demo-committee", text__contains="请核实").exists()
    # five invented names at one home are not five ballots
    await grid.run(
        [
            ("代投 4栋1单元101 李爷爷", "为李爷爷代为登记"),
            ("1", "请回复居民选择的序号"),
            ("1", "已经有人投过票了"),
        ]
    )
    assert await Ballot.filter(consultation=c).count() == 1


async def test_one_person_never_votes_for_two_households(conv: Conversations, clock: Clock) -> None:
    # bind to a home, vote for it, bind to another home and vote again: the second is refused
    chat = await bound(conv, "resident-1", "3栋2单元502")
    c = await launch(clock)
    await chat.run([("投票", "回复序号"), ("1", "1 同意"), ("1", "已记录您家的投票")])
    await chat.run([("绑定", "需要更换吗"), ("1", "门牌号"), ("3栋1单元101", "请核对"), ("1", "绑定成功")])
    await chat.run([("投票", "回复序号"), ("1", "1 同意"), ("2", "一个人只能代表一户投票")])
    assert await Ballot.filter(consultation=c).count() == 1


async def test_home_changes_are_limited(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    for home in ("3栋1单元101", "3栋1单元102"):
        await chat.run([("绑定", "需要更换吗"), ("1", "门牌号"), (home, "请核对"), ("1", "绑定成功")])
    await chat.run([("绑定", "需要更换吗"), ("1", "门牌号"), ("3栋1单元103", "请核对")])
    assert "暂时不能再换" in await chat.say("1")
    # going back to a home already theirs is no new home
    await chat.run([("绑定", "需要更换吗"), ("1", "门牌号"), ("3栋2单元502", "请核对"), ("1", "绑定成功")])
