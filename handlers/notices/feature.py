"""通知公告: notices, their delivery and their receipts."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feature import Feature, Job, JobDeps
from handlers.notices import fanout, workflow
from handlers.notices.api import routes
from handlers.notices.audience_dialog import router as audience
from handlers.notices.committee_dialog import router as staff
from handlers.notices.console import pages
from handlers.notices.dialog import router as residents


def _jobs(_deps: JobDeps) -> Sequence[Job]:
    return [workflow.sweep]


feature = Feature(
    "notices",
    routers=[staff, audience, residents],
    api=routes.all,
    console=pages.all,
    models="handlers.notices.models",
    periodic=_jobs,
    feeds=[fanout.step],
    configure=workflow.configure,
)
