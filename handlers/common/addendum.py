"""A line added after something was filed: "再加一句：我可以报名当志愿者帮忙张罗", "补充一下 楼上是402". The
last report, message or suggestion the resident filed (remembered in the dialog with no step open) takes the
words, instead of the words starting something new. Each slice registers how its own records take them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.dispatcher import Context, Router, pattern

router = Router("common.addendum")

# the words that add to what was just filed, and what is added ("补充心愿" is the wishes' own command)
_ADDED = re.compile(
    r"^\W*(?:再加(?:一句|两句|一点)|再补充(?:一句|一下|两句|一点)?|补充(?:一下|一句|两句|一点|说明)?(?!心愿)"
    r"|追加一句|还要补充|忘了说了?)[\s：:，,。.、]*(\S.*)$",
    re.S,
)
_KEY = "added_to"

# kind -> (the record's id, the words, the resident, now) -> what the reply calls it ("报修单 R2612-0001")
Appender = Callable[[Context, int, str], Awaitable[str | None]]
_APPENDERS: dict[str, Appender] = {}


def register(kind: str, appender: Appender) -> None:
    _APPENDERS[kind] = appender


def remember(ctx: Context, kind: str, record_id: int) -> None:
    """What was just filed, for a line added after it (call once the dialog is cleared)."""
    ctx.dialog.update(**{_KEY: {"kind": kind, "id": record_id}})


def last_filed(ctx: Context) -> tuple[str, int] | None:
    """(kind, id) of what was just filed, while no step is open; None otherwise."""
    last = ctx.dialog.data.get(_KEY)
    if ctx.dialog.state is not None or not isinstance(last, dict) or last.get("kind") not in _APPENDERS:
        return None
    return str(last["kind"]), int(last["id"])


def adds(ctx: Context) -> bool:
    """A line that adds to what was just filed ("补充一下 …" with something filed to take it)."""
    if not ctx.msg.has_text or not _ADDED.match(ctx.msg.text):
        return False
    last = ctx.dialog.data.get(_KEY)
    return ctx.dialog.state is None and isinstance(last, dict) and last.get("kind") in _APPENDERS


@router.handle(pattern(_ADDED), adds)
async def added(ctx: Context) -> None:
    last = ctx.dialog.data[_KEY]
    words = ctx.data["match"].group(1).strip()
    what = await _APPENDERS[last["kind"]](ctx, int(last["id"]), words)
    if what is None:  # closed or gone since: the words are taken as a message of their own
        ctx.dialog.update(**{_KEY: None})
        ctx.say("common.added_too_late")
        return
    ctx.say("common.added", what=what)
