"""One contract, two stores: every test runs on the in-process store, and on Redis when REDIS_URL is set."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from storage.kv import LockTimeout, MemoryStore, RedisStore, Store
from tests.conftest import REDIS_URL

KINDS = ["memory", "redis"] if REDIS_URL else ["memory"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=KINDS)
async def kv(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "redis":
        store = RedisStore(REDIS_URL, prefix=f"cbtest:{uuid.uuid4().hex[:8]}:")
        assert await store.ping(), f"cannot reach Redis at {REDIS_URL}"
        yield store
        await store.flush_prefix()
        await store.close()
    else:
        yield MemoryStore()


async def test_get_set_delete(kv: Store) -> None:
    assert await kv.get("a") is None
    await kv.set("a", "1")
    assert await kv.get("a") == "1"
    await kv.set("a", "二")
    assert await kv.get("a") == "二"
    await kv.delete("a")
    assert await kv.get("a") is None


async def test_set_if_absent_is_exclusive(kv: Store) -> None:
    results = await asyncio.gather(*(kv.set_if_absent("once", str(i), ttl=30) for i in range(20)))
    assert results.count(True) == 1
    winner = results.index(True)
    assert await kv.get("once") == str(winner)


async def test_ttl_expires(kv: Store) -> None:
    await kv.set("short", "x", ttl=0.05)
    assert await kv.set_if_absent("short", "y", ttl=0.05) is False
    await asyncio.sleep(0.12)
    assert await kv.get("short") is None
    assert await kv.set_if_absent("short", "y", ttl=5) is True


async def test_lock_serialises(kv: Store) -> None:
    inside = 0
    peak = 0

    async def worker() -> None:
        nonlocal inside, peak
        async with kv.lock("res", timeout=5, wait=5):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(worker() for _ in range(10)))
    assert peak == 1


async def test_lock_wait_times_out(kv: Store) -> None:
    async with kv.lock("busy", timeout=5, wait=1):
        with pytest.raises(LockTimeout):
            async with kv.lock("busy", timeout=5, wait=0.1):
                pass


async def test_different_locks_do_not_block(kv: Store) -> None:
    async with kv.lock("one", timeout=5, wait=1), kv.lock("two", timeout=5, wait=0.2):
        pass


async def test_ping(kv: Store) -> None:
    assert await kv.ping()


def test_memory_ttl_uses_its_clock() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)

    async def scenario() -> None:
        await store.set("k", "v", ttl=10)
        clock.now += 9.9
        assert await store.get("k") == "v"
        clock.now += 0.2
        assert await store.get("k") is None

    asyncio.run(scenario())


async def test_incr_counts_within_its_window(kv: Store) -> None:
    assert [await kv.incr("hits", ttl=0.2) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.3)
    assert await kv.incr("hits", ttl=0.2) == 1


@pytest.mark.redis_only  # the Redis pool: runs in the Redis pass of the suite
async def test_a_burst_past_the_pool_waits_for_connections_instead_of_failing() -> None:
    # 400 concurrent ballots on a pool of redis-py's default size failed with MaxConnectionsError
    store = RedisStore(REDIS_URL, prefix=f"cbtest:{uuid.uuid4().hex[:8]}:", max_connections=4)
    try:

        async def turn(i: int) -> int:
            async with store.lock(f"user:{i % 50}", timeout=5, wait=5):
                return await store.incr("ballots", ttl=60)

        counts = await asyncio.gather(*(turn(i) for i in range(400)))
        assert sorted(counts) == list(range(1, 401))
    finally:
        await store.flush_prefix()
        await store.close()


async def test_a_token_bucket_gives_its_burst_then_says_how_long_to_wait(kv: Store) -> None:
    # 5 tokens, refilled at one every 100 s: of 20 takes at once, exactly 5 get one
    waits = await asyncio.gather(*(kv.take_token("wechat", rate=0.01, burst=5) for _ in range(20)))
    assert waits.count(0.0) == 5
    assert all(0 < w <= 100 for w in waits if w)
    assert await kv.take_token("another-account", rate=0.01, burst=5) == 0.0  # a bucket per key


async def test_a_token_bucket_refills(kv: Store) -> None:
    assert await kv.take_token("fast", rate=1000, burst=1) == 0.0
    assert 0 < await kv.take_token("fast", rate=1000, burst=1) <= 0.001
    await asyncio.sleep(0.01)
    assert await kv.take_token("fast", rate=1000, burst=1) == 0.0


def test_memory_token_bucket_uses_its_clock() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)

    async def scenario() -> None:
        assert [await store.take_token("k", rate=2, burst=2) for _ in range(3)] == [0.0, 0.0, 0.5]
        clock.now += 0.5
        assert await store.take_token("k", rate=2, burst=2) == 0.0
        clock.now += 60
        assert [await store.take_token("k", rate=2, burst=2) for _ in range(3)] == [0.0, 0.0, 0.5]

    asyncio.run(scenario())


@pytest.mark.redis_only
async def test_one_token_bucket_for_every_worker() -> None:
    prefix = f"cbtest:{uuid.uuid4().hex[:8]}:"
    workers = [RedisStore(REDIS_URL, prefix=prefix) for _ in range(3)]  # three processes' stores
    try:
        waits = await asyncio.gather(
            *(w.take_token("wechat", rate=0.01, burst=10) for w in workers for _ in range(10))
        )
        assert waits.count(0.0) == 10
    finally:
        await workers[0].flush_prefix()
        for w in workers:
            await w.close()
