"""``community-bot nlp conversations``: whole conversations replayed against the real bot (SQLite, the demo
deployment) and judged by the rows they left; a judge that cannot fail would measure nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.conversation_eval import parse, report, run_all

SAMPLE = """
## lamp
home: 3栋2单元502
expect: repair category=公共照明 building=3 unit=2
居民: 楼道灯坏了好几天了
小助手: (the writer's guess, not sent)
居民: 是的
居民: 跳过
居民: 提交

## lamp-elsewhere
home: 3栋2单元502
expect: repair category=公共照明 building=4
居民: 楼道灯坏了好几天了
居民: 是的
居民: 跳过
居民: 提交

## changed-mind
home: 4栋3单元201
expect: nothing
居民: 我要报修 厨房水管漏水
居民: 算了不报了

## legal-aid
home: 2栋2单元402
expect: service keyword=12348
居民: 法律援助电话多少
"""


def test_a_conversation_file_is_read_and_a_malformed_one_named() -> None:
    convs = parse(SAMPLE)
    assert [c.name for c in convs] == ["lamp", "lamp-elsewhere", "changed-mind", "legal-aid"]
    assert convs[0].expect == {"category": "公共照明", "building": "3", "unit": "2"}
    assert convs[0].lines == ["楼道灯坏了好几天了", "是的", "跳过", "提交"]  # the bot's lines are not sent
    with pytest.raises(ValueError, match="bad"):
        parse("## bad\nhome: 1栋1单元101\nexpect: teleport\n居民: 你好\n")


def test_each_conversation_is_judged_by_what_it_left_behind() -> None:
    outcomes = asyncio.run(run_all(parse(SAMPLE)))
    verdicts = {o.conversation.name: o.passed for o in outcomes}
    # each conversation runs on its own copy of the demo: the second lamp is no duplicate of the first
    assert verdicts == {"lamp": True, "lamp-elsewhere": False, "changed-mind": True, "legal-aid": True}
    assert "repair 公共照明 3/2" in outcomes[1].found
    text = report(outcomes, worst=5)
    assert "lamp-elsewhere: expected repair" in text and "all          4   75.0%" in text
