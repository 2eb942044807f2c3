"""微心愿: posted, reviewed, claimed, fulfilled, confirmed; the service record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.common.photos import fetch_photos
from handlers.wishes import queries, workflow
from handlers.wishes.api import routes
from handlers.wishes.console import pages
from handlers.wishes.dialog import router as residents
from handlers.wishes.models import WishPhoto
from handlers.wishes.post_dialog import router as posting
from handlers.wishes.reading import words
from handlers.wishes.rules import rules
from handlers.wishes.service_dialog import router as service


def _jobs(deps: JobDeps) -> Sequence[Job]:
    async def wishes_sweep(now: dt.datetime) -> object:
        return await workflow.sweep(now)

    async def wish_photos(now: dt.datetime) -> object:
        return await fetch_photos(deps.wechat, now, WishPhoto)

    return [wishes_sweep, wish_photos]


def _keywords() -> Mapping[str, Mapping[str, int]]:
    return {"wish": {k: 1 for c in rules().categories.values() for k in c.keywords}}


def _reload() -> Sequence[str]:
    rules.cache_clear()
    words.cache_clear()
    return []


feature = Feature(
    "wishes",
    routers=[service, residents, posting],
    api=routes.all,
    console=pages.all,
    models="handlers.wishes.models",
    periodic=_jobs,
    requests=[queries.requests_of],
    keywords=_keywords,
    reload=_reload,
)
