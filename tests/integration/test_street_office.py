"""The street office across its communities: it sees and acts on every ticket there, and overdue tickets the
committee has not seen through reach it once (its figures: tests/integration/test_figures.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from handlers.common.rules import Refusal
from handlers.register import community_workflow as register
from handlers.repairs import queries as tickets
from handlers.repairs import workflow
from handlers.repairs.models import Ticket, TicketEvent, TicketStatus
from storage.models import Community, Notification, Person, StreetOffice
from storage.roles import roles_of
from tests.integration.test_repairs_workflow import T0, new_ticket

HOUR = dt.timedelta(hours=1)
WEEK = dt.timedelta(days=7)


async def street_notes() -> list[Notification]:
    return await Notification.filter(person__openid="demo-street", key__contains=":street:")


async def test_an_overdue_ticket_reaches_the_street_office_once(seeded: str) -> None:
    ticket = await new_ticket()  # property staff: respond within 4 hours
    await workflow.sweep(T0 + 5 * HOUR, WEEK)  # the committee is told
    assert (await Ticket.get(id=ticket.id)).escalated_at == T0 + 5 * HOUR
    await workflow.sweep(T0 + 52 * HOUR, WEEK)  # 47 hours later: the committee's still
    assert await street_notes() == []
    later = T0 + 53 * HOUR
    await asyncio.gather(*(workflow.sweep(later, WEEK) for _ in range(3)))  # several workers at once
    await workflow.sweep(later + HOUR, WEEK)
    notes = await street_notes()
    assert len(notes) == 1 and ticket.number in notes[0].text and "幸福里社区" in notes[0].text
    assert "街道督办" in notes[0].text
    assert (await Ticket.get(id=ticket.id)).street_escalated_at == later
    assert await TicketEvent.filter(ticket_id=ticket.id, action="street_escalate").count() == 1


async def test_the_wait_is_a_setting_and_closed_or_streetless_tickets_stay(seeded: str) -> None:
    fixed = await new_ticket(source="m:fixed")
    waiting = await new_ticket(source="m:waiting")
    await workflow.sweep(T0 + 5 * HOUR, WEEK)
    worker = await Person.get(openid="demo-property")
    await workflow.move(fixed.id, "accept", worker, T0 + 6 * HOUR)
    await workflow.move(fixed.id, "resolve", worker, T0 + 7 * HOUR, note="好了")
    await Community.filter(code="xingfuli").update(street_office_id=None)  # no street office over it
    await workflow.sweep(T0 + 18 * HOUR, WEEK, street_after=12 * HOUR)
    assert await street_notes() == []
    await Community.filter(code="xingfuli").update(street_office=await StreetOffice.get(code="xingfu"))
    await workflow.sweep(T0 + 19 * HOUR, WEEK, street_after=12 * HOUR)  # 14 hours after the committee
    notes = await street_notes()
    assert len(notes) == 1 and notes[0].key.startswith(f"ticket:{waiting.id}:street:")
    assert (await Ticket.get(id=fixed.id)).street_escalated_at is None  # resolved: nothing to press for


async def test_the_street_office_sees_and_acts_on_every_ticket_of_its_communities(seeded: str) -> None:
    ticket = await new_ticket()  # in the property staff's pool
    street = await Person.get(openid="demo-street")
    roles = await roles_of(street, ticket.community_id)
    listed = await tickets.community_page(
        street, ticket.community_id, roles, tickets.TicketFilter(), 1, 20, T0
    )
    assert [t.id for t in listed.rows] == [ticket.id] and listed.rows[0].reporter is not None
    assert (await tickets.seen_by(street, ticket.id)).as_staff
    # another street office's staff see nothing of it
    await register.create_street("other", "另一街道")
    await register.create_community(register.CreateCommunity(code="elsewhere", name="别处", street="other"))
    outsider = await Person.create(openid="other-street", name="外街道")
    await register.grant_street(outsider, await StreetOffice.get(code="other"))
    with pytest.raises(Refusal):
        await tickets.seen_by(outsider, ticket.id)
    worker = await Person.get(openid="demo-property")
    await workflow.move(ticket.id, "accept", worker, T0)
    with pytest.raises(Refusal):
        await workflow.move(ticket.id, "resolve", outsider, T0 + HOUR, note="不归我管")
    # taken by the property staff, still the street office's to move on (as the committee's)
    resolved = await workflow.move(ticket.id, "resolve", street, T0 + HOUR, note="街道协调已修复")
    assert resolved.status is TicketStatus.RESOLVED
