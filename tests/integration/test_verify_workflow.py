"""Verified homes' rules below the chat: who is told, who may decide, what is never taken over."""

from __future__ import annotations

import pytest

from handlers.common.rules import Refusal
from handlers.register import verify_workflow as verify
from handlers.register.models import Binding, BindingMethod, BindingStatus
from handlers.residents import workflow as residents
from nlp.slots import Address
from storage.models import Community, Notification, Person
from tests.helpers import Clock
from tests.verify_register import put_in_force


async def home(code: str = "xingfuli", where: Address | None = None) -> residents.HomeAddress:
    community = await Community.get(code=code)
    return await residents.resolve_address(community, where or Address(3, 2, "502"))


async def refused(key: str, call: object) -> None:
    with pytest.raises(Refusal) as caught:
        await call  # type: ignore[misc]
    assert caught.value.key == key


async def test_a_home_recorded_as_said_waits_when_the_register_comes(seeded: str) -> None:
    clock = Clock()
    early = await Person.create(openid="early")
    await residents.bind_home(early, await home(), clock.now)
    await put_in_force(clock.now)
    bound = await verify.bind(early, await home(), clock.now, name="赵敏")
    assert (bound.binding.status, bound.binding.method) == (BindingStatus.PENDING, BindingMethod.UNCHECKED)
    assert await Binding.filter(person=early).count() == 1
    await verify.bind(early, await home(), clock.now, name="赵敏")  # said again: staff told once
    told = await Notification.filter(text__contains="B1").values_list("person__openid", flat=True)
    assert sorted(told) == ["demo-committee", "demo-grid"]


async def test_a_register_member_is_never_taken_over_by_someone_else(seeded: str) -> None:
    clock = Clock()
    await put_in_force(clock.now)
    first, second = await Person.create(openid="p1"), await Person.create(openid="p2")
    assert (await verify.bind(first, await home(), clock.now, phone="13912345678")).verified
    other = await verify.bind(second, await home(), clock.now, phone="13912345678")
    assert not other.verified  # the same member twice: the committee decides


async def test_who_may_decide_and_how(seeded: str) -> None:
    clock = Clock()
    await put_in_force(clock.now)
    resident, outsider = await Person.create(openid="p1"), await Person.create(openid="p2")
    away = await verify.bind(resident, await home(where=Address(4, 1, "101")), clock.now, name="某人")
    grid = await Person.get(openid="demo-grid")  # 4栋 is outside the grid
    await refused("verify.not_allowed", verify.confirm(away.binding.id, grid, clock.now))
    await refused("verify.not_allowed", verify.reject(away.binding.id, outsider, "不对的", clock.now))
    committee = await Person.get(openid="demo-committee")
    await refused("verify.reason_needed", verify.reject(away.binding.id, committee, " ", clock.now))
    await refused("verify.no_such_binding", verify.confirm(999, committee, clock.now))
    await refused("verify.no_such_binding", verify.switch(outsider, away.binding.id))
    await verify.confirm(away.binding.id, committee, clock.now)
    await refused("verify.not_pending", verify.reject(away.binding.id, committee, "晚了一步", clock.now))


async def test_a_proven_phone_without_a_register_only_records_the_phone(seeded: str) -> None:
    clock = Clock()
    person = await Person.create(openid="p1")
    await residents.bind_home(person, await home(), clock.now)
    await verify.prove_phone(person, "139 1234 5678", clock.now)
    person = await Person.get(id=person.id)
    assert person.phone == "13912345678" and person.phone_verified_at == clock.now
    await refused("verify.phone_invalid", verify.prove_phone(person, "12345", clock.now))
