"""A conversation turn's shared state: per-message deduplication and per-user state held under a lock.

A turn needs, in order: "have I seen this delivery?" (WeChat retries, possibly to another worker), the
user's lock, the user's dialog state; and at the end: the new state, the outcome for any retry, and the lock
released. ``RedisTurns`` does each end in one round trip (Lua scripts); ``StoreTurns`` composes the same from
any ``Store`` (the in-process one for the embedded default). Both pass ``tests/integration/test_turns.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.asyncio.connection import Connection
from redis.exceptions import NoScriptError

from storage.kv import LockTimeout, RedisStore, Store

try:  # redis[hiredis] is a dependency; its packer is in C (redis-py's asyncio client packs in Python)
    from hiredis import pack_command as _hiredis_pack
except ImportError:  # pragma: no cover - hiredis missing: redis-py's own packer
    _hiredis_pack = None  # type: ignore[assignment]

_MAX_IDLE = 64  # idle Redis connections kept for turns
PENDING = "p"  # the first delivery is being handled
LATE = "l"  # it overran WeChat's deadline: its reply goes out through the customer-service API
DONE = "d:"  # followed by the reply text given to the first delivery


@dataclass(frozen=True)
class Begun:
    """``duplicate``: another delivery of this message was seen; ``outcome`` is what it recorded so far.
    Otherwise the user's lock is held (``token``) and ``state`` is their stored state (or None)."""

    duplicate: bool
    token: str = ""
    state: str | None = None
    outcome: str | None = None


class TurnStore(Protocol):
    async def begin(self, user: str, dedup_key: str) -> Begun:
        """Record the delivery and, when it is new, take the user's lock and load their state.
        Raises ``LockTimeout`` when the lock stays busy (the delivery is then forgotten)."""
        ...

    async def finish(
        self,
        user: str,
        token: str,
        dedup_key: str,
        *,
        state: str | None,
        save_state: bool,
        outcome: str | None,
    ) -> None:
        """Save the state (``None`` deletes it) when ``save_state``, record the outcome for retries
        (``None`` forgets the delivery so that a retry runs again), release the lock."""
        ...

    async def mark_late(self, user: str, dedup_key: str) -> None:
        """The first delivery overran the deadline: retries answer ``success`` from now on."""
        ...

    async def outcome(self, user: str, dedup_key: str) -> str | None:
        """What the first delivery recorded: PENDING, LATE or DONE + reply (None: nothing)."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class TurnSettings:
    state_ttl: float = 1800
    dedup_ttl: float = 600
    lock_ttl: float = 60
    lock_wait: float = 15


def _keys(user: str, dedup_key: str) -> tuple[str, str, str]:
    # the {user} hash tag keeps a turn's keys in one Redis Cluster slot
    return f"dedup:{{{user}}}:{dedup_key}", f"lock:{{{user}}}", f"state:{{{user}}}"


class StoreTurns:
    """Turns composed from the plain ``Store`` operations (the in-process store)."""

    def __init__(self, store: Store, settings: TurnSettings) -> None:
        self.store = store
        self.settings = settings
        self._held: dict[str, tuple[str, object]] = {}

    async def begin(self, user: str, dedup_key: str) -> Begun:
        dedup, lock_key, state_key = _keys(user, dedup_key)
        if not await self.store.set_if_absent(dedup, PENDING, self.settings.dedup_ttl):
            return Begun(duplicate=True, outcome=await self.store.get(dedup))
        lock = self.store.lock(lock_key, timeout=self.settings.lock_ttl, wait=self.settings.lock_wait)
        try:
            await lock.__aenter__()
        except LockTimeout:
            await self.store.delete(dedup)
            raise
        token = secrets.token_hex(8)
        self._held[token] = (user, lock)
        return Begun(duplicate=False, token=token, state=await self.store.get(state_key))

    async def finish(
        self,
        user: str,
        token: str,
        dedup_key: str,
        *,
        state: str | None,
        save_state: bool,
        outcome: str | None,
    ) -> None:
        dedup, _, state_key = _keys(user, dedup_key)
        try:
            if save_state:
                if state is None:
                    await self.store.delete(state_key)
                else:
                    await self.store.set(state_key, state, self.settings.state_ttl)
            if outcome is None:
                await self.store.delete(dedup)
            elif await self.store.get(dedup) == PENDING:  # a LATE mark stays: the reply goes out later
                await self.store.set(dedup, DONE + outcome, self.settings.dedup_ttl)
        finally:
            held = self._held.pop(token, None)
            if held is not None:
                await held[1].__aexit__(None, None, None)  # type: ignore[attr-defined]

    async def mark_late(self, user: str, dedup_key: str) -> None:
        await self.store.set(_keys(user, dedup_key)[0], LATE, self.settings.dedup_ttl)

    async def outcome(self, user: str, dedup_key: str) -> str | None:
        return await self.store.get(_keys(user, dedup_key)[0])

    async def close(self) -> None:
        """Nothing of its own to close: the store is closed by its owner."""


_BEGIN = """
if redis.call('SET', KEYS[1], 'p', 'NX', 'PX', ARGV[1]) == false then
  return {0, redis.call('GET', KEYS[1])}
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) == false then
  return {2}
end
return {1, redis.call('GET', KEYS[3])}
"""
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) == false then return {2} end
return {1, redis.call('GET', KEYS[2])}
"""
_FINISH = """
if ARGV[1] == '1' then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) end
end
if ARGV[5] == '' then
  redis.call('DEL', KEYS[3])
elseif redis.call('GET', KEYS[3]) == 'p' then
  redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7])
end
if redis.call('GET', KEYS[2]) == ARGV[8] then redis.call('DEL', KEYS[2]) end
return 1
"""


class RedisTurns:
    """Turns on Redis: one round trip to begin, one to finish."""

    def __init__(self, store: RedisStore, settings: TurnSettings) -> None:
        self.redis: aioredis.Redis = store.client
        self.prefix = store.prefix
        self.settings = settings
        self._scripts = {
            name: (body, _sha1(body))
            for name, body in (("begin", _BEGIN), ("acquire", _ACQUIRE), ("finish", _FINISH))
        }
        self._tokens = itertools.count(1)
        self._token_prefix = secrets.token_hex(6)
        self._free: list[Connection] = []

    async def _run(self, name: str, keys: list[str], args: list[object]) -> Any:
        """EVALSHA on a connection of our own free list, not through the client and its pool: on this
        path redis-py's per-command machinery (pool bookkeeping, metrics hooks, retry wrappers) cost more
        than the round trip itself (bench/). The script is loaded once when Redis lacks it. No retry: a
        command may have run before its connection broke, and running ``begin`` twice is not harmless."""
        body, sha = self._scripts[name]
        conn = self._free.pop() if self._free else self.redis.connection_pool.make_connection()
        try:
            await conn.connect()
            command = ("EVALSHA", sha, len(keys), *keys, *args)
            try:
                await conn.send_packed_command(_pack(conn, command))
                result = await conn.read_response()
            except NoScriptError:
                await conn.send_command("SCRIPT", "LOAD", body)
                await conn.read_response()
                await conn.send_packed_command(_pack(conn, command))
                result = await conn.read_response()
        except BaseException:
            await conn.disconnect(nowait=True)
            raise
        if len(self._free) < _MAX_IDLE:
            self._free.append(conn)
        else:
            await conn.disconnect()
        return result

    async def close(self) -> None:
        while self._free:
            await self._free.pop().disconnect()

    def _k(self, user: str, dedup_key: str) -> list[str]:
        return [self.prefix + k for k in _keys(user, dedup_key)]

    async def begin(self, user: str, dedup_key: str) -> Begun:
        dedup, lock_key, state_key = self._k(user, dedup_key)
        token = f"{self._token_prefix}:{next(self._tokens)}"
        s = self.settings
        result = await self._run(
            "begin", [dedup, lock_key, state_key], [int(s.dedup_ttl * 1000), token, int(s.lock_ttl * 1000)]
        )
        if result[0] == 0:
            return Begun(duplicate=True, outcome=_text(result[1]))
        deadline = time.monotonic() + s.lock_wait
        while result[0] == 2:  # the user's previous message is still being handled
            if time.monotonic() > deadline:
                await self.redis.delete(dedup)
                raise LockTimeout
            await asyncio.sleep(0.005)
            result = await self._run("acquire", [lock_key, state_key], [token, int(s.lock_ttl * 1000)])
        return Begun(duplicate=False, token=token, state=_text(result[1]) if len(result) > 1 else None)

    async def finish(
        self,
        user: str,
        token: str,
        dedup_key: str,
        *,
        state: str | None,
        save_state: bool,
        outcome: str | None,
    ) -> None:
        dedup, lock_key, state_key = self._k(user, dedup_key)
        s = self.settings
        await self._run(
            "finish",
            [state_key, lock_key, dedup],
            [
                "1" if save_state else "0",
                "" if state is None else "1",
                state or "",
                int(s.state_ttl * 1000),
                "" if outcome is None else "1",
                DONE + (outcome or ""),
                int(s.dedup_ttl * 1000),
                token,
            ],
        )

    async def mark_late(self, user: str, dedup_key: str) -> None:
        await self.redis.set(self._k(user, dedup_key)[0], LATE, px=int(self.settings.dedup_ttl * 1000))

    async def outcome(self, user: str, dedup_key: str) -> str | None:
        return _text(await self.redis.get(self._k(user, dedup_key)[0]))


def _pack(conn: Connection, command: tuple[Any, ...]) -> bytes | list[bytes]:
    """The command in Redis's protocol, as redis-py would send it (hiredis's packer: a tenth of the time)."""
    return _hiredis_pack(command) if _hiredis_pack is not None else conn.pack_command(*command)


def _sha1(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def open_turns(store: Store, settings: TurnSettings) -> TurnStore:
    return RedisTurns(store, settings) if isinstance(store, RedisStore) else StoreTurns(store, settings)
