"""Residents' workflow on the configured database (SQLite, or PostgreSQL in CI's second run)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from handlers.common.rules import Refusal
from handlers.residents import workflow
from nlp.slots import Address
from storage.kv import MemoryStore
from storage.models import Community, Home, InviteCode, Person, Role, RoleName

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def _xingfuli() -> Community:
    return await Community.get(code="xingfuli")


async def test_resolve_address_checks_buildings_and_units(seeded: str) -> None:
    c = await _xingfuli()
    home = await workflow.resolve_address(c, Address(3, 2, "502"))
    assert home.describe() == "幸福里社区 3栋2单元502"
    cases = [
        (Address(None, 2, "502"), "residents.need_building"),
        (Address(99, 1, "101"), "residents.no_such_building"),
        (Address(3, None, "502"), "residents.need_unit"),
        (Address(3, 9, "502"), "residents.no_such_unit"),
        (Address(3, 2, None), "residents.need_room"),
    ]
    for address, key in cases:
        with pytest.raises(Refusal) as err:
            await workflow.resolve_address(c, address)
        assert err.value.key == key
    no_units = await workflow.resolve_address(c, Address(8, None, "101"))  # building 8 has no units
    assert no_units.describe() == "幸福里社区 8栋101"


async def test_bind_home_is_idempotent_and_makes_a_resident(seeded: str) -> None:
    c = await _xingfuli()
    a = await Person.create(openid="a")
    b = await Person.create(openid="b")
    address = await workflow.resolve_address(c, Address(3, 2, "502"))
    home_a = await workflow.bind_home(a, address)
    home_b = await workflow.bind_home(b, address)  # two people of one household share the home
    await workflow.bind_home(a, address)
    assert home_a.id == home_b.id
    assert await Home.filter(community=c).count() == 1
    assert await workflow.roles_of(a, c) == {RoleName.RESIDENT}
    assert await Role.filter(person=a).count() == 1
    assert (await workflow.home_of(a)) is not None


async def test_grant_and_revoke(seeded: str) -> None:
    c = await _xingfuli()
    p = await Person.create(openid="p")
    assert await workflow.grant_role(p, c, RoleName.VOLUNTEER) is True
    assert await workflow.grant_role(p, c, RoleName.VOLUNTEER) is False
    assert await workflow.revoke_role(p, c, RoleName.VOLUNTEER) is True
    assert await workflow.revoke_role(p, c, RoleName.VOLUNTEER) is False


async def test_only_committee_invites(seeded: str) -> None:
    c = await _xingfuli()
    grid = await Person.get(openid="demo-grid")
    with pytest.raises(Refusal):
        await workflow.create_invite(grid, c, RoleName.VOLUNTEER, NOW)


async def test_invite_used_once_even_when_raced(seeded: str) -> None:
    c = await _xingfuli()
    boss = await Person.get(openid="demo-committee")
    invite = await workflow.create_invite(boss, c, RoleName.GRID_WORKER, NOW)
    people = [await Person.create(openid=f"new-{i}") for i in range(8)]

    async def attempt(person: Person) -> bool:
        try:
            await workflow.redeem_invite(person, invite.code, NOW)
        except Refusal:
            return False
        return True

    results = await asyncio.gather(*(attempt(p) for p in people))
    assert results.count(True) == 1
    assert await Role.filter(community=c, role=RoleName.GRID_WORKER).count() == 2  # demo-grid and the winner
    refreshed = await InviteCode.get(id=invite.id)
    assert refreshed.used_by_id == people[results.index(True)].id


async def test_expired_invite_refused(seeded: str) -> None:
    c = await _xingfuli()
    boss = await Person.get(openid="demo-committee")
    invite = await workflow.create_invite(boss, c, RoleName.VOLUNTEER, NOW)
    late = NOW + workflow.INVITE_LIFETIME + dt.timedelta(seconds=1)
    with pytest.raises(Refusal):
        await workflow.redeem_invite(await Person.create(openid="late"), invite.code, late)


class _NetworkStore(MemoryStore):
    """The in-process store answering like one across a network: every call lets others run first."""

    async def get(self, key: str) -> str | None:
        await asyncio.sleep(0)
        return await super().get(key)

    async def incr(self, key: str, ttl: float) -> int:
        await asyncio.sleep(0)
        return await super().incr(key, ttl)


async def test_concurrent_link_guesses_are_held_to_the_limit(seeded: str) -> None:
    # many requests of one identity at once must not each pass the "fewer than five wrong" check
    store = _NetworkStore()
    caller = await Person.create(mp_openid="mp-guesser")

    async def guess(i: int) -> str:
        try:
            await workflow.request_link(store, caller, f"{i:08d}", "session:x", NOW)
        except Refusal as refusal:
            return refusal.key
        return "linked"

    outcomes = await asyncio.gather(*(guess(i) for i in range(30)))
    assert outcomes.count("residents.link_code_invalid") <= workflow.LINK_TRIES
    assert outcomes.count("residents.link_too_many_tries") >= 30 - workflow.LINK_TRIES
