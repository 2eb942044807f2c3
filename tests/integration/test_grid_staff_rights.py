"""A grid's staff act for it only while they hold the grid worker's role: once the committee revokes it
(the register still listing them until the next import), they no longer read the grid's care needs, decide
its residents' homes, or hear of them."""

from __future__ import annotations

from handlers.register import grid_queries, verify_queries
from handlers.register import verify_workflow as verify
from handlers.residents import workflow as residents
from nlp.slots import Address
from storage.models import Notification, Person, RoleName
from tests import grid_fixtures as fx
from tests.helpers import Clock
from tests.verify_register import put_in_force


async def test_a_revoked_grid_worker_no_longer_sees_or_decides(seeded: str) -> None:
    clock = Clock()
    community = (await put_in_force(clock.now)).community
    worker = await fx.staff("grid-w5", "王强", "13800000003")
    await fx.grid("G5", [5], worker, name="第五网格")
    await fx.resident("5栋1单元101", "马六", care=["disabled"])
    assert (await grid_queries.overview(worker, community.id)) is not None
    await residents.revoke_role(worker, community, RoleName.GRID_WORKER)

    assert await grid_queries.overview(worker, community.id) is None  # care needs: not for them now
    newcomer = await Person.create(openid="p-new")
    address = await residents.resolve_address(community, Address(5, 1, "101"))
    bound = await verify.bind(newcomer, address, clock.now, name="某人")
    assert not bound.verified
    assert not await verify_queries.may_decide(worker, bound.binding)
    assert await verify_queries.pending_for(worker) == []
    told = await Notification.filter(person=worker).count()
    assert told == 0
