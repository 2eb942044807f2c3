"""Reading request bodies with a size cap (``StreamReader.read(n)`` may return only part of a body), and how
long a request waited before its handler began."""

from __future__ import annotations

import socket
import struct

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


# struct tcp_info (linux/tcp.h): eight one-byte fields, then 32-bit ones; tcpi_last_data_recv, the
# milliseconds since the connection last received data, is the fourteenth field (bytes 52-55).
_TCP_INFO = getattr(socket, "TCP_INFO", None)
_LAST_DATA_RECV = struct.Struct("=I")
_LAST_DATA_RECV_AT = 52


def unseen_for(request: web.Request) -> float | None:
    """Seconds since the kernel received the request's last bytes (``TCP_INFO``'s ``last_data_recv``):
    how long the request has waited, in the listen queue, in the socket's buffer and in the event loop,
    before its handler began. None where the kernel does not say (not Linux, not TCP, a closed socket).
    The loop's own lag cannot see a request that waited in the kernel: under overload, most of the wait."""
    transport = request.transport
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or _TCP_INFO is None:
        return None
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 64)
    except (OSError, AttributeError):
        return None
    if len(raw) < _LAST_DATA_RECV_AT + _LAST_DATA_RECV.size:
        return None
    return float(_LAST_DATA_RECV.unpack_from(raw, _LAST_DATA_RECV_AT)[0]) / 1000
