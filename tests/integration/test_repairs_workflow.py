"""Tickets on the configured database: the state machine, who may act, the race, time limits."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from handlers.common.rules import Refusal
from handlers.repairs import queries, workflow
from handlers.repairs.categories import categories, category_in_text
from handlers.repairs.models import Ticket, TicketEvent, TicketStatus
from handlers.repairs.workflow import MOVES, ReportRepair
from storage.models import Building, Community, Notification, Person, Role, RoleName

S = TicketStatus
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def new_ticket(
    category: str = "lighting", source: str = "m:1", building: int | None = 3, reporter: str = "resident-1"
) -> Ticket:
    community = await Community.get(code="xingfuli")
    person, _ = await Person.get_or_create(openid=reporter)
    b = await Building.get(community=community, number=building) if building else None
    return await workflow.report(
        ReportRepair(
            reporter=person,
            community_id=community.id,
            category=categories()[category],
            description="楼道灯坏了",
            source_key=source,
            building_id=b.id if b else None,
            unit=2 if b else 0,
        ),
        T0,
    )


async def staff(openid: str) -> Person:
    return await Person.get(openid=openid)


def test_categories_from_text() -> None:
    assert category_in_text("楼道灯坏了好几天了").key == "lighting"  # type: ignore[union-attr]
    assert category_in_text("5栋电梯又停了").key == "lift"  # type: ignore[union-attr]
    assert category_in_text("楼上天天拖椅子").key == "noise"  # type: ignore[union-attr]
    assert category_in_text("今天天气很好") is None


async def test_report_files_once_with_promised_times_and_tells_the_pool(seeded: str) -> None:
    ticket = await new_ticket()
    again = await new_ticket()  # the same message delivered twice
    assert again.id == ticket.id and await Ticket.all().count() == 1
    assert ticket.status is S.SUBMITTED and ticket.handler_role == "property_staff"
    assert ticket.respond_by == T0 + dt.timedelta(hours=4) and ticket.resolve_by == T0 + dt.timedelta(
        hours=24
    )
    assert ticket.number == f"R2611-{ticket.id:04d}"
    notes = await Notification.filter(person__openid="demo-property")
    assert len(notes) == 1 and ticket.number in notes[0].text
    assert await TicketEvent.filter(ticket=ticket, action="submit").count() == 1


async def test_a_municipal_category_is_not_filed(seeded: str) -> None:
    # the demo's road is passed on by the grid worker; a deployment may set it (or another) as municipal
    community = await Community.get(code="xingfuli")
    person, _ = await Person.get_or_create(openid="resident-1")
    municipal = dataclasses.replace(categories()["road"], handler="municipal")
    report = ReportRepair(
        reporter=person,
        community_id=community.id,
        category=municipal,
        description="路上有坑",
        source_key="m:road",
    )
    with pytest.raises(Refusal) as err:
        await workflow.report(report, T0)
    assert "12345" in str(err.value.values["text"])
    assert await Ticket.all().count() == 0
    road = await new_ticket("road", source="m:road-2", building=None)
    assert road.handler_role == "grid_worker"


async def test_the_whole_life_with_a_rating(seeded: str) -> None:
    ticket = await new_ticket()
    worker = await staff("demo-property")
    reporter = await Person.get(openid="resident-1")
    await workflow.move(ticket.id, "accept", worker, T0)
    await workflow.move(ticket.id, "start", worker, T0)
    resolved = await workflow.move(ticket.id, "resolve", worker, T0, note="已更换灯泡")
    assert resolved.status is S.RESOLVED and resolved.outcome_note == "已更换灯泡"
    closed = await workflow.rate(ticket.id, reporter, 5, "修得很快", T0)
    assert (closed.status, closed.rating, closed.rating_comment) == (S.CLOSED, 5, "修得很快")
    actions = await TicketEvent.filter(ticket=ticket).order_by("id").values_list("action", flat=True)
    assert actions == ["submit", "accept", "start", "resolve", "confirm"]
    told = [n.text for n in await Notification.filter(person=reporter).order_by("id")]
    assert len(told) == 3 and "已更换灯泡" in told[2] and "评价 5" in told[2]


async def test_not_really_fixed_reopens(seeded: str) -> None:
    ticket = await new_ticket()
    worker, reporter = await staff("demo-property"), await Person.get(openid="resident-1")
    await workflow.move(ticket.id, "accept", worker, T0)
    await workflow.move(ticket.id, "resolve", worker, T0, note="已修")
    reopened = await workflow.move(ticket.id, "reopen", reporter, T0, note="还是不亮")
    assert reopened.status is S.REOPENED and reopened.reopen_count == 1
    assert (await workflow.move(ticket.id, "accept", worker, T0)).status is S.ACCEPTED


@pytest.mark.parametrize("action", sorted(MOVES))
async def test_every_move_from_every_state(seeded: str, action: str) -> None:
    """Allowed exactly from the states the table names; refused from every other."""
    ticket = await new_ticket()
    worker, reporter = await staff("demo-property"), await Person.get(openid="resident-1")
    actor = {"reporter": reporter, "system": None}.get(MOVES[action].by, worker)
    for status in S:
        await Ticket.filter(id=ticket.id).update(status=status, assignee_id=worker.id)
        allowed = status in MOVES[action].frm
        try:
            await workflow.move(ticket.id, action, actor, T0, note="说明")
        except Refusal as exc:
            assert not allowed, (action, status, exc.key)
            assert exc.key == "repairs.not_now"
        else:
            assert allowed, (action, status)
            assert (await Ticket.get(id=ticket.id)).status is MOVES[action].to


async def test_who_may_act(seeded: str) -> None:
    ticket = await new_ticket()
    reporter = await Person.get(openid="resident-1")
    for outsider in (reporter, await staff("demo-grid"), await staff("demo-hp-committee")):
        with pytest.raises(Refusal) as err:
            await workflow.move(ticket.id, "accept", outsider, T0)
        assert err.value.key == "repairs.not_allowed"
    with pytest.raises(Refusal):
        await workflow.move(
            ticket.id, "cancel", await staff("demo-property"), T0
        )  # only the reporter cancels
    worker = await staff("demo-property")
    await workflow.move(ticket.id, "accept", worker, T0)
    colleague = await Person.create(openid="property-2")
    await Role.create(person=colleague, community_id=ticket.community_id, role=RoleName.PROPERTY_STAFF)
    with pytest.raises(Refusal) as err:
        await workflow.move(ticket.id, "resolve", colleague, T0, note="x")
    assert err.value.key == "repairs.not_yours"
    boss = await staff("demo-committee")  # the committee may step in
    assert (await workflow.move(ticket.id, "resolve", boss, T0, note="督办完成")).status is S.RESOLVED


async def test_two_staff_accepting_at_once_exactly_one_wins(seeded: str) -> None:
    ticket = await new_ticket()
    community = await Community.get(code="xingfuli")
    crew = [await Person.create(openid=f"crew-{i}") for i in range(8)]
    for member in crew:
        await Role.create(person=member, community=community, role=RoleName.PROPERTY_STAFF)

    async def accept(member: Person) -> bool:
        try:
            await workflow.move(ticket.id, "accept", member, T0)
        except Refusal as exc:
            assert exc.key in ("repairs.someone_else", "repairs.not_now")
            return False
        return True

    results = await asyncio.gather(*(accept(m) for m in crew))
    assert results.count(True) == 1
    winner = crew[results.index(True)]
    assert (await Ticket.get(id=ticket.id)).assignee_id == winner.id
    assert await TicketEvent.filter(ticket=ticket, action="accept").count() == 1


async def test_overdue_escalates_once_and_unconfirmed_closes(seeded: str) -> None:
    ticket = await new_ticket()
    assert await workflow.sweep(T0 + dt.timedelta(hours=3), dt.timedelta(days=7)) == (0, 0)
    assert await workflow.sweep(T0 + dt.timedelta(hours=5), dt.timedelta(days=7)) == (
        1,
        0,
    )  # not accepted in 4 h
    assert await workflow.sweep(T0 + dt.timedelta(hours=6), dt.timedelta(days=7)) == (0, 0)  # once
    assert await Notification.filter(person__openid="demo-committee", text__contains="督办").count() == 1
    worker = await staff("demo-property")
    await workflow.move(ticket.id, "accept", worker, T0 + dt.timedelta(hours=6))
    await workflow.move(ticket.id, "resolve", worker, T0 + dt.timedelta(hours=7), note="好了")
    assert await workflow.sweep(T0 + dt.timedelta(days=7), dt.timedelta(days=7)) == (0, 0)
    assert await workflow.sweep(T0 + dt.timedelta(days=8), dt.timedelta(days=7)) == (0, 1)
    assert (await Ticket.get(id=ticket.id)).status is S.CLOSED


async def test_urge_only_when_overdue(seeded: str) -> None:
    ticket = await new_ticket()
    reporter = await Person.get(openid="resident-1")
    with pytest.raises(Refusal) as err:
        await workflow.urge(ticket.id, reporter, T0 + dt.timedelta(hours=1))
    assert err.value.key == "repairs.not_overdue"
    urged = await workflow.urge(ticket.id, reporter, T0 + dt.timedelta(hours=5))
    assert urged.escalated_at is not None and urged.urged_at is not None


async def test_likely_duplicates(seeded: str) -> None:
    first = await new_ticket(source="m:1")
    community = await Community.get(code="xingfuli")
    building = await Building.get(community=community, number=3)
    lighting = categories()["lighting"]
    found = await queries.likely_duplicates(community.id, lighting, building.id, T0 + dt.timedelta(hours=1))
    assert [t.id for t in found] == [first.id]
    other_building = await Building.get(community=community, number=5)
    assert await queries.likely_duplicates(community.id, lighting, other_building.id, T0) == []
    assert await queries.likely_duplicates(community.id, categories()["lift"], building.id, T0) == []
    assert (
        await queries.likely_duplicates(community.id, lighting, building.id, T0 + dt.timedelta(days=4)) == []
    )


async def test_followers_are_told_too(seeded: str) -> None:
    ticket = await new_ticket()
    neighbour = await Person.create(openid="neighbour")
    await workflow.follow(ticket.id, neighbour)
    await workflow.follow(ticket.id, neighbour)
    worker = await staff("demo-property")
    await workflow.move(ticket.id, "accept", worker, T0)
    await workflow.move(ticket.id, "resolve", worker, T0 + dt.timedelta(minutes=5), note="已修好")
    assert await Notification.filter(person=neighbour, text__contains="已修好").count() == 1


async def test_an_assigned_category_goes_to_its_person_only(seeded: str) -> None:
    community = await Community.get(code="xingfuli")
    other = await Person.create(openid="mediator-2")
    await Role.create(person=other, community=community, role=RoleName.MEDIATOR)
    ticket = await new_ticket("dispute", building=None)
    mediator = await staff("demo-mediator")
    assert ticket.assignee_id == mediator.id and ticket.handler_role == "mediator"
    assert await Notification.filter(person=mediator).count() == 1
    assert await Notification.filter(person=other).count() == 0
    with pytest.raises(Refusal) as err:
        await workflow.move(ticket.id, "accept", other, T0)
    assert err.value.key == "repairs.not_yours"
    assert (await workflow.move(ticket.id, "accept", mediator, T0)).status is S.ACCEPTED


async def test_an_assignee_without_the_role_falls_back_to_the_pool(seeded: str) -> None:
    await Role.filter(person__openid="demo-mediator").delete()
    pool_member = await Person.create(openid="mediator-3")
    await Role.create(
        person=pool_member, community=await Community.get(code="xingfuli"), role=RoleName.MEDIATOR
    )
    ticket = await new_ticket("dispute", building=None)
    assert ticket.assignee_id is None
    assert await Notification.filter(person=pool_member).count() == 1
