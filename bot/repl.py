"""``community-bot chat``: the same dialog as WeChat, in a terminal.

Interactive on a tty; line by line from a pipe, echoing each line, so whole conversations can be
scripted: ``printf '绑定\\n1\\n3栋2单元502\\n1\\n' | community-bot chat``. Lines starting with ``/``
send what a keyboard cannot: ``/image [path]``, ``/location LAT LNG [label]``, ``/voice TEXT``,
``/follow [scene]``, ``/click KEY``, ``/quit``.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import uuid
from typing import Any, TextIO

import content
from bot.app import open_runtime
from bot.config import Settings
from bot.messages import EventName, IncomingMessage, Kind, Location
from bot.runtime import Conversations
from storage.models import Person


def _next_key(user: str) -> str:
    """A message id no other run, process or restart gives: idempotency keys (a ticket's, a wish's source
    key) are stored for good, so a counter starting at 1 in every process would find an older one's row."""
    return f"t:{user}:{uuid.uuid4().hex}"


def parse_line(user: str, line: str) -> IncomingMessage | None:
    """A typed line as the message it stands for; None for /quit. Raises ValueError on a bad command."""

    def make(kind: Kind, **fields: Any) -> IncomingMessage:
        return IncomingMessage(user=user, kind=kind, dedup_key=_next_key(user), channel="terminal", **fields)

    if not line.startswith("/"):
        return make(Kind.TEXT, text=line)
    parts = shlex.split(line[1:]) or [""]
    command, args = parts[0].lower(), parts[1:]
    if command in ("quit", "exit", "q"):
        return None
    if command == "image":
        path = args[0] if args else "photo.jpg"
        return make(Kind.IMAGE, media_id=f"local:{path}", image_url=path)
    if command == "location" and len(args) >= 2:
        return make(Kind.LOCATION, location=Location(float(args[0]), float(args[1]), " ".join(args[2:])))
    if command == "voice":
        return make(Kind.VOICE, text=" ".join(args))
    if command == "follow":
        return make(Kind.EVENT, event=EventName.SUBSCRIBE, event_key=args[0] if args else "")
    if command == "click" and args:
        return make(Kind.EVENT, event=EventName.CLICK, event_key=args[0])
    if command == "video":
        return make(Kind.VIDEO, media_id="local:video")
    raise ValueError(
        "/image [path] | /location LAT LNG [label] | /voice TEXT | /follow [scene] | /click KEY | /quit"
    )


def show(reply_text: str, out: TextIO) -> None:
    lines = reply_text.splitlines() or [""]
    out.write("小助手: " + lines[0] + "\n")
    for line in lines[1:]:
        out.write("        " + line + "\n")
    out.flush()


async def converse(conversations: Conversations, user: str, stdin: TextIO, out: TextIO) -> None:
    interactive = stdin.isatty()
    if interactive:
        out.write(content.text("chat.banner", user=user) + "\n")
    if not await Person.exists(openid=user):
        first = IncomingMessage(
            user=user,
            kind=Kind.EVENT,
            dedup_key=_next_key(user),
            event=EventName.SUBSCRIBE,
            channel="terminal",
        )
        show((await conversations.handle(first)).text, out)
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            try:
                line = await loop.run_in_executor(None, input, "居民> ")
            except EOFError:
                break
        else:
            raw = stdin.readline()
            if not raw:
                break
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            out.write(f"居民: {line}\n")
        line = line.strip()
        if not line:
            continue
        try:
            msg = parse_line(user, line)
        except ValueError as exc:
            out.write(f"  ({exc})\n")
            continue
        if msg is None:
            break
        reply = await conversations.handle(msg)
        if reply:
            show(reply.text, out)


async def run_chat(
    settings: Settings, user: str, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    async with open_runtime(settings) as runtime:
        await converse(runtime.conversations, user, stdin, out)
