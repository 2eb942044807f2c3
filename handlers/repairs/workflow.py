"""Tickets without any transport: report, follow, accept, start, resolve, confirm and rate, reopen,
reject, transfer, cancel, urge, escalate overdue, close unconfirmed; add a photo of the work done.

Every change is one step of ``STATES`` through ``handlers.common.transitions.transition``: the conditional
update (so two people acting at once cannot both win), a ``TicketEvent`` and the notifications it causes,
in one transaction. The columns a step sets besides the status are the step's own (``transfer`` names its
role), never a caller's ``**values``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.common.requests import RequestItem
from handlers.common.rules import Refusal
from handlers.common.transitions import SYSTEM, Notice, StateTable, Step, transition
from handlers.register.grid_queries import grid_staff_for_building, in_own_grid
from handlers.repairs.categories import HANDLER_ROLES, Category, categories
from handlers.repairs.models import (
    OPEN_STATUSES,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketPhoto,
    TicketStatus,
)
from handlers.repairs.queries import (
    OVERSEERS,
    describe_place,
    is_overdue,
    may_handle,
    overdue_filter,
    sees_as_staff,
    status_label,
)
from storage.db import once
from storage.models import Community, Person, Role, RoleName
from storage.outbox import notify
from storage.roles import roles_of

S = TicketStatus
STREET_AFTER = dt.timedelta(hours=48)  # escalated to the committee and still open: the street office is told


@dataclass(frozen=True)
class ReportRepair:
    reporter: Person
    community_id: int
    category: Category
    description: str
    source_key: str
    building_id: int | None = None
    unit: int = 0
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photo_media_ids: tuple[str, ...] = ()
    filed_for: str = ""  # a grid worker reports for a resident (代报): whom, as they wrote it
    filed_for_resident_id: int | None = None  # and who that is on the register, when matched


# by: reporter; handler (the committee or the pool's role); assignee (a handler, and the ticket is theirs
# or nobody's yet, or they are on the committee); system (the clock)
MOVES: dict[str, Step[TicketStatus]] = {
    "accept": Step(S.ACCEPTED, (S.SUBMITTED, S.REOPENED), "handler"),
    "start": Step(S.IN_PROGRESS, (S.ACCEPTED,), "assignee"),
    "resolve": Step(S.RESOLVED, (S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), "assignee"),
    "reject": Step(S.REJECTED, (S.SUBMITTED, S.REOPENED), "handler"),
    "duplicate": Step(S.DUPLICATE, (S.SUBMITTED,), "handler"),
    "transfer": Step(S.SUBMITTED, (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), "handler"),
    # 派单: a handler hands it to a named colleague, who has it as accepted (and starts it again if it was)
    "assign": Step(S.ACCEPTED, (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED), "handler"),
    "cancel": Step(S.CANCELLED, (S.SUBMITTED, S.ACCEPTED, S.REOPENED), "reporter"),
    "confirm": Step(S.CLOSED, (S.RESOLVED,), "reporter"),
    "reopen": Step(S.REOPENED, (S.RESOLVED,), "reporter"),
    "autoclose": Step(S.CLOSED, (S.RESOLVED,), SYSTEM),
}


async def _authorise(ticket: Ticket, by: str, actor: Person | None) -> None:
    if by == SYSTEM:
        return
    if actor is None:
        raise Refusal("repairs.not_allowed")
    if by == "reporter":
        if actor.id != ticket.reporter_id:
            raise Refusal("repairs.not_allowed")
        return
    if not await may_handle(await roles_of(actor, ticket.community_id), actor.id, ticket):
        raise Refusal("repairs.not_allowed")


STATES: StateTable[Ticket, TicketStatus] = StateTable(
    model=Ticket,
    events=TicketEvent,
    owner="ticket_id",
    steps=MOVES,
    authorise=_authorise,
    label=status_label,
    missing="repairs.no_such_ticket",
    not_now="repairs.not_now",
    lost="repairs.someone_else",
)


# -- reporting ------------------------------------------------------------------------------------------
async def report(cmd: ReportRepair, now: dt.datetime) -> Ticket:
    """File a ticket (once per source message) and tell its handlers: a grid worker's ticket goes to the
    worker of its building's grid (told with the deputies), the pool of the role otherwise."""
    return await once(Ticket, cmd.source_key, lambda: _report(cmd, now))


async def _report(cmd: ReportRepair, now: dt.datetime) -> Ticket:
    category = cmd.category
    role = category.role
    if role is None:
        raise Refusal("repairs.outside", text=category.outside)
    assignee = await _assignee(category, cmd.community_id)
    grid = [] if assignee else await _grid_staff(role, cmd.building_id)
    assignee = assignee or (grid[0] if grid else None)
    async with in_transaction():
        ticket = await Ticket.create(
            assignee=assignee,
            community_id=cmd.community_id,
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
            filed_for=cmd.filed_for[:64],
            filed_for_resident_id=cmd.filed_for_resident_id,
            created_at=now,
            respond_by=now + dt.timedelta(hours=category.response_hours),
            resolve_by=now + dt.timedelta(hours=category.resolution_hours),
        )
        for media_id in cmd.photo_media_ids:
            await TicketPhoto.create(ticket=ticket, media_id=media_id, created_at=now)
        await TicketEvent.create(
            ticket=ticket, actor=cmd.reporter, action="submit", to_status=S.SUBMITTED, created_at=now
        )
        text = await _staff_new(ticket)
        for staff in grid or ([assignee] if assignee else await _pool(ticket)):
            await notify(staff, f"ticket:{ticket.id}:new:{staff.id}", text, now=now)
    return ticket


async def add_note(ticket_id: int, reporter: Person, words: str, now: dt.datetime) -> Ticket | None:
    """A line the reporter adds to their open ticket ("补充一下 楼上是402"): kept with the description, and
    in the ticket's history; None when it is closed (or not theirs)."""
    ticket = await Ticket.get_or_none(id=ticket_id, reporter=reporter, status__in=OPEN_STATUSES)
    if ticket is None:
        return None
    note = words.strip()[:500]
    async with in_transaction():
        ticket.description = formats.added(ticket.description, note, 2500, sep="；")
        await ticket.save(update_fields=["description"])
        await TicketEvent.create(ticket=ticket, actor=reporter, action="note", note=note, created_at=now)
    return ticket


async def _staff_new(ticket: Ticket) -> str:
    """What a handler is told of a new ticket (or one handed to them)."""
    text = content.text(
        "repairs.staff_new",
        number=ticket.number,
        category=categories()[ticket.category].label,
        where=await describe_place(ticket),
        description=formats.clip(ticket.description, 60),
    )
    return _for_whom(ticket, text, "repairs.filed_for")


def _for_whom(ticket: Ticket, text: str, key: str) -> str:
    """A ticket filed for a resident says for whom (代报：李奶奶), in the sentence ``key``."""
    return f"{text}\n{content.text(key, name=ticket.filed_for)}" if ticket.filed_for else text


async def _grid_staff(role: RoleName, building_id: int | None) -> list[Person]:
    """A grid worker's ticket in a building of a grid with staff: that grid's worker (then deputies)."""
    if role is not RoleName.GRID_WORKER or building_id is None:
        return []
    return await grid_staff_for_building(building_id)


async def _assignee(category: Category, community_id: int) -> Person | None:
    """The named handler of an "assign" category, when they hold the role in this community."""
    if not category.assignee or category.role is None:
        return None
    person = await Person.get_or_none(openid=category.assignee)
    if person is None or not await Role.exists(person=person, community_id=community_id, role=category.role):
        return None
    return person


async def _pool(ticket: Ticket) -> list[Person]:
    roles = await Role.filter(community_id=ticket.community_id, role=ticket.handler_role).select_related(
        "person"
    )
    return [r.person for r in roles]


async def follow(ticket_id: int, person: Person) -> Ticket:
    """Follow a neighbour's ticket instead of filing the same problem again."""
    ticket = await STATES.load(ticket_id)
    await TicketFollower.get_or_create(ticket=ticket, person=person)
    return ticket


async def add_photo(ticket_id: int, staff: Person, data: bytes, content_type: str, now: dt.datetime) -> int:
    """A photo of the work done, by staff who see the ticket as staff; its id."""
    ticket = await STATES.load(ticket_id)
    if not await sees_as_staff(await roles_of(staff, ticket.community_id), staff.id, ticket):
        raise Refusal("repairs.not_allowed")
    photo = await TicketPhoto.create(
        ticket=ticket, data=data, content_type=content_type, by_staff=True, created_at=now
    )
    return photo.id


# -- moving ---------------------------------------------------------------------------------------------
def _columns(
    action: str, ticket: Ticket, actor: Person | None, now: dt.datetime, note: str
) -> dict[str, Any]:
    """What a step records besides the status."""
    if action == "accept":
        return {"assignee_id": actor.id if actor else None, "accepted_at": now}
    if action == "resolve":
        return {"resolved_at": now, "outcome_note": note}
    if action in ("reject", "duplicate"):
        return {"outcome_note": note, "closed_at": now}
    if action in ("confirm", "autoclose", "cancel"):
        return {"closed_at": now}
    if action == "reopen":
        return {"reopen_count": ticket.reopen_count + 1, "resolved_at": None}
    if action == "transfer":
        return {"assignee_id": None}  # back to a pool: nobody's yet
    return {}


async def _step(
    ticket_id: int,
    action: str,
    actor: Person | None,
    now: dt.datetime,
    note: str = "",
    operands: Mapping[str, Any] | None = None,
) -> Ticket:
    """Take step ``action``; ``operands``: the columns an explicit operation (transfer, rate) sets."""
    ticket = await STATES.load(ticket_id)

    async def theirs() -> None:
        """A ticket someone has taken is theirs (or the committee's, the street office's) to move on:
        checked after the state, so who lost an accept race hears "not now"."""
        if actor is None or MOVES[action].by not in ("assignee", "handler"):
            return
        if ticket.assignee_id in (None, actor.id):
            return
        if OVERSEERS & await roles_of(actor, ticket.community_id):
            return
        if ticket.handler_role == RoleName.GRID_WORKER and await in_own_grid(
            actor.id, ticket.community_id, ticket.building_id
        ):
            return  # a deputy (or a second worker) of the grid stands in
        raise Refusal("repairs.not_yours", number=ticket.number)

    return await transition(
        STATES,
        ticket,
        action,
        actor,
        now,
        note=note,
        changes=_columns(action, ticket, actor, now, note) | dict(operands or {}),
        guard=theirs,
        then=lambda fresh: _told(fresh, action, note, now, actor),
    )


async def move(
    ticket_id: int, action: str, actor: Person | None, now: dt.datetime, *, note: str = ""
) -> Ticket:
    """Take step ``action`` (accept, start, resolve, reject, duplicate, cancel, reopen, autoclose; transfer
    back to the same pool; confirm without a rating); raise Refusal when it is not allowed now (or someone
    else was first). The steps with operands have their own operations: ``transfer``, ``rate``."""
    return await _step(ticket_id, action, actor, now, note)


async def transfer(ticket_id: int, to_role: RoleName, by: Person, now: dt.datetime, note: str = "") -> Ticket:
    """Hand the ticket to another role's pool (property staff, grid worker, mediator): nobody's yet; to the
    grid workers, their ticket's grid worker's when its building's grid has one."""
    if to_role not in HANDLER_ROLES.values():
        raise Refusal("api.transfer_role")
    ticket = await STATES.load(ticket_id)
    grid = await _grid_staff(to_role, ticket.building_id)
    operands = {"handler_role": to_role.value, "assignee_id": grid[0].id if grid else None}
    return await _step(ticket_id, "transfer", by, now, note, operands)


async def assign(ticket_id: int, to: Person, by: Person, now: dt.datetime, note: str = "") -> Ticket:
    """Hand the ticket to a colleague of its community who could handle it (one holding its pool's role,
    or on the committee): it is theirs, accepted; they are told."""
    ticket = await STATES.load(ticket_id)
    held = await roles_of(to, ticket.community_id)
    if RoleName(ticket.handler_role) not in held and RoleName.COMMITTEE not in held:
        raise Refusal("repairs.assignee_not_handler", number=ticket.number)
    operands = {"assignee_id": to.id, "accepted_at": now}
    return await _step(ticket_id, "assign", by, now, note, operands)


async def rate(ticket_id: int, reporter: Person, stars: int, comment: str, now: dt.datetime) -> Ticket:
    """The reporter confirms it is fixed, with 1-5 stars and a comment: the ticket is closed."""
    if not 1 <= stars <= 5:
        raise Refusal("repairs.rating_range")
    return await _step(
        ticket_id, "confirm", reporter, now, comment, {"rating": stars, "rating_comment": comment[:500]}
    )


_TELL = {
    "accept": "repairs.told_accepted",
    "start": "repairs.told_started",
    "resolve": "repairs.told_resolved",
    "reject": "repairs.told_rejected",
    "duplicate": "repairs.told_duplicate",
    "transfer": "repairs.told_transferred",
    "assign": "repairs.told_assigned",
    "autoclose": "repairs.told_autoclosed",
}


async def _told(
    ticket: Ticket, action: str, note: str, now: dt.datetime, actor: Person | None
) -> Iterable[Notice]:
    """The reporter and the followers hear of a step taken by someone else (a grid worker who filed it for
    a resident hears it as the reporter, to tell them); a ticket handed to a grid worker tells them."""
    key = _TELL.get(action)
    if key is None:
        return []
    said = content.text(key, number=ticket.number, note=formats.remark(note))
    text = _for_whom(ticket, said, "repairs.filed_for_tell")
    data = {"title": ticket.number, "status": status_label(ticket.status)}
    people = [await Person.get(id=ticket.reporter_id)]
    people += [f.person for f in await TicketFollower.filter(ticket=ticket).prefetch_related("person")]
    stamp = f"{now.timestamp():.0f}"
    told = [
        Notice(p, f"ticket:{ticket.id}:{action}:{stamp}:{p.id}", text, "service_update", data)
        for p in people
        if actor is None or p.id != actor.id
    ]
    if action == "transfer" and ticket.assignee_id is not None:
        handler = await Person.get(id=ticket.assignee_id)
        told.append(
            Notice(handler, f"ticket:{ticket.id}:handed:{stamp}:{handler.id}", await _staff_new(ticket))
        )
    if (
        action == "assign"
        and ticket.assignee_id is not None
        and (actor is None or ticket.assignee_id != actor.id)
    ):
        handler = await Person.get(id=ticket.assignee_id)
        told.append(
            Notice(
                handler, f"ticket:{ticket.id}:assigned:{stamp}:{handler.id}", await _staff_assigned(ticket)
            )
        )
    return told


async def _staff_assigned(ticket: Ticket) -> str:
    """What a colleague is told of a ticket handed to them."""
    text = content.text(
        "repairs.staff_assigned",
        number=ticket.number,
        category=categories()[ticket.category].label,
        where=await describe_place(ticket),
        description=formats.clip(ticket.description, 60),
    )
    return _for_whom(ticket, text, "repairs.filed_for")


# -- the clock ------------------------------------------------------------------------------------------
async def urge(ticket_id: int, reporter: Person, now: dt.datetime) -> Ticket:
    """催办: an overdue ticket of one's own is escalated to the committee."""
    ticket = await Ticket.get_or_none(id=ticket_id, reporter=reporter)
    if ticket is None:
        raise Refusal("repairs.no_such_ticket")
    if ticket.status not in OPEN_STATUSES or not is_overdue(ticket, now):
        raise Refusal("repairs.not_overdue", number=ticket.number, due=formats.day_time(ticket.resolve_by))
    await Ticket.filter(id=ticket.id).update(urged_at=now)
    await escalate(ticket, now, urged=True)
    return await Ticket.get(id=ticket.id)


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


async def escalate_to_street(ticket: Ticket, now: dt.datetime) -> bool:
    """Tell the street office's staff of a ticket the committee has not seen through: once, whichever of
    several workers gets there first (False when another was)."""
    async with in_transaction():
        if not await Ticket.filter(id=ticket.id, street_escalated_at=None).update(street_escalated_at=now):
            return False
        await TicketEvent.create(
            ticket_id=ticket.id,
            action="street_escalate",
            from_status=ticket.status,
            to_status=ticket.status,
            created_at=now,
        )
        street = await Role.filter(
            community_id=ticket.community_id, role=RoleName.STREET_OFFICE
        ).prefetch_related("person")
        community = await Community.get(id=ticket.community_id)
        text = content.text(
            "street.escalated",
            community=community.name,
            number=ticket.number,
            category=categories()[ticket.category].label,
            where=await describe_place(ticket),
        )
        for member in street:
            await notify(member.person, f"ticket:{ticket.id}:street:{member.person.id}", text, now=now)
    return True


async def sweep(
    now: dt.datetime, close_after: dt.timedelta, street_after: dt.timedelta = STREET_AFTER
) -> tuple[int, int]:
    """The periodic round: escalate newly overdue tickets to the committee, and to the street office those
    still open ``street_after`` later; close resolved ones nobody confirmed. Returns (escalated to the
    committee, closed)."""
    overdue = await Ticket.filter(overdue_filter(now), escalated_at=None)
    for ticket in overdue:
        await escalate(ticket, now)  # another worker's sweep may have been first: then a no-op
    past_committee = await Ticket.filter(
        status__in=OPEN_STATUSES,
        escalated_at__lte=now - street_after,
        street_escalated_at=None,
        community__street_office_id__not_isnull=True,
    )
    for ticket in past_committee:
        await escalate_to_street(ticket, now)
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
