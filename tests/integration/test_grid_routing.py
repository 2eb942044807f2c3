"""A grid worker's ticket goes to the worker of its building's grid (told with the deputies), the pool being
the fallback; who sees what follows, the same in the chat's pool, the API's list and the single ticket."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.common.rules import Refusal
from handlers.repairs import queries, workflow
from handlers.repairs.categories import categories
from handlers.repairs.models import Ticket, TicketStatus
from handlers.repairs.queries import TicketFilter
from handlers.repairs.workflow import ReportRepair
from storage.models import Building, Community, Notification, Person, Role, RoleName
from storage.roles import roles_of
from tests import grid_fixtures as fx

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def _report(category: str, building: int | None, key: str) -> Ticket:
    community = await Community.get(code="xingfuli")
    reporter = await Person.get_or_create(openid="resident-r", defaults={"name": "王女士"})
    building_id = None
    if building is not None:
        building_id = (await Building.get(community=community, number=building)).id
    return await workflow.report(
        ReportRepair(
            reporter=reporter[0],
            community_id=community.id,
            category=categories()[category],
            description="说明",
            source_key=key,
            building_id=building_id,
        ),
        T0,
    )


async def _told(ticket: Ticket) -> set[str]:
    rows = await Notification.filter(key__startswith=f"ticket:{ticket.id}:new:").prefetch_related("person")
    return {n.person.name for n in rows}


@pytest.fixture
async def grids(seeded: str) -> dict[str, Person]:
    """Grid G1 (3栋, 4栋): 张晓燕 with deputy 李明; G2 (5栋): 王强; G3 (6栋): someone without the grid
    worker's role; G4 (7栋): a grid worker the register named by phone, who has not written to us yet;
    1栋, 2栋: no grid. The demo's 张网格 (demo-grid) is in the pool only."""
    people = {
        "w1": await fx.staff("grid-w1", "张晓燕", "13800000001"),
        "d1": await fx.staff("grid-d1", "李明", "13800000002"),
        "w2": await fx.staff("grid-w2", "王强", "13800000003"),
        "norole": await fx.staff("grid-norole", "赵六", "13800000004", role=None),
    }
    await fx.grid("G1", [3, 4], people["w1"], [people["d1"]], name="第一网格")
    await fx.grid("G2", [5], people["w2"], name="第二网格")
    await fx.grid("G3", [6], people["norole"], name="第三网格")
    placeholder = await Person.create(openid=None, name="孙七", phone="13800000005")  # not yet written to us
    await Role.create(
        person=placeholder, community=await Community.get(code="xingfuli"), role=RoleName.GRID_WORKER
    )
    await fx.grid("G4", [7], placeholder, name="第四网格")
    people["pool"] = await Person.get(openid="demo-grid")
    return people


async def test_routed_to_the_buildings_grid_worker_and_deputy_only(grids: dict[str, Person]) -> None:
    in_grid = await _report("noise", 3, "k1")
    assert in_grid.assignee_id == grids["w1"].id
    assert await _told(in_grid) == {"张晓燕", "李明"}
    other = await _report("noise", 5, "k2")
    assert other.assignee_id == grids["w2"].id and await _told(other) == {"王强"}


@pytest.mark.parametrize(
    ("building", "why"),
    [(1, "no grid"), (None, "no building"), (6, "a grid with no grid worker"), (7, "nobody to tell yet")],
)
async def test_the_pool_is_the_fallback(grids: dict[str, Person], building: int | None, why: str) -> None:
    ticket = await _report("pets", building, f"k-{building}")
    assert ticket.assignee_id is None, why
    # the pool: every holder of the role (the placeholder's notification waits until they write to us)
    assert await _told(ticket) == {"张网格", "张晓燕", "李明", "王强", "孙七"}, why


async def test_property_tickets_are_not_routed_to_grids(grids: dict[str, Person]) -> None:
    ticket = await _report("lighting", 3, "k-light")
    assert ticket.assignee_id is None and await _told(ticket) == {"王师傅"}


async def test_who_sees_which_ticket(grids: dict[str, Person]) -> None:
    community = await Community.get(code="xingfuli")
    filed = {
        "g1": await _report("noise", 3, "a"),
        "g2": await _report("noise", 5, "b"),
        "pool": await _report("noise", 1, "c"),
        "nobuilding": await _report("parking", None, "d"),
        "unstaffed": await _report("fumes", 6, "e"),
        "unreached": await _report("fumes", 7, "e2"),
        "light3": await _report("lighting", 3, "f"),  # property's, in G1's building
        "light1": await _report("lighting", 1, "g"),
    }
    pool = {"pool", "nobuilding", "unstaffed", "unreached"}
    expected = {
        "grid-w1": {"g1", "light3"} | pool,
        "grid-d1": {"g1", "light3"} | pool,
        "grid-w2": {"g2"} | pool,
        "demo-grid": pool,
        "demo-property": {"light3", "light1"},
        "demo-committee": set(filed),
    }
    for openid, keys in expected.items():
        person = await Person.get(openid=openid)
        ids = {filed[k].id for k in keys}
        chat = await queries.staff_pool(person, T0, limit=50)
        assert chat is not None and {t.id for t in chat} == ids, openid
        roles = await roles_of(person, community.id)
        page = await queries.community_page(person, community.id, roles, TicketFilter(), 1, 50, T0)
        assert {t.id for t in page.rows} == ids and page.total == len(ids), openid
        for key, ticket in filed.items():
            try:
                seen = await queries.seen_by(person, ticket.id)
            except Refusal:
                assert ticket.id not in ids, (openid, key)
            else:
                assert ticket.id in ids and seen.as_staff, (openid, key)


async def test_another_grid_cannot_act_a_deputy_can(grids: dict[str, Person]) -> None:
    ticket = await _report("noise", 3, "k-act")
    with pytest.raises(Refusal) as refused:
        await workflow.move(ticket.id, "accept", grids["w2"], T0)
    assert refused.value.key == "repairs.not_allowed"
    with pytest.raises(Refusal):
        await workflow.move(ticket.id, "accept", grids["pool"], T0)
    taken = await workflow.move(ticket.id, "accept", grids["d1"], T0)  # the deputy stands in
    assert taken.status is TicketStatus.ACCEPTED and taken.assignee_id == grids["d1"].id
    done = await workflow.move(ticket.id, "resolve", grids["w1"], T0, note="已协调")  # and the worker too
    assert done.status is TicketStatus.RESOLVED


async def test_transfer_to_grid_workers_goes_to_the_grid(grids: dict[str, Person]) -> None:
    ticket = await _report("lighting", 5, "k-transfer")
    boss = await Person.get(openid="demo-committee")
    moved = await workflow.transfer(ticket.id, RoleName.GRID_WORKER, boss, T0, note="是楼上的事")
    assert moved.handler_role == "grid_worker" and moved.assignee_id == grids["w2"].id
    handed = await Notification.filter(key__contains=":handed:", person=grids["w2"]).count()
    assert handed == 1
    pooled = await workflow.transfer(
        (await _report("lighting", 1, "k-t2")).id, RoleName.GRID_WORKER, boss, T0
    )
    assert pooled.assignee_id is None
