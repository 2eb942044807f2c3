"""A yes followed by a remark: a "not" about something else leaves it a yes; a doubt about the answer, or
being unsure, makes it no answer (asked again, never guessed)."""

from __future__ import annotations

import pytest

from handlers.common.answers import yes_or_no


@pytest.mark.parametrize(
    "text",
    [
        "要得 叫他们晚上莫再剁肉了",
        "没错 上楼敲门家里没人",
        "确认 别说是我报的哈",
        "确认 这都第三回了 事不过三",
    ],
)
def test_a_yes_with_a_not_about_something_else_is_a_yes(text: str) -> None:
    assert yes_or_no(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "对 但是楼号不对",
        "是的 不过单元写错了",
        "是的 我也说不准",
        "对吧 我不确定",
        "好 先别提交",
        "是的 师傅今天能来不",
    ],
)
def test_a_yes_with_a_doubt_or_unsure_is_no_answer(text: str) -> None:
    assert yes_or_no(text) is None
