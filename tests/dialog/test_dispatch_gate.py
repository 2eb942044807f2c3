"""The dispatcher passes over commands a message cannot start (bot/dispatcher.py ``firsts``)."""

from __future__ import annotations

import re

import pytest

from bot.app import build_conversations
from bot.dispatcher import Context, DispatchConflict, Phase, Router, command, first_chars, pattern
from bot.runtime import Conversations
from storage.kv import Store
from tests.helpers import Chat


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"接单\s*(\d+)", "接"),
        (r"^\s*(接单|开始|完成|办结)\s*(\d+)", "接开完办"),
        (r"^\W*(?:没事|没什么事|没啥事)", "没"),
        (r"^\s*[BbＢ]\s*\d", "BbＢ"),
        (r"^\s*(?:代投|代为登记)+", "代"),
        (r"^\s*评价\s*([1-5])", "评"),
    ],
)
def test_a_pattern_says_what_its_matches_start_with(regex: str, expected: str) -> None:
    assert first_chars(re.compile(regex)) == frozenset(expected)


@pytest.mark.parametrize(
    "regex",
    [
        r"^.{0,40}?留言",  # anything may come first
        r"^(?:再加)?一句",  # the first part may be missing
        r"^\W*[：:]",  # what follows \W* is itself no word character
        r"^\s*[a-z]\d",  # a range
        r"^\s*\d+",  # a category
        r"",
    ],
)
def test_a_pattern_that_cannot_say_has_no_gate(regex: str) -> None:
    assert first_chars(re.compile(regex)) is None


def test_case_and_ascii_flags() -> None:
    # a case-blind start of letters has folds beyond lower and upper ("K" is also the Kelvin sign): no gate;
    # a case-blind pattern that starts with 汉字 keeps its gate; with re.ASCII, \W* also passes over 汉字
    assert first_chars(re.compile(r"^\s*k\d", re.IGNORECASE)) is None
    assert re.compile(r"^\s*k\d", re.IGNORECASE).match("\u212a1")
    assert first_chars(re.compile(r"^\s*答复\s*H?\d", re.IGNORECASE)) == frozenset("答")
    assert first_chars(re.compile(r"^\W*测", re.ASCII)) is None


async def test_commands_still_answer_after_spaces_punctuation_and_traditional_characters(
    store: Store, seeded: str
) -> None:
    router = Router("test.gate")

    @router.handle(pattern(re.compile(r"^\W*测试口令\s*(\d+)")))
    async def numbered(ctx: Context) -> None:
        ctx.say_text(f"口令 {ctx.data['match'].group(1)}")

    @router.handle(command("测验词"))
    async def worded(ctx: Context) -> None:
        ctx.say_text(f"命令 {ctx.data['command'].word}")

    chat = Chat(build_conversations(store, extra_routers=[router]))
    assert "口令 12" in await chat.say("  ！！测试口令 12")
    assert "命令 测验词" in await chat.say("  测验词")
    assert "命令 测验词" in await chat.say("“测验词！”")  # the bare word compared


async def test_strict_dispatch_catches_a_gate_that_would_hide_a_match(
    conversations: Conversations, caplog: pytest.LogCaptureFixture
) -> None:
    # the test suite dispatches strictly: a handler passed over for its first characters is still tried,
    # and one that would have answered is an error, so a wrong gate cannot hide behind the others
    router = Router("test.bad_gate")

    def lying(ctx: Context) -> bool:
        return ctx.msg.text == "门口有只猫"

    lying.firsts = frozenset("X")  # type: ignore[attr-defined]

    @router.handle(lying, phase=Phase.COMMAND)
    async def never(ctx: Context) -> None:
        ctx.say_text("不该到这里")

    services = conversations.services
    chat = Chat(build_conversations(services.store, extra_routers=[router]))
    await chat.say("门口有只猫")
    failures = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
    assert any(isinstance(e, DispatchConflict) and "starts with none of" in str(e) for e in failures)
