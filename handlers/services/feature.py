"""办事查询: the public-service catalog, office hours and the holiday calendar."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Settings
from bot.feature import Feature
from handlers.services import catalog, hours, search
from handlers.services.api import routes
from handlers.services.dialog import router


def _configure(settings: Settings) -> None:
    """Where the deployment's own catalog is; the search built before the first question (~1 s)."""
    catalog.configure(settings.effective_content_dir)
    search.warm_up(catalog.known_communities())


def _reload() -> Sequence[str]:
    hours.calendar.cache_clear()
    problems = catalog.reload(catalog.known_communities())
    return [str(p) for p in problems if p.error]


feature = Feature("services", routers=[router], api=routes.all, configure=_configure, reload=_reload)
