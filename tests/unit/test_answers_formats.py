"""The shared vocabulary of everyday answers and the shared ways of writing a home and a day."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.common import formats
from handlers.common.answers import is_no, is_skip, is_yes, numbered_or_yes_no, yes_or_no

YES = [
    "是的",
    "是",
    "对",
    "对的",
    "嗯",
    "嗯嗯",
    "好",
    "好的",
    "可以",
    "确认",
    "没问题",
    "行",
    "中",
    "要得",
    "ok",
]
NO = ["不是", "不对", "不用", "算了", "错了", "不要", "否"]
SKIP = ["跳过", "没有", "不用了", "无"]


@pytest.mark.parametrize("word", YES)
def test_everyday_yes(word: str) -> None:
    assert is_yes(word) and not is_no(word) and yes_or_no(word) is True


@pytest.mark.parametrize("word", NO)
def test_everyday_no(word: str) -> None:
    assert is_no(word) and not is_yes(word) and yes_or_no(word) is False


@pytest.mark.parametrize("word", SKIP)
def test_everyday_skip(word: str) -> None:
    assert is_skip(word) and not is_yes(word)


@pytest.mark.parametrize("said", ["好的！", "好的呀", " 是的。", "OK", "Ok!", "对啊", "嗯嗯，", "好了"])
def test_punctuation_case_and_a_trailing_particle_do_not_matter(said: str) -> None:
    assert is_yes(said)


@pytest.mark.parametrize("said", ["", "1", "好像不对劲", "是不是要交钱", "不是很清楚怎么办", "我想好好想想"])
def test_a_sentence_is_not_an_answer_word(said: str) -> None:
    assert yes_or_no(said) is None and not is_skip(said)


def test_numbered_or_yes_no() -> None:
    assert numbered_or_yes_no("2", 2) == 2
    assert numbered_or_yes_no("是的", 2) == 1
    assert numbered_or_yes_no("不用了", 2) == 2
    assert numbered_or_yes_no("不用了", 1, no=None) is None
    assert numbered_or_yes_no("随便", 2) is None


def test_a_home_is_written_one_way() -> None:
    assert formats.home(3, 2, "502") == "3栋2单元502"
    assert formats.home(8, 0, "101") == "8栋101"  # no units
    assert formats.home(3, 2) == "3栋2单元"  # a place, not a home
    assert formats.home(5) == "5栋"


def test_a_day_is_written_one_way() -> None:
    saturday = dt.date(2026, 12, 5)
    assert formats.day(saturday) == "12月5日（周六）"
    assert formats.day(saturday, weekday=False) == "12月5日"
    assert formats.day_from(saturday, saturday) == "今天"
    assert formats.day_from(saturday, saturday - dt.timedelta(days=1)) == "明天"
    assert formats.day_from(saturday, dt.date(2026, 11, 24)) == "12月5日（周六）"
    assert formats.day_time(dt.datetime(2026, 12, 5, 14, 30)) == "12月5日（周六） 14:30"


@pytest.mark.parametrize(
    ("hours", "written"), [(4, "4 小时"), (24, "24 小时"), (47.5, "47 小时"), (72, "3 天")]
)
def test_a_time_limit_is_written_one_way(hours: float, written: str) -> None:
    """The resident's report and the grid worker's report for them promise the same words."""
    assert formats.hours(hours) == written
