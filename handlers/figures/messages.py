"""人工 figures: residents' messages for a person (``StaffMessage``) left in the period; answered is the
first answer staff gave (the status the answer sets), its wait from the message to that answer. Messages
answered before the answer's time was recorded count as answered, not in the median."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from handlers.figures import sql
from handlers.figures.views import MessageFigures
from handlers.figures.where import Where, ratio
from storage.models import StaffMessage

ANSWERED, OPEN = "answered", "open"


def _figures(
    where: Where, community_id: int | None, row: Mapping[str, Any], median: float | None
) -> MessageFigures:
    received, answered = int(sql.number(row.get("received") or 0)), int(sql.number(row.get("answered") or 0))
    return MessageFigures(
        received=received,
        answered=answered,
        answered_share=ratio(answered, received),
        waiting=int(sql.number(row.get("waiting") or 0)),
        median_hours_to_answer=None if median is None else round(median, 1),
        links=where.links(
            "staff_messages",
            community_id,
            {
                "received": {"status": "all"},  # the messages list shows those waiting unless told
                "answered": {"status": ANSWERED},
                "answered_share": {"status": ANSWERED},
                "waiting": {"status": OPEN},
                "median_hours_to_answer": {"status": ANSWERED},
            },
        ),
    )


async def messages(where: Where) -> tuple[MessageFigures, dict[int, MessageFigures]]:
    """In all and per community: two statements."""
    start, end = where.bounds()
    left = StaffMessage.filter(community_id__in=where.ids, created_at__gte=start, created_at__lt=end)
    sums = {
        "received": Count("id"),
        "answered": Count("id", _filter=Q(status=ANSWERED)),
        "waiting": Count("id", _filter=Q(status=OPEN)),
    }
    rows = await left.annotate(**sums).group_by("community_id").values("community_id", *sums)
    per = {int(r["community_id"]): r for r in rows}
    total = {k: sum(sql.number(r[k] or 0) for r in rows) for k in sums}
    timed = left.filter(status=ANSWERED, answered_at__not_isnull=True).annotate(
        x_wait=sql.hours_between("staff_message", "created_at", "answered_at")
    )
    waits = await sql.medians_by(
        timed.values(community="community_id", v="x_wait"), ["community"], total=True
    )
    medians = {int(str(k)): m for k, m in waits["community"].items()}
    overall = waits[sql.TOTAL].get(None)
    return _figures(where, None, total, overall), {
        c: _figures(where, c, per.get(c, {}), medians.get(c)) for c in where.ids
    }
