"""Reading request bodies with a size cap (``StreamReader.read(n)`` may return only part of a body)."""

from __future__ import annotations

from aiohttp import web


class TooLarge(Exception):
    pass


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The whole body; ``TooLarge`` as soon as it passes ``limit`` bytes (the rest is not read)."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
