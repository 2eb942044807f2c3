"""Whether the community's catalog answers some words, asked by a step of another feature: a report whose
category question is answered with a question ("那要拿哪样克办？") was a question about a service all along
("满了八十岁政府每个月还给点钱 我们家咋个没得"), and a message the model cannot place may be one too. The
services slice registers the checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dispatcher import Context

Check = Callable[[Context, str], Awaitable[bool]]
_CHECKS: dict[str, list[Check]] = {"knows": [], "finds": []}


def register(knows: Check) -> None:
    """``knows``: the catalog answers the words for sure (a card, well above a card's lead)."""
    _CHECKS["knows"].append(knows)


def register_finder(finds: Check) -> None:
    """``finds``: the catalog has any entry for the words (a card or a short list to choose from)."""
    _CHECKS["finds"].append(finds)


async def _any(kind: str, ctx: Context, text: str) -> bool:
    for check in _CHECKS[kind]:
        if await check(ctx, text):
            return True
    return False


async def catalog_knows(ctx: Context, text: str) -> bool:
    return await _any("knows", ctx, text)


async def catalog_finds(ctx: Context, text: str) -> bool:
    return await _any("finds", ctx, text)
