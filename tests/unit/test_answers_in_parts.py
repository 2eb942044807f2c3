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
