"""微心愿 and 志愿服务 figures, as the wishes slice defines them (``handlers.wishes.board.summary``):

- received: wishes posted in the period, whatever became of them (declined and withdrawn included);
- fulfilled: of those, the ones confirmed (by the resident, or the committee for them) so far;
- average days to fulfil: posted to done (the volunteer's "fulfilled"), over the fulfilled;
- volunteers and hours: the service record's entries (written once per person who served, at the
  confirmation) of services done in the period, by the day served.

Each is one GROUP BY statement per community, whatever the number of wishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from handlers.figures import sql
from handlers.figures.views import VolunteerFigures, VolunteerRow, WishFigures
from handlers.figures.where import Where, ratio
from handlers.wishes.models import ServiceRecord, Wish, WishStatus

TOP_VOLUNTEERS = 10
_FULFILLED = Q(status=WishStatus.CONFIRMED)


def _n(row: Mapping[str, Any], name: str) -> float:
    return sql.number(row.get(name) or 0)


def _wish_figures(where: Where, community_id: int | None, row: Mapping[str, Any]) -> WishFigures:
    received, fulfilled, timed = int(_n(row, "received")), int(_n(row, "fulfilled")), int(_n(row, "timed"))
    return WishFigures(
        received=received,
        fulfilled=fulfilled,
        fulfilled_rate=ratio(fulfilled, received),
        average_days_to_fulfil=round(_n(row, "hours") / 24 / timed, 1) if timed else None,
        links=where.links(
            "wishes",
            community_id,
            {
                "received": {"status": "all"},  # the wishes list shows the review queue unless told
                "fulfilled": {"status": WishStatus.CONFIRMED.value},
                "fulfilled_rate": {"status": WishStatus.CONFIRMED.value},
                "average_days_to_fulfil": {"status": WishStatus.CONFIRMED.value},
            },
        ),
    )


async def wishes(where: Where) -> tuple[WishFigures, dict[int, WishFigures]]:
    """The figures of the wishes posted in the period, in all and per community: one statement."""
    start, end = where.bounds()
    timed = _FULFILLED & Q(fulfilled_at__not_isnull=True)
    rows = (
        await Wish.filter(community_id__in=where.ids, created_at__gte=start, created_at__lt=end)
        .annotate(
            received=Count("id"),
            fulfilled=Count("id", _filter=_FULFILLED),
            timed=Count("id", _filter=timed),
            hours=Sum(sql.hours_between("wish", "created_at", "fulfilled_at"), _filter=timed),  # type: ignore[arg-type]
        )
        .group_by("community_id")
        .values("community_id", "received", "fulfilled", "timed", "hours")
    )
    per = {int(r["community_id"]): r for r in rows}
    total = {k: sum(_n(r, k) for r in rows) for k in ("received", "fulfilled", "timed", "hours")}
    return _wish_figures(where, None, total), {c: _wish_figures(where, c, per.get(c, {})) for c in where.ids}


def _volunteer_figures(where: Where, community_id: int | None, row: Mapping[str, Any]) -> VolunteerFigures:
    rows: dict[str, dict[str, str]] = {"volunteers": {}, "services": {}, "hours": {}}
    return VolunteerFigures(
        volunteers=int(_n(row, "volunteers")),
        services=int(_n(row, "services")),
        hours=round(_n(row, "hours"), 1),
        links=where.links("service_records", community_id, rows),
    )


async def volunteers(
    where: Where,
) -> tuple[VolunteerFigures, dict[int, VolunteerFigures], list[VolunteerRow]]:
    """Who served in the period and how long, in all and per community; and, for staff, the volunteers
    with the most hours: three statements."""
    records = ServiceRecord.filter(
        community_id__in=where.ids, served_on__gte=where.period.start, served_on__lt=where.period.end
    )
    sums = {
        "volunteers": Count("volunteer_id", distinct=True),
        "services": Count("id"),
        "hours": Sum("hours"),
    }
    rows = await records.annotate(**sums).group_by("community_id").values("community_id", *sums)
    per = {int(r["community_id"]): r for r in rows}
    everyone = await records.annotate(**sums).values(*sums)  # one may serve in two communities
    total = _volunteer_figures(where, None, everyone[0] if everyone else {})
    top: list[VolunteerRow] = []
    if where.linked:
        ranked = (
            await records.annotate(services=Count("id"), hours=Sum("hours"))
            .group_by("volunteer_id", "volunteer_name")
            .order_by("-hours", "volunteer_name")
            .limit(TOP_VOLUNTEERS)
            .values("volunteer_name", "services", "hours")
        )
        top = [
            VolunteerRow(
                name=str(r["volunteer_name"]), services=int(_n(r, "services")), hours=round(_n(r, "hours"), 1)
            )
            for r in ranked
        ]
    return total, {c: _volunteer_figures(where, c, per.get(c, {})) for c in where.ids}, top
