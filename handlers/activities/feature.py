"""活动报名: community activities, sign-ups with a waiting list, check-in at the venue."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.activities import workflow
from handlers.activities.api import routes
from handlers.activities.dialog import router as residents
from handlers.activities.rules import rules
from handlers.activities.staff_dialog import router as staff


def _jobs(_deps: JobDeps) -> Sequence[Job]:
    return [workflow.sweep]


def _reload() -> Sequence[str]:
    rules.cache_clear()
    return []


feature = Feature(
    "activities",
    routers=[staff, residents],
    api=routes.all,
    models="handlers.activities.models",
    periodic=_jobs,
    reload=_reload,
)
