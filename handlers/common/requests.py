""" "My requests" across features: each slice lists a person's own items of its kind (a ticket, a wish, a
proposal, a message for staff); the residents' API merges them, newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import content
from storage.models import Person, StaffMessage


@dataclass(frozen=True)
class RequestItem:
    kind: str
    id: int
    number: str
    text: str
    status: str
    status_label: str
    created_at: dt.datetime


# (how many the person has, their newest ``limit``)
RequestSource = Callable[[Person, int], Awaitable[tuple[int, list[RequestItem]]]]


async def staff_messages(person: Person, limit: int) -> tuple[int, list[RequestItem]]:
    query = StaffMessage.filter(person=person)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    return await query.count(), [
        RequestItem(
            kind="staff_message",
            id=m.id,
            number=f"H{m.id:04d}",
            text=m.text,
            status=m.status,
            status_label=content.text(f"common.message_status.{m.status}"),
            created_at=m.created_at,
        )
        for m in rows
    ]
