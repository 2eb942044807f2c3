"""One way to move a row through its states: tickets, wishes, whatever comes next.

A slice declares a ``StateTable``: its model and event model, its steps (action -> the states it may start
from, the state it leads to, who may take it) and how its refusals are named. ``transition`` then does the
one change a step makes:

1. who: the table's ``authorise(row, step.by, actor)`` (the slice's rule; raises ``Refusal``);
2. when: the row's status must be one the step starts from (``not_now`` otherwise);
3. ``guard()``, the slice's checks that come after the state (so who lost a race hears "not now");
4. in one transaction: the conditional update ``filter(id=..., status=<the status read>)`` -- the lock:
   of several people acting at once exactly one changes the row, the others hear ``lost``; it is stricter
   than ``status__in=step.frm`` (a row moved meanwhile between two allowed states is refused too, so what
   was authorised and the event's from-status are what really was) --, the event row, the row read back,
   ``then(fresh)`` (the step's other writes) and the notifications it returns.

The extra columns a step sets come from the slice's explicit operations (``transfer(to_role)``), never
from a caller's ``**values``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar, cast

from tortoise.models import Model
from tortoise.transactions import in_transaction

from handlers.common.rules import Refusal
from storage.models import Person
from storage.outbox import notify

M = TypeVar("M", bound=Model)
S = TypeVar("S", bound=StrEnum)

SYSTEM = "system"  # the ``by`` of a step the clock takes (no actor)


class _Stateful(Protocol):
    id: int
    status: Any

    @property
    def number(self) -> str: ...


@dataclass(frozen=True)
class Step(Generic[S]):
    """One allowed change: to which state, from which, by whom (a name the table's ``authorise`` knows)."""

    to: S
    frm: tuple[S, ...]
    by: str


@dataclass(frozen=True)
class Notice:
    """A notification a step causes: recorded (once per ``key``) in the step's transaction."""

    person: Person
    key: str
    text: str
    template: str = ""
    template_data: dict[str, Any] | None = None


Authorise = Callable[[M, str, Person | None], Awaitable[None]]
Then = Callable[[M], Awaitable[Iterable[Notice]]]


@dataclass(frozen=True)
class StateTable(Generic[M, S]):
    model: type[M]
    events: type[Model]  # columns: <owner>_id, actor, action, from_status, to_status, note, created_at
    owner: str  # the event's foreign key column: "ticket_id", "wish_id"
    steps: Mapping[str, Step[S]]
    authorise: Authorise[M]
    label: Callable[[Any], str]  # a status as people read it
    missing: str  # refusal keys: no such row, not in this state, someone else was first
    not_now: str
    lost: str
    notes_max: int = 2000

    async def load(self, row_id: int) -> M:
        row = await self.model.get_or_none(id=row_id)
        if row is None:
            raise Refusal(self.missing)
        return row


async def transition(
    table: StateTable[M, Any],
    row: M,
    action: str,
    actor: Person | None,
    now: dt.datetime,
    *,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    guard: Callable[[], Awaitable[None]] | None = None,
    then: Then[M] | None = None,
) -> M:
    """Take step ``action`` on ``row`` (as read): the fresh row, or ``Refusal``. See the module's doc."""
    step = table.steps[action]
    await table.authorise(row, step.by, actor)
    state = cast(_Stateful, row)
    current = state.status
    if current not in step.frm:
        raise Refusal(table.not_now, number=state.number, status=table.label(current))
    if guard is not None:
        await guard()
    async with in_transaction():
        won = await table.model.filter(id=state.id, status=current).update(status=step.to, **(changes or {}))
        if not won:
            raise Refusal(table.lost, number=state.number)
        event: dict[str, Any] = {
            table.owner: state.id,
            "actor": actor,
            "action": action,
            "from_status": current,
            "to_status": step.to,
            "note": note[: table.notes_max],
            "created_at": now,
        }
        await table.events.create(**event)
        fresh = await table.model.get(id=state.id)
        for notice in await then(fresh) if then is not None else ():
            await notify(
                notice.person,
                notice.key,
                notice.text,
                now=now,
                template=notice.template,
                template_data=notice.template_data,
            )
    return fresh
