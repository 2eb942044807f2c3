"""议事协商: consultations, ballots, results, proposals."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.votes import workflow
from handlers.votes.api import routes
from handlers.votes.committee_dialog import router as committee
from handlers.votes.console import pages
from handlers.votes.dialog import router as residents
from handlers.votes.offers import router as offers
from handlers.votes.participants_console import participant_pages
from handlers.votes.proposals_console import pages as proposal_pages
from handlers.votes.proposals_dialog import router as proposals


def _jobs(_deps: JobDeps) -> Sequence[Job]:
    return [workflow.sweep]


feature = Feature(
    "votes",
    routers=[committee, residents, proposals, offers],
    api=routes.all,
    console=[*pages.all, *participant_pages.all, *proposal_pages.all],
    models="handlers.votes.models",
    periodic=_jobs,
    requests=[workflow.requests_of],
)
