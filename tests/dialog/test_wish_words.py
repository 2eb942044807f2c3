"""A wish in the resident's own words, in several voices: for whom read from family words (dialect ones too)
and "I" forms; an answer that answers nothing is not asked about forever; how to be named read from what was
said (a yes, a command or a sentence is no name); and the pace of CONVERSATIONS.md: the wish said back, how
to be named, filed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.wishes.models import Wish, WishStatus
from storage.models import Person
from tests.helpers import Chat, bound


async def described(conv: Conversations, wish: str, expected: list[str], user: str = "resident-1") -> Chat:
    """A bound resident who asks for a wish, then says what it is (free text, however the model reads it)."""
    chat = await bound(conv, user)
    await chat.run([("我想许个心愿", "请说说您的心愿"), (wish, expected)])
    return chat


# -- for whom --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("said", "relation"),
    [
        ("俺娘八十了，想找个人周末陪她拉拉呱", "母亲"),
        ("阿拉姆妈想学用微信视频，有人教教伐", "母亲"),
        ("我老豆行动唔方便，想搵义工陪佢去睇医生", "父亲"),
        ("屋里堂客刚做完手术，想找人帮忙买几天菜", "老伴"),
        ("外孙女英语跟不上，想找人辅导一下", "孙辈"),
        ("家里老爷子想学用智能手机挂号", "老人"),
    ],
)
async def test_a_family_member_named_in_any_words_is_not_asked_about(
    conv: Conversations, said: str, relation: str
) -> None:
    chat = await described(conv, said, [f"为谁：家人（{relation}）", "称呼"])
    await chat.run([("匿名就好", "已提交")])
    wish = await Wish.get()
    assert (wish.beneficiary, wish.relation, wish.display_name) == ("family", relation, "")


@pytest.mark.parametrize(
    "said",
    [
        "俺想学学用手机挂号，有人能教教俺不",
        "咱一个人住，灯泡够不着，想找人帮忙换一下",
        "阿拉想寻人教教电脑打字",
        "我哋想搵人教下点用电脑",
        "Hi, I want someone to teach me how to use WeChat pay",
    ],
)
async def test_an_i_with_no_family_member_is_the_residents_own(conv: Conversations, said: str) -> None:
    chat = await described(conv, said, ["为谁：本人", "称呼"])
    await chat.run([("不想显示名字", "已提交")])
    wish = await Wish.get()
    assert (wish.beneficiary, wish.display_name) == ("self", "")


async def test_no_answer_to_for_whom_takes_the_residents_own_says_so_and_a_no_fixes_it(
    conv: Conversations,
) -> None:
    chat = await described(conv, "想找人帮忙修一下自行车", ["为谁许的"])
    await chat.run(
        [
            ("行，你看着登记吧", ["先按为您本人", "为谁：本人", "称呼"]),
            ("不对", ["为谁：家人", "称呼"]),
            ("叫我小周就行", "已提交"),
        ]
    )
    wish = await Wish.get()
    assert (wish.beneficiary, wish.display_name) == ("family", "小周")


async def test_not_me_is_for_the_family(conv: Conversations) -> None:
    chat = await described(conv, "想找人教教怎么用电脑", ["为谁许的"])
    await chat.run([("不是我，是给家里老人的", ["为谁：家人（老人）", "称呼"]), ("随便", "已提交")])
    wish = await Wish.get()
    assert (wish.beneficiary, wish.relation, wish.display_name) == ("family", "老人", "")


async def test_an_answer_to_the_next_question_is_taken_for_it(conv: Conversations) -> None:
    chat = await described(conv, "想找人帮忙把旧沙发搬下楼", ["为谁许的"])
    # named in the same breath as the guess: a confirmation, where a yes in any words files
    await chat.run(
        [("名字就别写了", ["先按为您本人", "显示为：一位居民", "1 提交"]), ("中，交了吧", "已提交")]
    )
    wish = await Wish.get()
    assert (wish.beneficiary, wish.display_name) == ("self", "")
    other = await described(conv, "想找人帮忙修个衣柜门", ["为谁许的"], user="resident-2")
    await other.run(
        [
            ("写我姓赵就行", ["先按为您本人", "显示为：赵姓居民", "1 提交"]),
            ("改一下", ["为谁：家人", "赵姓居民", "1 提交"]),
            ("是的，就这么发", "已提交"),
        ]
    )
    wish = await Wish.get(resident__openid="resident-2")
    assert (wish.beneficiary, wish.display_name) == ("family", "赵姓居民")


# -- how to be named -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("就写张阿姨吧", "张阿姨"),
        ("李老师", "李老师"),
        ("叫我小陈就行", "小陈"),
        ("免贵姓欧阳", "欧阳姓居民"),
        ("写我姓黄，女的", "黄女士"),
        ("名字就不用写了", ""),
        ("甭写名儿", ""),
        ("唔使写名", ""),
        ("匿名就中", ""),
    ],
)
async def test_how_to_be_named_in_the_residents_words(conv: Conversations, said: str, shown: str) -> None:
    chat = await bound(conv)
    await chat.run([("希望有志愿者周六陪我爸去医院复查", "称呼"), (said, "已提交")])
    assert (await Wish.get()).display_name == shown


async def test_a_yes_or_a_command_is_no_name_the_surname_is_asked_once(conv: Conversations) -> None:
    chat = await bound(conv)
    replies = await chat.run(
        [
            ("希望有志愿者周六陪我爸去医院复查", "称呼"),
            ("好的 麻烦帮我发出去", "贵姓"),
            ("姓孙，男的", "已提交"),
        ]
    )
    assert "好的 麻烦帮我发出去" not in "".join(replies)
    assert (await Wish.get()).display_name == "孙先生"


async def test_a_second_answer_without_a_name_is_anonymous_and_said(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("孩子想要几本课外书", "称呼"),
            ("行啊", "贵姓"),
            ("谢谢你们", ["匿名", "已提交"]),
        ]
    )
    assert (await Wish.get()).display_name == ""


async def test_the_surname_on_record_is_offered_and_a_yes_shows_it(conv: Conversations) -> None:
    chat = await bound(conv)
    await Person.filter(openid="resident-1").update(name="周秀兰")
    await chat.run([("孩子想要几本课外书", ['显示"周女士"', '显示"周先生"', "匿名"]), ("可以显示", "已提交")])
    assert (await Wish.get()).display_name == "周姓居民"
    await chat.run([("孩子还想要一个书包", "周女士"), ("女的", "已提交")])
    assert (await Wish.filter(description__contains="书包").first()).display_name == "周女士"  # type: ignore[union-attr]


# -- pace ------------------------------------------------------------------------------------------
async def test_a_wish_said_whole_is_filed_after_the_name_and_can_be_withdrawn(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            (
                "孩子想要几本课外书，周五前就行",
                ["助学辅导", "为谁：家人（孩子）", "时间：11月27日前", "称呼"],
            ),
            ("匿名", ["已提交，心愿号 W2611-", "撤回心愿"]),
            ("撤回心愿", "已撤回"),
        ]
    )
    assert (await Wish.get()).status is WishStatus.WITHDRAWN


async def test_a_date_corrected_in_the_answer_to_the_name(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("希望有人周六陪我妈去医院复查", ["时间：11月28日前", "称呼"]),
            ("啊不对，下周五前就行", ["时间：12月4日前", "称呼"]),
            ("匿名", "已提交"),
        ]
    )
    assert (await Wish.get()).wanted_by == dt.date(2026, 12, 4)


async def test_how_often_is_no_deadline(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("想找人每周六上午陪我爸下下棋", ["时间：不限", "称呼"]), ("匿名", "已提交")])
    assert (await Wish.get()).wanted_by is None


async def test_a_wish_dropped_at_the_name_question_is_not_filed(conv: Conversations) -> None:
    # "不用发了" drops the wish; it is no "不用写名字"
    chat = await described(conv, "想找个大学生给我女儿辅导物理", ["称呼"])
    reply = await chat.say("算了 她舅舅说他来教 不用发了")
    assert "不发布" in reply and "心愿号" not in reply
    assert await Wish.filter(resident__openid=chat.user).count() == 0


async def test_a_name_after_a_yes(conv: Conversations) -> None:
    chat = await described(conv, "俺腰疼下不了楼 想请人帮俺取个快递", ["称呼"])
    reply = await chat.say("中 就写李嬢嬢吧")
    assert "心愿号" in reply
    wish = await Wish.get(resident__openid=chat.user)
    assert wish.display_name == "李嬢嬢"


async def test_a_name_written_first_with_a_remark_after_it(conv: Conversations) -> None:
    chat = await described(conv, "想请人帮忙把我妈的轮椅抬下五楼 她想去公园坐坐", ["称呼"])
    reply = await chat.say("写刘婆婆 来之前给我打个电话就行")
    assert "心愿号" in reply
    assert (await Wish.get(resident__openid=chat.user)).display_name == "刘婆婆"
