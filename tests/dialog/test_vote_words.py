"""Residents vote in their own words: a consultation named by words of its title, an option said in a
sentence (and confirmed), a question about it answered and kept, the vote put off without a ballot, a
message about its subject offered the consultation first."""

from __future__ import annotations

import pytest

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.votes.models import Ballot, Comment, Consultation, Proposal
from storage.models import StaffMessage
from tests.dialog.test_votes import launch
from tests.helpers import Clock, bound

LOCKERS = "南门增设智能快递柜"
LOCKERS_BACKGROUND = "快递员常把包裹放在楼道口，容易丢件。拟在南门内侧装一组智能快递柜，居民免费取件。"


async def lockers(clock: Clock) -> Consultation:
    return await launch(clock, title=LOCKERS, background=LOCKERS_BACKGROUND, buildings=())


async def choices(c: Consultation) -> list[list[int]]:
    return [b.choices for b in await Ballot.filter(consultation=c).order_by("id")]


async def test_a_sentence_that_names_the_consultation_and_chooses_is_confirmed(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    northern = await bound(conv, "r-north", "3栋1单元101")
    await northern.run(
        [
            ("南门快递柜那个投票，俺家赞成", ["请确认", LOCKERS, '"同意"']),
            ("中", "已记录您家的投票：同意"),
        ]
    )
    cantonese = await bound(conv, "r-canton", "3栋1单元102")
    await cantonese.run(
        [
            ("快递柜嘅事，我哋屋企反对", ["请确认", '"不同意"']),
            ("唔系，都系弃权啦", "已记录您家的投票：弃权"),  # another option named: chosen, as from the list
        ]
    )
    assert await choices(c) == [[0], [2]]


async def test_the_only_open_consultation_is_that_vote(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [("那个投票我支持", ["请确认", LOCKERS]), ("2", "1 同意  2 不同意  3 弃权"), ("2", "不同意")]
    )
    assert await choices(c) == [[1]]


async def test_the_list_takes_a_consultation_by_words_of_its_title(conv: Conversations, clock: Clock) -> None:
    lift = await launch(clock)  # 3栋加装电梯方案
    await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("投票", ["1 3栋加装电梯方案", "2 " + LOCKERS]),
            ("电梯那个吧", ["3栋加装电梯方案：3栋共18户", "1 同意"]),
            ("同意", "已记录"),
            ("议事", "回复序号"),
            ("就系快递柜嗰个啦", [LOCKERS + "：快递员常把包裹放在楼道口"]),
        ]
    )
    assert await choices(lift) == [[0]]
    assert not await Ticket.exists()


async def test_an_option_before_the_consultation_is_kept_for_it(conv: Conversations, clock: Clock) -> None:
    await launch(clock)
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("我投反对票", ['您要为哪个议事投"不同意"', "回复序号"]),
            ("2", ["请确认", LOCKERS]),
            ("1", "不同意"),
        ]
    )
    assert await choices(c) == [[1]]


async def test_a_question_at_the_list_is_answered_and_kept_not_filed_as_a_proposal(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("投票", "回复序号"),
            ("快递柜装了以后取件收费吗？", ["居民免费取件", "意见记下", "1 同意"]),
            ("那多久能装好呢", ["居民免费取件", '回复"意见 您的问题"', "1 同意"]),  # names nothing: not kept
            ("我同意", "已记录您家的投票：同意"),
        ]
    )
    assert not await Proposal.exists()
    assert [m.text for m in await Comment.filter(consultation=c)] == ["快递柜装了以后取件收费吗？"]


async def test_an_option_said_at_the_list_of_one(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("投票", "回复序号"),
            ("这事我不太懂，投弃权吧", ["请确认", '"弃权"']),
            ("好的，谢谢", "已记录您家的投票：弃权"),
        ]
    )
    assert await choices(c) == [[2]]


@pytest.mark.parametrize(
    ("before", "later"),
    [
        ([("投票", "回复序号"), ("1", "1 同意")], "我还是回去跟家里人商量商量再说，先不投了"),
        ([("投票", "回复序号"), ("1", "1 同意")], "等我问问老伴再投"),
        ([("投票", "回复序号")], "先不投了，过两天再说"),
        ([("快递柜那个我同意", "请确认")], "没想好，回头再说吧"),
        ([("议事", "回复序号"), ("1", "1 同意")], "不投"),
    ],
)
async def test_putting_the_vote_off_is_no_abstention(
    conv: Conversations, clock: Clock, before: list[tuple[str, str]], later: str
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run([*before, (later, ["这次先不投", "截止", '回复"投票"'])])
    assert await choices(c) == []
    assert "回复序号" in await chat.say("投票")  # nothing half-done is left: the list again


async def test_a_message_about_the_subject_is_offered_the_consultation_first(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("南门要装快递柜？那以后快递员不就天天在楼下吵", ["征求意见", LOCKERS, "1 同意", '回复"不是"']),
            ("坚决反对", "已记录您家的投票：不同意"),
        ]
    )
    assert await choices(c) == [[1]]
    # "不是": what the message seemed to be, in its words
    other = await bound(conv, "r-2", "3栋1单元101")
    await other.run([("快递柜门坏了关不上，东西取不出来", ["征求意见", LOCKERS]), ("不是", "帮您登记")])
    assert not await Ballot.filter(voter__openid="r-2").exists()
    # more of what it seemed to be, without a "不是": that request too
    fifth = await bound(conv, "r-5", "3栋1单元104")
    await fifth.run(
        [("快递柜门坏了关不上，东西取不出来", "征求意见"), ("柜门一直合不上，好几天了", "帮您登记")]
    )
    # a place (南门) or a common word (快递) shared with the title is no mention of it
    third = await bound(conv, "r-3", "3栋1单元102")
    assert "征求意见" not in await third.say("南门的路灯坏了")
    fourth = await bound(conv, "r-4", "3栋1单元103")
    assert "征求意见" not in await fourth.say("楼道里快递包裹堆了一地，过不去人")


async def test_a_question_is_no_proposal(conv: Conversations) -> None:
    asking = await bound(conv, "r-1", "3栋2单元502")
    await asking.run(
        [("广场舞的音量能不能小一点？", ["像是一个问题", "1 转给工作人员"]), ("转给工作人员吧", "已为您留言")]
    )
    assert await StaffMessage.filter(person__openid="r-1", text__contains="广场舞").exists()
    assert not await Proposal.exists()
    proposing = await bound(conv, "r-2", "3栋1单元101")
    await proposing.run([("广场舞的音量能不能小一点？", "像是一个问题"), ("2", "谢谢您的建议，编号 P2611-")])
    await proposing.run([("楼下的花坛能不能改成停车位啊？", "谢谢您的建议")])  # a proposal, asked
    assert await Proposal.filter(person__openid="r-2").count() == 2


async def test_a_question_at_the_options_votes_nothing(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("投票", "回复序号"),
            ("1", "1 同意"),
            ("同意的话要不要每家出钱啊", ["居民免费取件", "1 同意"]),
            ("快递柜离3栋远不远？", "意见记下"),  # it names the consultation: kept for the committee
            ("3？", "弃权"),
        ]
    )
    assert await choices(c) == [[2]]
    assert await Comment.filter(consultation=c).count() == 1


async def test_a_question_at_a_list_of_one_is_about_it(conv: Conversations, clock: Clock) -> None:
    c = await lockers(clock)
    chat = await bound(conv, "r-1", "3栋2单元502")
    await chat.run(
        [
            ("议事", "回复序号"),
            (
                "那个柜子放在哪儿啊？",
                ["南门内侧", '回复"意见 您的问题"', "1 同意"],
            ),  # names nothing: not kept
            ("取件贵不贵", "居民免费取件"),
            ("没什么意见，同意", "已记录您家的投票：同意"),
        ]
    )
    assert await choices(c) == [[0]]
    assert not await Comment.exists() and not await Proposal.exists()
