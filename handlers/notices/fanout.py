"""A published notice reaches its audience in the background: publishing records the notice and its
fan-out job (``NoticeFanout``) and returns; the outbox workers, in every process, turn the audience into
outbox rows a batch at a time (``step``, the outbox's feed), the urgent notices' first.

A batch is one transaction: the job's row is read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (another
worker skips it meanwhile, or takes another job), the next page of the audience after the job's cursor
becomes outbox rows, and the cursor moves on with a conditional update (on SQLite, where rows are not
locked, a worker that finds the cursor moved rolls its batch back). A worker that dies midway leaves its
transaction to be rolled back: the batch is done again by another, nothing is lost; and nothing is
recorded twice (one row per notice and person: the outbox's key is unique).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.notices import audience, queries
from handlers.notices.models import Notice, NoticeFanout
from handlers.notices.queries import NoticeView, key_of, topic_of, view_of
from storage.outbox import ROUTINE, URGENT, Outgoing, notify_many

_batch_size = {"people": 2000}  # people a batch turns into outbox rows (NOTICES_FANOUT_BATCH)
PUSH_LIMIT = 500  # characters of the text in the pushed message; the chat and the API show it all


class _Moved(Exception):
    """Another worker did this batch meanwhile (SQLite, where the job's row is not locked)."""


@dataclass(frozen=True)
class Progress:
    recorded: int
    finished: bool


def configure(batch: int) -> None:
    _batch_size["people"] = max(1, batch)


async def start(notice: Notice, now: dt.datetime) -> None:
    """The notice's fan-out job, in the caller's transaction (the one that publishes the notice)."""
    await NoticeFanout.create(notice=notice, priority=URGENT if notice.urgent else ROUTINE, created_at=now)


async def step(now: dt.datetime, batch: int | None = None) -> int:
    """One batch of the most urgent (then oldest) unfinished fan-out; returns how many outbox rows it
    offered (0 when no job waits, or another worker holds every one)."""
    batch = batch or _batch_size["people"]
    try:
        async with in_transaction():
            jobs = (
                await NoticeFanout.filter(finished_at=None)
                .order_by("priority", "id")
                .limit(1)
                .select_for_update(skip_locked=True)
            )
            if not jobs:
                return 0
            return await _batch(jobs[0], now, batch)
    except _Moved:
        return 1  # not ours, but there is work: look again at once


async def _batch(job: NoticeFanout, now: dt.datetime, batch: int) -> int:
    notice = await Notice.get(id=job.notice_id)
    view = view_of(notice)
    people, after = await audience.recipients_page(view.target, job.after_person, batch)
    text, data = await message_of(view)
    if people:
        await notify_many(
            (Outgoing(p, key_of(view.id, p), text, "notice", data) for p in people),
            now=now,
            priority=job.priority,
            topic=topic_of(view.id),
        )
    recorded = job.recorded + len(people)
    moved = await NoticeFanout.filter(id=job.id, after_person=job.after_person, finished_at=None).update(
        after_person=job.after_person if after is None else after,
        recorded=F("recorded") + len(people),
        batches=F("batches") + 1,
        finished_at=now if after is None else None,
    )
    if not moved:
        raise _Moved
    if after is None:  # who it reached in the end (people may have come or gone since it was published)
        await Notice.filter(id=view.id).update(recipients=recorded)
    return max(len(people), 1)


async def message_of(n: NoticeView) -> tuple[str, dict[str, Any]]:
    """What each resident is sent: the customer-service text, and the template message's data."""
    community = await queries.community_name(n.community_id)
    data = {
        "title": queries.heading(n),
        "community": community,
        "time": formats.day_time(n.published_at or n.publish_at, weekday=False),
        "summary": formats.clip(n.text, 60),
        "remark": content.text("notices.template_remark_receipt" if n.receipt else "notices.template_remark"),
    }
    return pushed_text(n, community), data


def pushed_text(n: NoticeView, community: str) -> str:
    """The customer-service message: the heading, the text (clipped, with how to read it all), the link,
    the receipt request, and who sends it."""
    body = formats.clip(n.text, PUSH_LIMIT)
    heading = "notices.pushed_heading_urgent" if n.urgent else "notices.pushed_heading"
    parts = [content.text(heading, title=n.title), body]
    if body != " ".join(n.text.split()):
        parts.append(content.text("notices.pushed_more"))
    if n.link:
        parts.append(content.text("notices.link_line", link=n.link))
    if n.receipt:
        parts.append(content.text("notices.receipt_asked"))
    parts.append(content.text("notices.pushed_signature", community=community))
    return "\n".join(parts)


async def run_all(now: dt.datetime) -> int:
    """Every waiting fan-out to its end, here (tests, and a command line without workers)."""
    total = 0
    while done := await step(now):
        total += done
    return total


async def progress(notice_ids: list[int]) -> dict[int, Progress]:
    """How far the notices' fan-outs went: one statement (a notice without a job has none)."""
    if not notice_ids:
        return {}
    rows = await NoticeFanout.filter(notice_id__in=notice_ids).values_list(
        "notice_id", "recorded", "finished_at"
    )
    return {int(n): Progress(int(r), f is not None) for n, r, f in rows}


async def unfinished() -> set[int]:
    """The notices whose audience is still being turned into outbox rows."""
    ids: list[Any] = await NoticeFanout.filter(finished_at=None).values_list("notice_id", flat=True)
    return {int(i) for i in ids}
