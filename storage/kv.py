"""Small shared state behind one interface: dedup keys, dialog state, cached replies, locks, tokens.

``MemoryStore`` serves one process (the embedded default, the terminal chat, tests); ``RedisStore``
serves several worker processes. Both pass the same contract tests (``tests/integration/test_kv.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import LockError


class LockTimeout(Exception):
    """The lock was not acquired within the wait time."""


class Store(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        """Atomically set ``key`` only when it does not exist; True when this call set it."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, ttl: float) -> int:
        """Add one to a counter that expires ``ttl`` seconds after its first increment; the new value."""
        ...

    def lock(self, key: str, *, timeout: float = 30.0, wait: float = 10.0) -> Lock:
        """A mutual-exclusion lock held at most ``timeout`` seconds, waited for at most ``wait``."""
        ...

    async def take_token(self, key: str, rate: float, burst: float) -> float:
        """Take one token from the bucket ``key``, refilled at ``rate`` tokens a second up to ``burst``
        (full at first): 0.0 when one was taken, else the seconds until one will be (nothing taken). One
        bucket for every process sharing the store: a rate limit that holds across workers."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class Lock(Protocol):
    async def __aenter__(self) -> None: ...

    async def __aexit__(self, *exc: object) -> None: ...


class MemoryStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[str, float | None]] = {}
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def _alive(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        return self._alive(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._data[key] = (value, None if ttl is None else self._clock() + ttl)
        if len(self._data) > 50_000:
            self._sweep()

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        if self._alive(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, ttl: float) -> int:
        current = self._alive(key)
        value = int(current or 0) + 1
        expires = self._data[key][1] if current is not None else self._clock() + ttl
        self._data[key] = (str(value), expires)
        return value

    def lock(self, key: str, *, timeout: float = 30.0, wait: float = 10.0) -> Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return _MemoryLock(lock, wait)

    async def take_token(self, key: str, rate: float, burst: float) -> float:
        now = self._clock()
        tokens, at = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + max(0.0, now - at) * rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / rate

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()

    def _sweep(self) -> None:
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]


class _MemoryLock:
    def __init__(self, lock: asyncio.Lock, wait: float) -> None:
        self._lock = lock  # holding a strong reference keeps the weak-dict entry alive while in use
        self._wait = wait

    async def __aenter__(self) -> None:
        try:
            await asyncio.wait_for(self._lock.acquire(), self._wait)
        except TimeoutError as exc:
            raise LockTimeout from exc

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


class RedisStore:
    def __init__(
        self, url: str, prefix: str = "cb:", max_connections: int = 200, pool_timeout: float = 5.0
    ) -> None:
        # No per-command socket timeout: redis-py wraps every read in its own timeout context, which cost
        # about a tenth of the whole message hot path (bench/). A dead peer is found by TCP keepalive
        # instead (about 11 s), and the callers that must not wait bound their own waits.
        # A blocking pool: past ``max_connections`` a command waits (up to ``pool_timeout``) for a free
        # connection instead of failing with MaxConnectionsError, which lost ballots in a burst.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            decode_responses=True,
            socket_timeout=None,  # redis-py 8 defaults to 5 s
            socket_connect_timeout=5,
            socket_keepalive=True,
            socket_keepalive_options=_KEEPALIVE,
        )
        self.client: aioredis.Redis = aioredis.Redis(connection_pool=pool)
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def get(self, key: str) -> str | None:
        value = await self.client.get(self._k(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self.client.set(self._k(key), value, px=None if ttl is None else max(1, int(ttl * 1000)))

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self.client.set(self._k(key), value, nx=True, px=max(1, int(ttl * 1000))))

    async def delete(self, key: str) -> None:
        await self.client.delete(self._k(key))

    async def incr(self, key: str, ttl: float) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            pipe.pexpire(self._k(key), max(1, int(ttl * 1000)), nx=True)
            value, _ = await pipe.execute()
        return int(value)

    def lock(self, key: str, *, timeout: float = 30.0, wait: float = 10.0) -> Lock:
        return _RedisLock(self.client, self._k("lock:" + key), timeout, wait)

    async def take_token(self, key: str, rate: float, burst: float) -> float:
        wait = await self.client.eval(_TAKE_TOKEN, 1, self._k("bucket:" + key), repr(rate), repr(burst))
        return float(wait)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(2):
                return bool(await self.client.ping())
        except Exception:
            return False

    async def close(self) -> None:
        await self.client.aclose()

    async def flush_prefix(self) -> None:
        """Delete every key under this store's prefix (tests, ``demo --reset``)."""
        async for key in self.client.scan_iter(match=self.prefix + "*", count=500):
            await self.client.delete(key)


# A token bucket counted on the server's own clock (every worker sees one time), in one atomic step.
_TAKE_TOKEN = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(kept[1]) or burst, tonumber(kept[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""

_KEEPALIVE = {
    option: value
    for option, value in (
        (getattr(socket, "TCP_KEEPIDLE", None), 5),
        (getattr(socket, "TCP_KEEPINTVL", None), 2),
        (getattr(socket, "TCP_KEEPCNT", None), 3),
    )
    if option is not None
}


class _RedisLock:
    def __init__(self, client: aioredis.Redis, name: str, timeout: float, wait: float) -> None:
        self._lock = client.lock(name, timeout=timeout, blocking_timeout=wait, sleep=0.005)

    async def __aenter__(self) -> None:
        try:
            acquired = await self._lock.acquire()
        except LockError as exc:
            raise LockTimeout from exc
        if not acquired:
            raise LockTimeout

    async def __aexit__(self, *exc: object) -> None:
        # LockError: the lock expired while held and the next holder has it; nothing to undo.
        with contextlib.suppress(LockError):
            await self._lock.release()


def open_store(redis_url: str | None, prefix: str = "cb:", max_connections: int = 200) -> Store:
    return RedisStore(redis_url, prefix, max_connections) if redis_url else MemoryStore()


@asynccontextmanager
async def store_context(redis_url: str | None, prefix: str = "cb:") -> AsyncIterator[Store]:
    store = open_store(redis_url, prefix)
    try:
        yield store
    finally:
        await store.close()
