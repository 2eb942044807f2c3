"""Whole conversations as transcripts: ``(said, expected)`` pairs, as zulip_bots' test_lib does."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from bot.messages import EventName, IncomingMessage, Kind, Location
from bot.runtime import Conversations

_ids = itertools.count(1)
Expected = str | Sequence[str]


class Chat:
    def __init__(self, conversations: Conversations, user: str = "resident-1") -> None:
        self.conversations = conversations
        self.user = user

    async def send(self, msg: IncomingMessage) -> str:
        return (await self.conversations.handle(msg)).text

    def _msg(self, kind: Kind, **fields: object) -> IncomingMessage:
        return IncomingMessage(user=self.user, kind=kind, dedup_key=f"test:{next(_ids)}", **fields)  # type: ignore[arg-type]

    async def say(self, text: str) -> str:
        return await self.send(self._msg(Kind.TEXT, text=text))

    async def voice(self, recognition: str) -> str:
        return await self.send(self._msg(Kind.VOICE, text=recognition, media_id="m1"))

    async def image(self) -> str:
        return await self.send(self._msg(Kind.IMAGE, media_id="m2", image_url="http://x/p.jpg"))

    async def location(self, lat: float, lng: float, label: str = "") -> str:
        return await self.send(self._msg(Kind.LOCATION, location=Location(lat, lng, label)))

    async def event(self, name: EventName, key: str = "") -> str:
        return await self.send(self._msg(Kind.EVENT, event=name, event_key=key))

    async def kind(self, kind: Kind) -> str:
        return await self.send(self._msg(kind))

    async def run(self, transcript: Sequence[tuple[str, Expected]]) -> list[str]:
        """Say each line; each reply must contain the expected text (or every one of a list)."""
        replies = []
        for said, expected in transcript:
            reply = await self.say(said)
            wanted = [expected] if isinstance(expected, str) else list(expected)
            for piece in wanted:
                assert piece in reply, f"after {said!r} expected {piece!r} in:\n{reply}"
            replies.append(reply)
        return replies


CST = dt.timezone(dt.timedelta(hours=8))


class Clock:
    """A controllable clock for time limits, windows and lapses: tests move ``now`` instead of sleeping."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime(2026, 11, 24, 9, 0, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now


async def bound(conv: Conversations, user: str = "resident-1", address: str = "3栋2单元502") -> Chat:
    """A resident of the demo's 幸福里社区, bound to ``address`` through the chat."""
    chat = Chat(conv, user)
    await chat.run([("绑定", "社区"), ("1", "门牌"), (address, "核对"), ("1", "绑定成功")])
    return chat
