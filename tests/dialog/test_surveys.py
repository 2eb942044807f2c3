"""Surveys as whole conversations: list, answer question by question in everyday words, one answer per
household, sealed until the close, results published; the standing quarterly survey."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.surveys import workflow
from handlers.surveys.models import Per, QuestionKind, Survey, SurveyResponse, SurveySlot
from handlers.surveys.queries import Question
from handlers.surveys.workflow import LaunchSurvey
from storage.models import Community, Notification, Person
from tests.helpers import Chat, Clock, bound

QUESTIONS = (
    Question(QuestionKind.RATING, "您对物业服务的总体满意度", topic="property"),
    Question(QuestionKind.SINGLE, "本季度您找社区办过事吗", ("办过，顺利办成", "办过，还没办成", "没有办过")),
    Question(QuestionKind.MULTIPLE, "下季度希望重点做好哪些事", ("环境卫生", "停车秩序", "养老服务")),
    Question(QuestionKind.TEXT, "还有什么意见和建议"),
)


async def launch(clock: Clock, **changes: object) -> Survey:
    spec = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "物业服务满意度调查",
        "questions": QUESTIONS,
        "closes_at": clock.now + dt.timedelta(days=7),
        "intro": "匿名填写，约两分钟。",
    }
    spec.update(changes)
    return await workflow.launch(LaunchSurvey(**spec), clock.now)  # type: ignore[arg-type]


async def test_answer_question_by_question(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    s = await launch(clock)
    await chat.run(
        [
            ("满意度调查", ["您可以参与的问卷", "1 物业服务满意度调查（4 题", "回复序号"]),
            ("1", ["共 4 题", "问卷匿名", "第 1/4 题：您对物业服务的总体满意度", "5 非常满意"]),
            ("马马虎虎吧", ["第 2/4 题", "1 办过，顺利办成"]),
            ("我想想", ["没看懂您的回答", "1 办过，顺利办成"]),
            ("没有办过", ["第 3/4 题", "可多选"]),
            ("1和3", ["第 4/4 题", "跳过"]),
            ("垃圾桶旁边能不能常冲洗，我电话13912345678", ["谢谢您填写", "问卷结果"]),
            ("问卷", "已填"),
        ]
    )
    [response] = await SurveyResponse.filter(survey=s)
    assert response.answers == [3, 2, [0, 2], "垃圾桶旁边能不能常冲洗，我电话13912345678"]
    assert response.person_id is None  # anonymous: the answers are not linked to the person
    assert "已经填过" in (await chat.run([("问卷", "回复序号"), ("1", "已经填过")]))[-1]


async def test_one_answer_per_household_sealed_then_published(conv: Conversations, clock: Clock) -> None:
    s = await launch(clock, per=Per.HOUSEHOLD)
    first = await bound(conv, "resident-1", "3栋2单元502")
    family = await bound(conv, "resident-2", "3栋2单元502")
    neighbour = await bound(conv, "resident-3", "3栋2单元501")
    for chat, score in ((first, "5"), (neighbour, "非常不满意")):
        await chat.run([("问卷", "回复序号"), ("1", "第 1/4 题"), (score, "第 2/4"), ("1", "第 3/4")])
        await chat.run([("2", "第 4/4"), ("跳过", "谢谢您填写")])
    reply = (await family.run([("问卷", "已填"), ("1", "一户填一份")]))[-1]
    assert "resident-1" not in reply
    assert await SurveySlot.filter(survey=s).count() == 2
    assert "还没有公布结果" in await first.say("问卷结果")  # sealed until the close
    clock.now = s.closes_at + dt.timedelta(minutes=1)
    assert await workflow.sweep(clock.now) >= 1
    await first.run(
        [
            (
                "问卷结果",
                [
                    "物业服务满意度调查 结果（2/",
                    "您对物业服务的总体满意度：平均 3.00 分（2 人打分）",
                    "停车秩序 2",
                ],
            )
        ]
    )
    assert "目前没有需要您填写的问卷" in await first.say("问卷")
    told = await Notification.filter(key__startswith=f"survey:{s.id}:result:")
    assert sorted(n.person_id for n in told) == sorted(
        [(await Person.get(openid="resident-1")).id, (await Person.get(openid="resident-3")).id]
    )  # those who answered (not the family member whose household had)


async def test_outside_the_audience_and_unbound(conv: Conversations, clock: Clock) -> None:
    await launch(clock, buildings=(3,))
    elsewhere = await bound(conv, "resident-5", "5栋1单元101")
    assert "目前没有需要您填写的问卷" in await elsewhere.say("满意度调查")
    stranger = Chat(conv, "newcomer")
    await stranger.run([("问卷", ["绑定", "社区"]), ("1", "门牌"), ("3栋1单元101", "核对")])
    assert "您可以参与的问卷" in await stranger.say("1")  # bound, then straight to the list


async def test_the_quarterly_survey_opens_for_every_community_and_is_announced(
    conv: Conversations, clock: Clock
) -> None:
    chat = await bound(conv, "resident-1", "3栋2单元502")
    clock.now = dt.datetime(2027, 1, 3, 9, 0, tzinfo=clock.now.tzinfo)
    await workflow.sweep(clock.now)
    await workflow.sweep(clock.now)  # once per quarter, whichever worker is first
    surveys = await Survey.filter(standing_key__startswith="quarterly:2027Q1:")
    assert len(surveys) == await Community.all().count()
    told = await Notification.filter(person=await Person.get(openid="resident-1"), key__startswith="survey:")
    assert len(told) == 1 and "2027年第1季度居民满意度测评" in told[0].text
    await chat.run([("满意度测评", "2027年第1季度居民满意度测评"), ("1", ["共 9 题", "第 1/9 题"])])
    for answer in ("5", "4", "三分", "好评", "满意", "不太满意", "3", "1 4"):
        await chat.say(answer)
    assert "谢谢您填写" in await chat.say("没有")


async def test_the_committee_sees_how_many_answered_never_what(conv: Conversations, clock: Clock) -> None:
    committee = Chat(conv, "demo-committee")
    assert "目前没有进行中的问卷" in await committee.say("问卷进度")
    s = await launch(clock)
    resident = await bound(conv, "resident-1", "3栋2单元502")
    await resident.run([("问卷", "回复序号"), ("1", "第 1/4"), ("5", "第 2"), ("1", "第 3"), ("2", "第 4")])
    await resident.run([("跳过", "谢谢您填写")])
    reply = await committee.say("问卷进度")
    assert f"{s.title}：已收 1/" in reply and "非常满意" not in reply
    assert "需要社区两委或街道工作人员身份" in await resident.say("问卷进度")


async def test_the_committee_launches_a_survey_in_the_chat(conv: Conversations, clock: Clock) -> None:
    resident = await bound(conv, "resident-1", "3栋2单元502")
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("发起问卷", "问卷标题是什么"),
            ("社区环境满意度调查", ["每条消息一题", "打分："]),
            ("完成", "还没有题目"),
            ("打分：楼道保洁", "第 1 题：楼道保洁"),
            ("单选：您常参加社区活动吗？经常/偶尔/从不", "第 2 题：您常参加社区活动吗？"),
            ("楼道太脏了", "没看懂这道题"),
            ("多选：希望重点做好哪些事？环境卫生、停车秩序、养老服务", "第 3 题"),
            ("问答：还有什么意见和建议", "第 4 题"),
            ("完成", ["每人填一份，还是每户填一份", "2 一户一份"]),
            ("按户", "什么时候截止"),
            (
                "下周五",
                ["[单选] 您常参加社区活动吗？（经常/偶尔/从不）", "一户一份", "12月4日（周五） 20:00 截止"],
            ),
            ("发起", ["问卷已发起，编号 S2611-", "问卷进度"]),
        ]
    )
    s = await Survey.get(title="社区环境满意度调查")
    assert s.per == Per.HOUSEHOLD and [q["kind"] for q in s.questions] == [
        "rating",
        "single",
        "multiple",
        "text",
    ]
    assert s.questions[2]["options"] == ["环境卫生", "停车秩序", "养老服务"]
    told = await Notification.filter(
        person=await Person.get(openid="resident-1"), key__startswith=f"survey:{s.id}:"
    )
    assert len(told) == 1
    assert "社区环境满意度调查" in await resident.say("问卷")
    assert "需要社区两委或街道工作人员身份" in await resident.say("发起问卷")
