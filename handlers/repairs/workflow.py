"""Tickets without any transport: report, follow, accept, start, resolve, confirm and rate, reopen,
reject, transfer, cancel, urge, escalate overdue, close unconfirmed.

Every change is one conditional update (so two people acting at once cannot both win), a ``TicketEvent``,
and the notifications it causes, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

import content
from handlers.common.requests import RequestItem
from handlers.common.rules import Refusal
from handlers.repairs.categories import Category, categories
from handlers.repairs.models import (
    OPEN_STATUSES,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketPhoto,
    TicketStatus,
)
from storage.db import once
from storage.models import Community, Person, Role, RoleName
from storage.outbox import notify

S = TicketStatus
DUPLICATE_WINDOW = dt.timedelta(days=3)
NEAR_METRES = 100.0


@dataclass(frozen=True)
class ReportRepair:
    reporter: Person
    community: Community
    category: Category
    description: str
    source_key: str
    building_id: int | None = None
    unit: int = 0
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photo_media_ids: tuple[str, ...] = ()


@dataclass
class Move:
    """One allowed change: from which states, to which, by whom."""

    to: TicketStatus
    frm: tuple[TicketStatus, ...]
    by: str  # reporter, handler (the pool's role or the assignee), committee_or_handler, system
    values: dict[str, Any] = field(default_factory=dict)


MOVES: dict[str, Move] = {
    "accept": Move(S.ACCEPTED, (S.SUBMITTED, S.REOPENED), "handler"),
    "start": Move(S.IN_PROGRESS, (S.ACCEPTED,), "assignee"),
    "resolve": Move(S.RESOLVED, (S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), "assignee"),
    "reject": Move(S.REJECTED, (S.SUBMITTED, S.REOPENED), "handler"),
    "duplicate": Move(S.DUPLICATE, (S.SUBMITTED,), "handler"),
    "transfer": Move(S.SUBMITTED, (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), "handler"),
    "cancel": Move(S.CANCELLED, (S.SUBMITTED, S.ACCEPTED, S.REOPENED), "reporter"),
    "confirm": Move(S.CLOSED, (S.RESOLVED,), "reporter"),
    "reopen": Move(S.REOPENED, (S.RESOLVED,), "reporter"),
    "autoclose": Move(S.CLOSED, (S.RESOLVED,), "system"),
}


async def report(cmd: ReportRepair, now: dt.datetime) -> Ticket:
    """File a ticket (once per source message) and tell the handlers' pool."""
    return await once(Ticket, cmd.source_key, lambda: _report(cmd, now))


async def _report(cmd: ReportRepair, now: dt.datetime) -> Ticket:
    category = cmd.category
    role = category.role
    if role is None:
        raise Refusal("repairs.outside", text=category.outside)
    assignee = await _assignee(category, cmd.community)
    async with in_transaction():
        ticket = await Ticket.create(
            assignee=assignee,
            community=cmd.community,
            reporter=cmd.reporter,
            kind=category.kind,
            category=category.key,
            description=cmd.description[:2000],
            building_id=cmd.building_id,
            unit=cmd.unit,
            place=cmd.place[:128],
            latitude=cmd.latitude,
            longitude=cmd.longitude,
            handler_role=role.value,
            source_key=cmd.source_key,
            created_at=now,
            respond_by=now + dt.timedelta(hours=category.response_hours),
            resolve_by=now + dt.timedelta(hours=category.resolution_hours),
        )
        for media_id in cmd.photo_media_ids:
            await TicketPhoto.create(ticket=ticket, media_id=media_id, created_at=now)
        await TicketEvent.create(
            ticket=ticket, actor=cmd.reporter, action="submit", to_status=S.SUBMITTED, created_at=now
        )
        for staff in [assignee] if assignee else await _pool(ticket):
            await notify(
                staff,
                f"ticket:{ticket.id}:new:{staff.id}",
                content.text(
                    "repairs.staff_new",
                    number=ticket.number,
                    category=category.label,
                    where=await describe_place(ticket),
                    description=ticket.description[:60],
                ),
                now=now,
            )
    return ticket


async def _assignee(category: Category, community: Community) -> Person | None:
    """The named handler of an "assign" category, when they hold the role in this community."""
    if not category.assignee or category.role is None:
        return None
    person = await Person.get_or_none(openid=category.assignee)
    if person is None or not await Role.exists(person=person, community=community, role=category.role):
        return None
    return person


async def _pool(ticket: Ticket) -> list[Person]:
    roles = await Role.filter(community_id=ticket.community_id, role=ticket.handler_role).prefetch_related(
        "person"
    )
    return [r.person for r in roles]


async def describe_place(ticket: Ticket) -> str:
    if ticket.place:
        return ticket.place
    if ticket.building_id is None:
        return content.text("repairs.place_unknown")
    from storage.models import Building

    building = await Building.get(id=ticket.building_id)
    unit = f"{ticket.unit}单元" if ticket.unit else ""
    return f"{building.number}栋{unit}"


async def likely_duplicates(
    community: Community,
    category: Category,
    building_id: int | None,
    now: dt.datetime,
    near: tuple[float | None, float | None] = (None, None),
) -> list[Ticket]:
    """Open tickets of the same category of the last days: in the same building; or, for a shared
    location, within ``NEAR_METRES`` of it; or, when neither is known, anywhere in the community."""
    query = Ticket.filter(
        community=community,
        category=category.key,
        status__in=OPEN_STATUSES,
        created_at__gte=now - DUPLICATE_WINDOW,
    )
    if building_id is not None:
        query = query.filter(building_id=building_id)
    found = await query.order_by("-created_at").limit(20)
    lat, lng = near
    if building_id is None and lat is not None and lng is not None:
        found = [
            t
            for t in found
            if t.latitude is not None
            and t.longitude is not None
            and _metres((lat, lng), (t.latitude, t.longitude)) <= NEAR_METRES
        ]
    return found[:3]


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), plenty precise at a neighbourhood's scale."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


async def follow(ticket: Ticket, person: Person) -> None:
    await TicketFollower.get_or_create(ticket=ticket, person=person)


async def is_handler(person: Person, ticket: Ticket) -> bool:
    roles = {
        RoleName(str(r))
        for r in await Role.filter(person=person, community_id=ticket.community_id).values_list(
            "role", flat=True
        )
    }
    return RoleName.COMMITTEE in roles or RoleName(ticket.handler_role) in roles


async def move(
    ticket_id: int, action: str, actor: Person | None, now: dt.datetime, *, note: str = "", **values: Any
) -> Ticket:
    """Apply ``action``; raise Refusal when it is not allowed now (or someone else was first)."""
    spec = MOVES[action]
    ticket = await Ticket.get_or_none(id=ticket_id)
    if ticket is None:
        raise Refusal("repairs.no_such_ticket")
    await _check_actor(spec, ticket, actor)
    if ticket.status not in spec.frm:
        raise Refusal("repairs.not_now", number=ticket.number, status=status_label(ticket.status))
    await _check_assignee(spec, ticket, actor)  # after the state: who lost an accept race hears "not now"
    changes: dict[str, Any] = {"status": spec.to, **values}
    if action == "accept":
        changes |= {"assignee_id": actor.id if actor else None, "accepted_at": now}
    elif action == "resolve":
        changes |= {"resolved_at": now, "outcome_note": note}
    elif action in ("reject", "duplicate"):
        changes |= {"outcome_note": note, "closed_at": now}
    elif action in ("confirm", "autoclose", "cancel"):
        changes |= {"closed_at": now}
    elif action == "reopen":
        changes |= {"reopen_count": ticket.reopen_count + 1, "resolved_at": None}
    async with in_transaction():
        # the conditional update is the lock: of two people accepting at once, exactly one changes the row
        won = await Ticket.filter(id=ticket.id, status=ticket.status).update(**changes)
        if not won:
            raise Refusal("repairs.someone_else", number=ticket.number)
        await TicketEvent.create(
            ticket_id=ticket.id,
            actor=actor,
            action=action,
            from_status=ticket.status,
            to_status=spec.to,
            note=note[:2000],
            created_at=now,
        )
        ticket = await Ticket.get(id=ticket.id)
        await _tell_reporter(ticket, action, note, now)
    return ticket


async def _check_actor(spec: Move, ticket: Ticket, actor: Person | None) -> None:
    if spec.by == "system":
        return
    if actor is None:
        raise Refusal("repairs.not_allowed")
    if spec.by == "reporter":
        if actor.id != ticket.reporter_id:
            raise Refusal("repairs.not_allowed")
        return
    if not await is_handler(actor, ticket):
        raise Refusal("repairs.not_allowed")


async def _check_assignee(spec: Move, ticket: Ticket, actor: Person | None) -> None:
    """A ticket someone has taken is theirs (or the committee's) to move on."""
    if actor is None:
        return
    if spec.by in ("assignee", "handler") and ticket.assignee_id not in (None, actor.id):
        roles = await Role.filter(person=actor, community_id=ticket.community_id, role=RoleName.COMMITTEE)
        if not roles:
            raise Refusal("repairs.not_yours", number=ticket.number)


_TELL = {
    "accept": "repairs.told_accepted",
    "start": "repairs.told_started",
    "resolve": "repairs.told_resolved",
    "reject": "repairs.told_rejected",
    "duplicate": "repairs.told_duplicate",
    "transfer": "repairs.told_transferred",
    "autoclose": "repairs.told_autoclosed",
}


async def _tell_reporter(ticket: Ticket, action: str, note: str, now: dt.datetime) -> None:
    key = _TELL.get(action)
    if key is None:
        return
    text = content.text(key, number=ticket.number, note=note or content.text("repairs.no_note"))
    data = {"title": ticket.number, "status": status_label(ticket.status)}
    people = [await Person.get(id=ticket.reporter_id)]
    people += [f.person for f in await TicketFollower.filter(ticket=ticket).prefetch_related("person")]
    stamp = f"{now.timestamp():.0f}"
    for person in people:
        await notify(
            person,
            f"ticket:{ticket.id}:{action}:{stamp}:{person.id}",
            text,
            now=now,
            template="service_update",
            template_data=data,
        )


def status_label(status: TicketStatus | str) -> str:
    return content.text(f"repairs.status.{TicketStatus(status).value}")


async def rate(ticket_id: int, reporter: Person, stars: int, comment: str, now: dt.datetime) -> Ticket:
    if not 1 <= stars <= 5:
        raise Refusal("repairs.rating_range")
    return await move(
        ticket_id, "confirm", reporter, now, note=comment, rating=stars, rating_comment=comment[:500]
    )


async def urge(ticket_id: int, reporter: Person, now: dt.datetime) -> Ticket:
    """催办: an overdue ticket of one's own is escalated to the committee."""
    ticket = await Ticket.get_or_none(id=ticket_id, reporter=reporter)
    if ticket is None:
        raise Refusal("repairs.no_such_ticket")
    if ticket.status not in OPEN_STATUSES or not is_overdue(ticket, now):
        raise Refusal("repairs.not_overdue", number=ticket.number, due=f"{ticket.resolve_by:%m月%d日 %H:%M}")
    await Ticket.filter(id=ticket.id).update(urged_at=now)
    await escalate(ticket, now, urged=True)
    return await Ticket.get(id=ticket.id)


def is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    if ticket.status in (S.SUBMITTED, S.REOPENED) and now > ticket.respond_by:
        return True
    return ticket.status in OPEN_STATUSES and now > ticket.resolve_by


async def escalate(ticket: Ticket, now: dt.datetime, urged: bool = False) -> None:
    """Tell the community committee; the ticket shows as overdue from now on. A sweep escalates a ticket
    once, whichever of several workers gets there first; a resident's 催办 always does."""
    async with in_transaction():
        query = Ticket.filter(id=ticket.id) if urged else Ticket.filter(id=ticket.id, escalated_at=None)
        if not await query.update(escalated_at=now):
            return
        await TicketEvent.create(
            ticket_id=ticket.id,
            action="urge" if urged else "escalate",
            from_status=ticket.status,
            to_status=ticket.status,
            created_at=now,
        )
        committee = await Role.filter(
            community_id=ticket.community_id, role=RoleName.COMMITTEE
        ).prefetch_related("person")
        text = content.text(
            "repairs.escalated",
            number=ticket.number,
            category=categories()[ticket.category].label,
            where=await describe_place(ticket),
        )
        for member in committee:
            await notify(
                member.person,
                f"ticket:{ticket.id}:escalate:{now.timestamp():.0f}:{member.person.id}",
                text,
                now=now,
            )


async def sweep(now: dt.datetime, close_after: dt.timedelta) -> tuple[int, int]:
    """The periodic round: escalate newly overdue tickets, close resolved ones nobody confirmed.
    Returns (escalated, closed)."""
    overdue = await Ticket.filter(
        Q(status__in=(S.SUBMITTED, S.REOPENED), respond_by__lt=now)
        | Q(status__in=OPEN_STATUSES, resolve_by__lt=now),
        escalated_at=None,
    )
    for ticket in overdue:
        await escalate(ticket, now)  # another worker's sweep may have been first: then a no-op
    stale = await Ticket.filter(status=S.RESOLVED, resolved_at__lt=now - close_after)
    closed = 0
    for ticket in stale:
        try:
            await move(ticket.id, "autoclose", None, now)
            closed += 1
        except Refusal:
            continue  # confirmed or reopened meanwhile
    return len(overdue), closed


async def requests_of(person: Person, limit: int) -> tuple[int, list[RequestItem]]:
    """The person's tickets for "my requests", newest first."""
    query = Ticket.filter(reporter=person)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    return await query.count(), [
        RequestItem(
            "ticket", t.id, t.number, t.description, t.status.value, status_label(t.status), t.created_at
        )
        for t in rows
    ]
