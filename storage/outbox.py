"""Recording notifications: "tell this person this", in the caller's transaction; and reserving due ones
for a worker.

Workflows call ``notify`` inside the same ``in_transaction()`` as the change the notification is about,
so either both happen or neither; a mass sending (a notice to a whole community) records its thousands
with ``notify_many``, in batches. ``bot.outbox.OutboxWorker`` delivers them, most urgent first
(``priority``: lower goes first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count, Min
from tortoise.transactions import in_transaction

from storage.models import Notification, NotificationStatus, Person

URGENT = 0  # urgent notices (停水, 停电, 台风): before everything else waiting
NORMAL = 5  # what a person's own request brings (a ticket taken, a vote's result)
ROUTINE = 9  # routine notices to many: after the rest, so a notice to thousands delays nobody's ticket
CHUNK = 1000  # rows per INSERT of a mass sending


async def notify(
    person: Person,
    key: str,
    text: str,
    *,
    now: dt.datetime,
    template: str = "",
    template_data: dict[str, Any] | None = None,
    priority: int = NORMAL,
    topic: str = "",
) -> Notification | None:
    """Record a notification once per ``key`` (a second call with the same key records nothing and returns
    None). ``template`` names an entry of content/notifications.yaml for use outside the 48-hour window."""
    try:
        async with in_transaction():  # a savepoint when the caller already has a transaction
            return await Notification.create(
                person=person,
                key=key,
                text=text,
                template=template,
                template_data=template_data or {},
                next_attempt_at=now,
                priority=priority,
                topic=topic,
            )
    except IntegrityError:
        if await Notification.exists(key=key):
            return None
        raise


@dataclass(frozen=True)
class Outgoing:
    """One notification of a mass sending."""

    person_id: int
    key: str
    text: str
    template: str = ""
    template_data: dict[str, Any] = field(default_factory=dict)


async def notify_many(
    outgoing: Iterable[Outgoing], *, now: dt.datetime, priority: int, topic: str, chunk: int = CHUNK
) -> int:
    """Record many notifications in INSERTs of ``chunk`` rows (not one round trip each), in the caller's
    transaction; a key recorded before is left as it was. Returns how many were offered."""
    offered = 0
    for rows in _chunks(outgoing, chunk):
        await Notification.bulk_create(
            [
                Notification(
                    person_id=o.person_id,
                    key=o.key,
                    text=o.text,
                    template=o.template,
                    template_data=o.template_data,
                    next_attempt_at=now,
                    priority=priority,
                    topic=topic,
                )
                for o in rows
            ],
            ignore_conflicts=True,
        )
        offered += len(rows)
    return offered


def _chunks(items: Iterable[Outgoing], size: int) -> Iterator[list[Outgoing]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


async def reserve(now: dt.datetime, limit: int, until: dt.datetime, worker: str) -> list[Notification]:
    """Reserve for ``worker``, until ``until``, up to ``limit`` due notifications, most urgent first (then
    the longest waiting). On PostgreSQL the rows are read ``FOR UPDATE SKIP LOCKED``: workers reserving at
    the same moment get different rows instead of queueing on the same ones. A reservation only spares the
    others the work: the worker still takes its notifications from ``pending`` to ``sending`` with a
    conditional update before sending them (``claim``), which is what makes a second sending impossible,
    on SQLite too. A reservation a worker did not use (it stopped, or died) lapses at ``until``, and
    whoever reserves the notification next stamps it with their own name."""
    free = Q(locked_until=None) | Q(locked_until__lt=now)
    async with in_transaction():
        rows = (
            await Notification.filter(free, status=NotificationStatus.PENDING, next_attempt_at__lte=now)
            .order_by("priority", "next_attempt_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True)
        )
        if rows:
            await Notification.filter(id__in=[n.id for n in rows]).update(locked_until=until, worker=worker)
    return list(rows)


async def claim(ids: list[int], worker: str, now: dt.datetime, until: dt.datetime) -> set[int]:
    """Take those of ``ids`` still reserved by ``worker`` and due from ``pending`` to ``sending`` (claimed
    until ``until``): one statement when all are (the common case), two otherwise. Returns the ids taken:
    a notification another worker reserved or took meanwhile is not among them."""
    if not ids:
        return set()
    taken = await Notification.filter(
        id__in=ids, status=NotificationStatus.PENDING, next_attempt_at__lte=now, worker=worker
    ).update(status=NotificationStatus.SENDING, locked_until=until)
    if taken == len(ids):
        return set(ids)
    mine: list[Any] = await Notification.filter(
        id__in=ids, status=NotificationStatus.SENDING, worker=worker, locked_until=until
    ).values_list("id", flat=True)
    return {int(i) for i in mine}


async def sent(ids_by_channel: dict[str, list[int]], worker: str, now: dt.datetime) -> None:
    """Record notifications this worker sent, one statement per channel."""
    for channel, ids in ids_by_channel.items():
        if ids:
            await Notification.filter(id__in=ids, status=NotificationStatus.SENDING, worker=worker).update(
                status=NotificationStatus.SENT,
                channel=channel,
                sent_at=now,
                locked_until=None,
                attempts=F("attempts") + 1,
            )


async def release(notification_ids: list[int], worker: str) -> None:
    """Give back notifications this worker reserved and will not send (it is stopping)."""
    if notification_ids:
        await Notification.filter(
            id__in=notification_ids, status=NotificationStatus.PENDING, worker=worker
        ).update(locked_until=None)


@dataclass(frozen=True)
class Waiting:
    """What the outbox has not delivered yet (``/metrics``)."""

    pending: int
    sending: int
    oldest_pending: dt.datetime | None  # when the longest-waiting pending one was recorded


async def waiting() -> Waiting:
    """One statement on the status index, however many were sent before."""
    rows = (
        await Notification.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .group_by("status")
        .values("status", "n", "oldest")
    )
    found = {str(getattr(r["status"], "value", r["status"])): r for r in rows}
    pending, sending = (
        found.get(NotificationStatus.PENDING.value),
        found.get(NotificationStatus.SENDING.value),
    )
    return Waiting(
        pending=int(pending["n"]) if pending else 0,
        sending=int(sending["n"]) if sending else 0,
        oldest_pending=pending["oldest"] if pending else None,
    )
