"""居务公开 (no sign-in): ``/public/<community>``, a community's figures (aggregates only: no names, no
phones, no handler or building breakdown) of this year, or of this quarter or month as the resident picks
(``?period=quarter``), its latest quarterly satisfaction scores, its recent public notices, its recent
consultation results, the wish stories residents allowed, and its office, hours and phone; ``/public``
lists the communities. Linked from the account's menu
(``content/wechat_menu.yaml``: ``{console_url}/public``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aiohttp import web

from bot.console.core import ConsoleError, Pages, Rendered
from bot.console.server import SERVICES
from handlers.figures import queries, render, satisfaction
from handlers.figures.period import Period
from handlers.notices import queries as notices
from handlers.votes import queries as votes
from handlers.wishes import board

pages = Pages("figures_public")
STORIES = 5
RESULTS = 5
NOTICES = 5
CLOSED = "closed"  # the consultations counted and published
# the periods a resident may pick, the first the default: (parameter, the period of a day)
PERIODS: dict[str, Callable[[dt.date], Period]] = {
    "year": Period.year_of,
    "quarter": Period.quarter_of,
    "month": Period.month_of,
}


def _today(request: web.Request) -> dt.datetime:
    return request.app[SERVICES].clock()


@pages.public("/public", "public.index")
async def index(request: web.Request) -> Rendered:
    return Rendered("public/index.html", {"communities": await queries.all_communities()})


@pages.public("/public/{community}", "public.community")
async def community_page(request: web.Request) -> Rendered:
    community = await queries.community_by_code(request.match_info["community"])
    if community is None:
        raise ConsoleError(404, "console.no_community")
    kind = request.query.get("period") or next(iter(PERIODS))
    if kind not in PERIODS:
        raise ConsoleError(400, "console.bad_parameter", name="period")
    now = _today(request)
    period = PERIODS[kind](now.date())
    overview = await queries.public_overview(community, period, now)
    closed = await votes.community_page(community, CLOSED, 1, RESULTS)
    wishes = await board.summary(community.id, stories=STORIES)
    published = await notices.public_page(community, 1, NOTICES)
    scores = await satisfaction.of_community(community, period, now)
    months = [r for r in overview.tickets.by_month if r.figures.received]
    if len(period.months()) == 1:
        months = []  # a month's figures are their own month: no chart
    return Rendered(
        "public/community.html",
        {
            "c": community,
            "o": overview,
            "f": overview.total,
            "period": kind,
            "periods": list(PERIODS),
            "title": render.Chosen(period, {}).title,
            "results": [(view, votes.describe_outcome(view)) for view in closed.rows],
            "stories": wishes.stories,
            "notices": [(n, notices.when(n), notices.heading(n)) for n in published.rows],
            "s": scores,
            "topics": [(t, satisfaction.topic_label(t)) for t in satisfaction.TOPICS],
            "quarter_label": satisfaction.quarter_label,
            "month_chart": render.rows_chart(months, lambda links, figure: "") if months else "",
        },
    )
