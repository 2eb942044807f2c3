"""The turn store contract, on the in-process store and (when REDIS_URL is set) on Redis's scripts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from storage.kv import LockTimeout, MemoryStore, RedisStore
from storage.turns import DONE, LATE, PENDING, RedisTurns, StoreTurns, TurnSettings, TurnStore
from tests.conftest import REDIS_URL

KINDS = ["memory", "redis"] if REDIS_URL else ["memory"]
SETTINGS = TurnSettings(state_ttl=60, dedup_ttl=60, lock_ttl=10, lock_wait=0.3)


@pytest.fixture(params=KINDS)
async def turns(request: pytest.FixtureRequest) -> AsyncIterator[TurnStore]:
    if request.param == "redis":
        store = RedisStore(REDIS_URL, prefix=f"cbtest:{uuid.uuid4().hex[:8]}:")
        redis_turns = RedisTurns(store, SETTINGS)
        yield redis_turns
        await redis_turns.close()
        await store.flush_prefix()
        await store.close()
    else:
        yield StoreTurns(MemoryStore(), SETTINGS)


async def test_new_then_duplicate(turns: TurnStore) -> None:
    first = await turns.begin("u", "m:1")
    assert not first.duplicate and first.state is None and first.token
    again = await turns.begin("u", "m:1")
    assert again.duplicate and again.outcome == PENDING
    await turns.finish("u", first.token, "m:1", state='{"s":1}', save_state=True, outcome="你好")
    third = await turns.begin("u", "m:1")
    assert third.duplicate and third.outcome == DONE + "你好"
    assert await turns.outcome("u", "m:1") == DONE + "你好"


async def test_state_saved_kept_or_deleted(turns: TurnStore) -> None:
    a = await turns.begin("u", "m:1")
    await turns.finish("u", a.token, "m:1", state="one", save_state=True, outcome="")
    b = await turns.begin("u", "m:2")
    assert b.state == "one"
    await turns.finish("u", b.token, "m:2", state="ignored", save_state=False, outcome="")
    c = await turns.begin("u", "m:3")
    assert c.state == "one"
    await turns.finish("u", c.token, "m:3", state=None, save_state=True, outcome="")
    d = await turns.begin("u", "m:4")
    assert d.state is None
    await turns.finish("u", d.token, "m:4", state=None, save_state=False, outcome="")


async def test_forgotten_delivery_runs_again(turns: TurnStore) -> None:
    a = await turns.begin("u", "m:1")
    await turns.finish("u", a.token, "m:1", state=None, save_state=False, outcome=None)
    b = await turns.begin("u", "m:1")
    assert not b.duplicate
    await turns.finish("u", b.token, "m:1", state=None, save_state=False, outcome="x")


async def test_late_mark_is_not_overwritten(turns: TurnStore) -> None:
    a = await turns.begin("u", "m:1")
    await turns.mark_late("u", "m:1")
    await turns.finish("u", a.token, "m:1", state=None, save_state=False, outcome="reply")
    assert await turns.outcome("u", "m:1") == LATE


async def test_one_turn_at_a_time_per_user(turns: TurnStore) -> None:
    order: list[str] = []

    async def turn(i: int) -> None:
        begun = await turns.begin("same", f"m:{i}")
        order.append(f"in{i}")
        await asyncio.sleep(0.02)
        order.append(f"out{i}")
        await turns.finish("same", begun.token, f"m:{i}", state=str(i), save_state=True, outcome="")

    await asyncio.gather(*(turn(i) for i in range(5)))
    assert all(order[k].startswith("in") and order[k + 1].startswith("out") for k in range(0, 10, 2))


async def test_other_users_are_not_blocked(turns: TurnStore) -> None:
    held = await turns.begin("a", "m:1")
    other = await asyncio.wait_for(turns.begin("b", "m:1"), 0.2)  # same message id, another user
    assert not other.duplicate
    await turns.finish("b", other.token, "m:1", state=None, save_state=False, outcome="")
    await turns.finish("a", held.token, "m:1", state=None, save_state=False, outcome="")


async def test_busy_lock_times_out_and_forgets_the_delivery(turns: TurnStore) -> None:
    held = await turns.begin("u", "m:1")
    with pytest.raises(LockTimeout):
        await turns.begin("u", "m:2")
    await turns.finish("u", held.token, "m:1", state=None, save_state=False, outcome="")
    retry = await turns.begin("u", "m:2")  # the timed-out delivery was forgotten, so it runs now
    assert not retry.duplicate
    await turns.finish("u", retry.token, "m:2", state=None, save_state=False, outcome="")


async def test_many_deliveries_of_one_message_at_once(turns: TurnStore) -> None:
    results = await asyncio.gather(*(turns.begin("u", "m:9") for _ in range(20)))
    winners = [r for r in results if not r.duplicate]
    assert len(winners) == 1
    await turns.finish("u", winners[0].token, "m:9", state=None, save_state=False, outcome="")


async def test_scripts_reloaded_after_a_redis_script_flush(turns: TurnStore) -> None:
    if isinstance(turns, RedisTurns):
        await turns.redis.script_flush()
    begun = await turns.begin("u", "m:1")
    assert not begun.duplicate
    await turns.finish("u", begun.token, "m:1", state="x", save_state=True, outcome="ok")
    assert await turns.outcome("u", "m:1") == DONE + "ok"
