"""The safety net under the model (content/emergency.yaml ``signals``): danger words that make a message an
emergency even when the model is unsure, and the everyday words around them that must not."""

from __future__ import annotations

import pytest

import content
from nlp.understand import EmergencySignals

SIGNALS = EmergencySignals.from_mapping(content.load_yaml("emergency.yaml"))


@pytest.mark.parametrize(
    "text",
    [
        "我老公换灯的时候被电打了 从梯子上掉下来",
        "孩子摸插座被电到了",
        "我妈倒在厨房 叫她没反应",
        "老伴喊不醒了",
        "邻居大爷躺在楼梯上 人没反应",
        "电梯困人了",
        "有人在撬我们楼下那家的防盗门",
        "好像有小偷翻窗进了隔壁",
    ],
)
def test_danger_is_a_signal(text: str) -> None:
    assert SIGNALS.found_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "门禁卡刷了没反应",
        "对讲机按了没反应 快递进不来",
        "遥控器按了没反应 空调开不了",
        "开关按了莫得反应",
        "怕被电到 电线露在外面",  # a fear, not an accident
        "楼道灯坏了",
    ],
)
def test_everyday_faults_are_no_signal(text: str) -> None:
    assert not SIGNALS.found_in(text)
