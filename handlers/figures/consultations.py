"""议事协商 figures: the consultations closed in the period, with the turnout their tally published at the
close (``handlers.votes.tally``: ``Consultation.result``), summed in SQL per community. Cancelled ones are
not counted. 参与率 is the turnout over the electorate, summed over the consultations (a consultation of 300
homes weighs more than one of a building's 20)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from tortoise.functions import Count, Sum

from handlers.figures import sql
from handlers.figures.views import ConsultationFigures, ConsultationRow
from handlers.figures.where import Where, ratio
from handlers.votes.models import Consultation, ConsultationStatus
from handlers.votes.tally import TallyResult

CLOSED = ConsultationStatus.CLOSED
LISTED = 100  # the newest consultations listed one by one (all are counted)
_NUMBER: Callable[[Any], str] = Consultation.number.fget  # type: ignore[attr-defined]


def _figures(where: Where, community_id: int | None, row: Mapping[str, Any]) -> ConsultationFigures:
    eligible, turnout = int(sql.number(row.get("eligible") or 0)), int(sql.number(row.get("turnout") or 0))
    links = {name: {"status": CLOSED.value} for name in ("closed", "eligible", "turnout", "turnout_share")}
    return ConsultationFigures(
        closed=int(sql.number(row.get("closed") or 0)),
        eligible=eligible,
        turnout=turnout,
        turnout_share=ratio(turnout, eligible),
        links=where.links("consultations", community_id, links),
    )


def _row(where: Where, row: Mapping[str, Any], end: dt.datetime) -> ConsultationRow:
    result = TallyResult.from_json(row["result"]) if row["result"] else None
    # the model's own numbering, without building a model per row (Tortoise's constructor is slow)
    number = _NUMBER(SimpleNamespace(id=row["id"], created_at=row["created_at"]))
    return ConsultationRow(
        number=number,
        title=row["title"],
        community=where.communities[row["community_id"]].code,
        closed_at=row["closed_at"] or end,
        eligible=result.eligible if result else 0,
        turnout=result.turnout if result else 0,
        turnout_share=result.turnout_share if result else None,
        passed=result.passed if result else False,
    )


async def consultations(
    where: Where,
) -> tuple[ConsultationFigures, dict[int, ConsultationFigures], list[ConsultationRow]]:
    """In all, per community, and the consultations closed in the period (the newest ``LISTED``, newest
    first): two statements."""
    start, end = where.bounds()
    closed = Consultation.filter(
        community_id__in=where.ids, status=CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    sums = {
        "closed": Count("id"),
        "eligible": Sum(sql.json_number("consultation", "result", "eligible")),  # type: ignore[arg-type]
        "turnout": Sum(sql.json_number("consultation", "result", "turnout")),  # type: ignore[arg-type]
    }
    rows = await closed.annotate(**sums).group_by("community_id").values("community_id", *sums)
    per = {int(r["community_id"]): r for r in rows}
    total = {k: sum(sql.number(r[k] or 0) for r in rows) for k in sums}
    fields = ("id", "created_at", "title", "community_id", "closed_at", "result")
    newest = await closed.order_by("-closed_at", "-id").limit(LISTED).values(*fields)
    listed = [_row(where, row, end) for row in newest]
    return _figures(where, None, total), {c: _figures(where, c, per.get(c, {})) for c in where.ids}, listed
