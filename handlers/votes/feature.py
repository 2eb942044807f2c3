"""议事协商: consultations, ballots, results, proposals."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.votes import workflow
from handlers.votes.api import routes
from handlers.votes.committee_dialog import router as committee
from handlers.votes.dialog import router as residents


def _jobs(_deps: JobDeps) -> Sequence[Job]:
    return [workflow.sweep]


feature = Feature(
    "votes",
    routers=[committee, residents],
    api=routes.all,
    models="handlers.votes.models",
    periodic=_jobs,
    requests=[workflow.requests_of],
)
