"""满意度测评: surveys (rating, choice, free text), one answer per person or household, results sealed until
the close; the standing quarterly survey of the property company's service and the committee's work."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.surveys import workflow
from handlers.surveys.api import routes
from handlers.surveys.committee_dialog import router as committee
from handlers.surveys.dialog import router as residents


def _jobs(_deps: JobDeps) -> Sequence[Job]:
    return [workflow.sweep]


feature = Feature(
    "surveys",
    routers=[committee, residents],
    api=routes.all,
    models="handlers.surveys.models",
    periodic=_jobs,
)
