"""The audit log of staff actions: written by the console for every action taken, read on its audit page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

from storage.models import STAFF_ROLES, AuditEntry, Person, Role
from storage.pages import PageSlice, page_slice


@dataclass(frozen=True)
class Audited:
    """One action as it is recorded."""

    person_id: int | None
    community_id: int | None
    action: str
    target: str = ""
    outcome: str = "ok"
    detail: str = ""
    address: str = ""


async def record(entry: Audited, at: dt.datetime) -> None:
    await AuditEntry.create(
        person_id=entry.person_id,
        community_id=entry.community_id,
        action=entry.action[:48],
        target=entry.target[:64],
        outcome=entry.outcome[:16],
        detail=entry.detail[:255],
        address=entry.address[:64],
        at=at,
    )


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    who: str
    action: str
    target: str
    outcome: str
    detail: str
    address: str


def _of_community(community_id: int) -> Q:
    """The community's entries, and the sign-ins (no community) of the people who are its staff."""
    staff = Subquery(Role.filter(community_id=community_id, role__in=list(STAFF_ROLES)).values("person_id"))
    return Q(community_id=community_id) | (Q(community_id=None) & Q(person_id__in=staff))


async def community_log(community_id: int, page: int, per_page: int) -> PageSlice[AuditRow]:
    """The community's audit log, newest first: three statements whatever the page size."""
    listed = await page_slice(AuditEntry.filter(_of_community(community_id)), page, per_page, "-at", "-id")
    ids = {e.person_id for e in listed.rows if e.person_id is not None}
    names = dict(await Person.filter(id__in=ids).values_list("id", "name")) if ids else {}
    rows = [
        AuditRow(
            at=e.at,
            who=str(names.get(e.person_id, "")) if e.person_id else "",
            action=e.action,
            target=e.target,
            outcome=e.outcome,
            detail=e.detail,
            address=e.address,
        )
        for e in listed.rows
    ]
    return PageSlice(rows, listed.page, listed.per_page, listed.total)
