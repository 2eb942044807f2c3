"""Which consultation words name by its subject: pure, no database."""

from __future__ import annotations

import pytest

from handlers.votes import mentions

_CUT = {
    "东门加装非机动车充电棚": ["东门", "加装", "非机动车", "充电", "棚"],
    "3栋加装电梯方案": ["3", "栋", "加装", "电梯", "方案"],
}


def _words(title: str) -> list[str]:
    return _CUT[title]


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("就是那个充电棚咯", True),
        ("听说要在东门装充电棚？", True),
        ("楼道里电瓶车充电太危险了", False),  # 车充电 runs across two of the title's words
        ("东门的路灯不亮了", False),  # a place alone
    ],
)
def test_what_names_a_consultation_by_its_subject(said: str, named: bool) -> None:
    found = mentions.named(said, ["东门加装非机动车充电棚"], least=3, subject=True, words=_words)
    assert (found is not None) is named


@pytest.mark.parametrize(
    ("said", "option"),
    [
        ("3栋加装电梯方案，我同意", 0),  # 3 is no option 3
        ("加电梯的事俺坚决反对", 1),
        ("我对这件事了解不多，选择弃权", 2),
        ("第一个", None),  # a place in a list, not a word of an option
        ("我还是回去跟家里人商量商量再说，先不投了", None),
    ],
)
def test_the_option_a_sentence_chooses(said: str, option: int | None) -> None:
    named = mentions.mention(said, 0, "3栋加装电梯方案", ("同意", "不同意", "弃权"), _words)
    assert mentions.option_in(said, ("同意", "不同意", "弃权"), named.pieces) == option


@pytest.mark.parametrize(
    ("said", "later"),
    [
        ("我还是回去跟家里人商量商量再说，先不投了", True),
        ("等我问问老伴再投", True),
        ("还没想好", True),
        ("弃权", False),
        ("我再想想", False),  # asked again with the options, as before
        ("建好以后再收费吗？", False),  # a question
    ],
)
def test_putting_off(said: str, later: bool) -> None:
    assert mentions.puts_off(said) is later


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("请问充电棚建好以后会占用现在的机动车位吗？", True),
        ("费用谁出", True),
        ("收费贵不贵", True),
        ("没什么意见，同意", False),
    ],
)
def test_questions(said: str, asks: bool) -> None:
    assert mentions.is_question(said) is asks
