"""The street office's lists (handlers/figures/street_lists.py) read a handful of statements whatever their
length: each list's page and export, on the fixed data of the figures and on twice as much."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from handlers.common import queries as messages
from handlers.repairs import staff_queries as tickets
from handlers.repairs.filters import TicketFilter
from handlers.repairs.models import Ticket
from handlers.votes import staff_queries as consultations
from handlers.votes.models import Consultation
from handlers.wishes import staff_queries as wishes
from handlers.wishes.models import ServiceRecord, Wish
from storage.models import Community, Person, StaffMessage
from tests.integration.fixed_figures import NOW, build
from tests.integration.test_votes_queries import statements


async def build_more() -> None:
    """Every row of the lists once more, in both communities (copies under other keys)."""
    for model in (Ticket, Wish, ServiceRecord, Consultation, StaffMessage):
        for row in await model.all():
            original = row.pk
            row.pk = None
            if getattr(row, "source_key", None):
                row.source_key = f"{row.source_key}:again"  # type: ignore[attr-defined]
            if isinstance(row, ServiceRecord):
                row.wish_id, row.activity_ref = None, 100_000 + original
            await row.save(force_create=True)


def reads(ids: list[int], street: Person) -> dict[str, Callable[[], Awaitable[Any]]]:
    since, until = dt.datetime(2026, 1, 1, tzinfo=NOW.tzinfo), NOW
    every = TicketFilter()
    return {
        "tickets": lambda: tickets.street_ticket_page(ids, every, "due", 1, 30, NOW),
        "tickets export": lambda: tickets.street_ticket_rows(ids, every, "due", NOW),
        "wishes": lambda: wishes.street_wish_page(street, ids, wishes.WishFilter(), 1, 30),
        "wishes export": lambda: wishes.street_wish_rows(street, ids, wishes.WishFilter()),
        "records": lambda: wishes.street_record_page(ids, wishes.RecordFilter(), 1, 30),
        "records export": lambda: wishes.street_record_rows(ids, wishes.RecordFilter()),
        "consultations": lambda: consultations.street_consultation_page(
            ids, consultations.StreetFilter(), 1, 30
        ),
        "consultations export": lambda: consultations.street_consultation_rows(
            ids, consultations.StreetFilter()
        ),
        "messages": lambda: messages.street_message_page(ids, "", since, until, 1, 30),
        "messages export": lambda: messages.street_message_rows(ids, "", since, until),
    }


async def counted(read: Callable[[], Awaitable[Any]]) -> tuple[int, int]:
    """The statements a read runs, and the rows it found."""
    with statements() as sql:
        found = await read()
    rows = found[0] if isinstance(found, tuple) else found
    return len(sql), len(rows.rows if hasattr(rows, "rows") else rows)


async def test_a_street_list_is_a_handful_of_statements_whatever_its_length(seeded: str) -> None:
    await build()
    ids = [c.id for c in await Community.filter(street_office__code="xingfu")]
    street = await Person.get(openid="demo-street")
    few = {name: await counted(read) for name, read in reads(ids, street).items()}
    await build_more()
    for name, read in reads(ids, street).items():
        cost, rows = await counted(read)
        assert rows > few[name][1] > 0, name  # more rows
        assert cost == few[name][0] <= 6, (name, cost, few[name])
