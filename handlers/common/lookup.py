"""Whether the community's catalog answers some words for sure, asked by a step of another feature: a
report whose category question is answered with a question ("那要拿哪样克办？") was a question about a
service all along ("满了八十岁政府每个月还给点钱 我们家咋个没得"). The services slice registers the check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dispatcher import Context

Knows = Callable[[Context, str], Awaitable[bool]]
_CHECKS: list[Knows] = []


def register(knows: Knows) -> None:
    _CHECKS.append(knows)


async def catalog_knows(ctx: Context, text: str) -> bool:
    for knows in _CHECKS:
        if await knows(ctx, text):
            return True
    return False


Finds = Callable[[Context, str], Awaitable[bool]]
_FINDERS: list[Finds] = []


def register_finder(finds: Finds) -> None:
    _FINDERS.append(finds)


async def catalog_finds(ctx: Context, text: str) -> bool:
    """The catalog has any entry for the words (a card or a short list to choose from)."""
    for finds in _FINDERS:
        if await finds(ctx, text):
            return True
    return False
