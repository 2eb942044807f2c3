"""报修 and 投诉: from the first message to the rating."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.common.photos import fetch_photos
from handlers.repairs import workflow
from handlers.repairs.api import routes
from handlers.repairs.categories import categories
from handlers.repairs.console import pages
from handlers.repairs.dialog import router
from handlers.repairs.models import TicketPhoto


def _jobs(deps: JobDeps) -> Sequence[Job]:
    close_after = dt.timedelta(days=deps.settings.repairs_autoclose_days)
    street_after = dt.timedelta(hours=deps.settings.repairs_street_after_hours)

    async def repairs_sweep(now: dt.datetime) -> object:
        return await workflow.sweep(now, close_after, street_after)

    async def repair_photos(now: dt.datetime) -> object:
        return await fetch_photos(deps.wechat, now, TicketPhoto)

    return [repairs_sweep, repair_photos]


def _keywords() -> Mapping[str, Mapping[str, int]]:
    """Every category's words point to a report: a repair's to 报修, a complaint's or dispute's to 投诉."""
    found: dict[str, dict[str, int]] = {"repair": {}, "complaint": {}}
    for category in categories().values():
        intent = (
            "repair" if category.kind == "repair" else "complaint" if category.kind != "emergency" else None
        )
        if intent:
            found[intent].update(dict.fromkeys(category.keywords, 2))
    return found


def _reload() -> Sequence[str]:
    categories.cache_clear()
    return []


feature = Feature(
    "repairs",
    routers=[router],
    api=routes.all,
    console=pages.all,
    models="handlers.repairs.models",
    periodic=_jobs,
    requests=[workflow.requests_of],
    keywords=_keywords,
    reload=_reload,
)
