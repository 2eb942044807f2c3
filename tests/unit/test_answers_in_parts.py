"""A yes or a no said with a remark, a reason or a doubt: how ``yes_or_no`` reads an answer in parts."""

from __future__ import annotations

import pytest

from handlers.common.answers import choose, yes_or_no


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("对的 尽快来修哈", True),  # a yes and a remark
        ("可以，辛苦师傅了！", True),
        ("不对 是5栋不是3栋", False),  # a no and the reason
        ("不是，地址写错了", False),
        ("是的 不对 等一下", None),  # both: asked again
        ("对 但是楼号错了", None),  # a yes taken back by a doubt: a wrong yes would file it
        ("是的，就是时间没写", None),
        ("嗯？", None),  # asked back
        ("是吗？", None),
        ("明天几点来", None),  # no answer at all
    ],
)
def test_an_answer_in_parts(text: str, meant: bool | None) -> None:
    assert yes_or_no(text) is meant


def test_a_confirmation_reads_the_parts_too() -> None:
    labels = ["提交", "修改描述"]
    assert choose("对的 尽快来修哈", labels, yes=1, no=2) == 1
    assert choose("对 但是楼号错了", labels, yes=1, no=2) is None


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("冇问题", True),  # 粤语: no problem
        ("系", True),
        ("唔要", False),  # 粤语 唔 is "not", not a filler before 要
        ("覅了", False),  # 吴语
        ("伐要了", False),
        ("甭了", False),
        ("算球了", False),
        ("别提交", False),
        ("交了吧", True),
    ],
)
def test_dialects_and_the_verb_itself(text: str, meant: bool) -> None:
    assert yes_or_no(text) is meant


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("以户为单位", 2),
        ("每家投一票", 2),
        ("人人一票 租户也是人嘛", 1),
        ("只有房主能投", 3),
        ("俺选二号", 2),
    ],
)
def test_a_way_of_counting_in_a_residents_words(text: str, option: int) -> None:
    import content

    labels = [content.text(k) for k in ("votes.per.person", "votes.per.household", "votes.who.owners")]
    assert choose(text, labels) == option


def test_festival_days_and_dialect_words_for_days_and_afternoons() -> None:
    import datetime as dt

    from nlp.slots import extract_date, extract_time

    today = dt.date(2026, 11, 30)
    assert extract_date("元旦前", today) == dt.date(2027, 1, 1)
    assert extract_date("平安夜之前", today) == dt.date(2026, 12, 24)
    assert extract_date("听日", today) == extract_date("明朝", today) == dt.date(2026, 12, 1)
    assert extract_date("後日啦", today) == dt.date(2026, 12, 2)
    assert extract_time("下半天两点") == dt.time(14, 0)
    assert extract_time("下昼三点") == extract_time("后晌三点") == dt.time(15, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an answer that runs on without a pause: its first words decide, the rest is a remark
        ("不对不对是五单元不是四单元", False),
        ("对的就是单元门口那盏灯", True),
        ("不用了我让儿子弄", False),
        ("不是客厅 是厨房漏水", False),
        # ... unless the rest asks, or the answer is itself a question
        ("提交了大概几天能修好", None),
        ("对吗", None),
        ("可以不", None),
        ("取消不取消都一样", None),
        ("是谁", None),  # a one-character word does not lead an answer
        ("好多天了", None),
        # a mistake named is a no; a mistake denied or wondered about is not
        ("房号写错了", False),
        ("电话不是这个", False),
        ("没写错", True),
        ("写错了吗", None),
        ("好像对又好像不对", None),
        # traditional characters, dialects, Latin letters, a thank-you after, a hesitation after
        ("對的 沒錯", True),
        ("系呀 冇错", True),
        ("弗对额", False),
        ("仲未", False),
        ("bu yong", False),
        ("好嘅 唔该晒", True),
        ("嗯 我再想想", None),
        ("不用改", True),
        ("可是", None),
    ],
)
def test_answers_said_without_a_pause_or_in_another_voice(text: str, expected: bool | None) -> None:
    assert yes_or_no(text) is expected


def test_a_numbered_question_does_not_read_a_run_on_no_as_its_no_option() -> None:
    # "不要匿名" is not the anonymous option 3, though a plain no would be
    labels = ["王女士", "王先生", "匿名"]
    assert choose("不要匿名", labels, no=3) is None
    assert choose("不要", labels, no=3) == 3


@pytest.mark.parametrize(
    ("text", "option"),
    [("2️⃣", 2), ("选项三", 3), ("option 1", 1), ("two", 2), ("1还是3……算了选3", 3), ("二三都不行 选1", 1)],
)
def test_options_named_by_keycaps_english_or_last(text: str, option: int) -> None:
    assert choose(text, ["一人一票", "一户一票", "仅限业主"]) == option


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # slips of a pinyin keyboard or of voice input: a character that sounds the same
        ("事的", True),
        ("队的 麻烦了", True),
        ("确人提交", True),
        ("部用了", False),
        ("不队", False),
        # ... but not a real word, a single character or a question
        ("事实", None),
        ("十", None),
        ("市吗", None),
    ],
)
def test_homophones_typed_for_an_answer(text: str, expected: bool | None) -> None:
    assert yes_or_no(text) is expected


def test_every_character_of_the_answers_has_its_syllable() -> None:
    # nlp/data/syllables.txt is written by nlp/homophones_build.py: a new word needs it written again
    import content
    from nlp.sounds import syllable_of

    answers = content.load_yaml("answers.yaml")
    missing = {
        ch
        for kind in ("yes", "no", "skip", "ack")
        for word in answers[kind]
        for ch in str(word)
        if "\u4e00" <= ch <= "\u9fff" and ch not in syllable_of()
    }
    assert not missing, f"run nlp/homophones_build.py: {''.join(sorted(missing))}"
