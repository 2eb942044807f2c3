"""The words of notices: a receipt in everyday words, and when to publish as staff write it."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.common.answers import is_received
from handlers.notices.committee_dialog import read_when
from tests.helpers import CST

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=CST)  # a Tuesday


@pytest.mark.parametrize(
    "said", ["1", "收到", "收到！", "收到了", "收到啦", "好的收到", "已收到", "知道了", "收到，谢谢"]
)
def test_a_receipt(said: str) -> None:
    assert is_received(said)


@pytest.mark.parametrize("said", ["2", "收", "不收到", "没收到", "好的", "停水了", "收到通知了吗"])
def test_not_a_receipt(said: str) -> None:
    assert not is_received(said)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("现在", None),
        ("马上发", None),
        ("随便", None),  # the default: now
        ("明天上午8点", dt.datetime(2026, 11, 25, 8, 0, tzinfo=CST)),
        ("今晚七点半", dt.datetime(2026, 11, 24, 19, 30, tzinfo=CST)),
        ("下午3点", dt.datetime(2026, 11, 24, 15, 0, tzinfo=CST)),
        ("12月5日 9:00", dt.datetime(2026, 12, 5, 9, 0, tzinfo=CST)),
        ("周五", dt.datetime(2026, 11, 27, 8, 0, tzinfo=CST)),  # a day alone: 8:00
    ],
)
def test_when_to_publish(said: str, expected: dt.datetime | None) -> None:
    assert read_when(said, NOW) == expected


def test_no_time_at_all() -> None:
    with pytest.raises(ValueError):
        read_when("等领导审核", NOW)
