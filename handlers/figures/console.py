"""The console's overview (the landing page of the staff who read figures) and monthly report (月报), for a
community and for a street office across its communities: the figures of ``handlers.figures`` for a
period, each linking to the rows behind it, the breakdowns as ECharts charts, and the figures as Excel."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.figures import queries, render, satisfaction
from handlers.figures.period import Period
from handlers.figures.render import Chosen, Linker
from handlers.figures.views import Links, Overview, TicketRow

pages = Pages("figures", refusals={"figures.bad_period": 400})
COMMUNITY = "/c/{community}"
STREET = "/s/{street}"


def _bad(name: str) -> ConsoleError:
    return ConsoleError(400, "console.bad_parameter", name=name)


def _chosen(call: ConsoleRequest) -> Chosen:
    try:
        return render.read_period(call.query, call.now().date())
    except ValueError as wrong:
        raise _bad(str(wrong)) from None


def _month(call: ConsoleRequest) -> Period:
    try:
        return render.read_month(call.query, call.now().date())
    except ValueError as wrong:
        raise _bad(str(wrong)) from None


def linker(call: ConsoleRequest) -> Linker:
    """A figure's link as the address of the console page of its list: a community's, or for a street
    office's whole (``community`` None) the street office's list of all its communities ("" when there is
    none: a list without a console page)."""
    mounted = call.request.app.router.named_resources()

    def link(links: Links, figure: str) -> str:
        found = links.get(figure)
        if found is None:
            return ""
        if found.community is None:
            page = render.STREET_LIST_PAGES.get(found.list, "")
            if call.street is None or page not in mounted:
                return ""
            return call.url(page, query=found.params, street=call.street.code)
        page = render.LIST_PAGES.get(found.list, "")
        return call.url(page, query=found.params, community=found.community) if page in mounted else ""

    return link


async def _satisfaction(call: ConsoleRequest, period: Period) -> dict[str, Any]:
    """The quarterly satisfaction survey's scores, as the overview and the report show them."""
    if call.community is not None:
        found = await satisfaction.of_community(call.community, period, call.now())
    else:
        assert call.street is not None
        found = await satisfaction.of_street(call.street, period, call.now())
    return {
        "s": found,
        "topics": [(t, satisfaction.topic_label(t)) for t in satisfaction.TOPICS],
        "quarter_label": satisfaction.quarter_label,
    }


async def _overview(call: ConsoleRequest, period: Period, *, by_place: bool = True) -> Overview:
    if call.community is not None:
        return await queries.community_overview(call.community, period, call.now())
    assert call.street is not None
    return await queries.street_overview(call.street, period, call.now(), by_place=by_place)


def _values(call: ConsoleRequest, overview: Overview) -> dict[str, Any]:
    link = linker(call)
    t = overview.tickets
    # a street office's: per community, rather than its communities' grids and handlers all in one
    places: list[tuple[str, list[TicketRow], bool]] = (
        [
            (
                "community",
                [TicketRow(key=c.community, label=c.name, figures=c.tickets) for c in overview.communities],
                True,
            )
        ]
        if overview.scope.kind == "street"
        else [("grid", t.by_grid, True), ("handler", t.by_handler, True)]
    )
    charts = [
        (key, rows, horizontal)
        for key, rows, horizontal in (
            ("month", t.by_month, False),
            ("category", t.by_category, True),
            *places,
        )
        if rows
    ]
    return {
        "o": overview,
        "f": overview.total,
        "link": link,
        "charts": [
            (
                content.text(f"figures.console.by_{key}"),
                render.rows_chart(rows, link, horizontal=horizontal),
                render.chart_height(rows, horizontal),
            )
            for key, rows, horizontal in charts
        ],
        "community_link": lambda code, query: call.url("figures.overview", query=query, community=code),
    }


# -- the overview -------------------------------------------------------------------------------------------
async def overview_page(call: ConsoleRequest) -> Rendered:
    chosen = _chosen(call)
    # a street office's page shows its communities, not their grids and handlers: not counted for it
    overview = await _overview(call, chosen.period, by_place=False)
    export = "figures.export" if call.community is not None else "figures.street_export"
    report = "figures.report" if call.community is not None else "figures.street_report"
    return Rendered(
        "figures/overview.html",
        {
            **_values(call, overview),
            **await _satisfaction(call, chosen.period),
            "chosen": chosen,
            "given": {"from": "", "to": "", **chosen.params},
            "export": call.url(export, query=chosen.params),
            "report": call.url(report, query={"month": chosen.period.start.strftime("%Y-%m")}),
            "here": call.url(call.page.name),
        },
    )


async def export_figures(call: ConsoleRequest) -> web.Response:
    chosen = _chosen(call)
    overview = await _overview(call, chosen.period)
    call.audit_target = chosen.title
    title = content.text("figures.console.export_title", name=overview.scope.name, period=chosen.title)
    return xlsx_response(title, render.export_headers(), render.export_rows(overview))


async def report_page(call: ConsoleRequest) -> Rendered:
    month = _month(call)
    overview = await _overview(call, month)
    return Rendered(
        "figures/report.html",
        {
            **_values(call, overview),
            **await _satisfaction(call, month),
            "month": month,
            "month_title": Chosen(month, {}).title,
            "months": render.recent_months(call.now().date()),
            "given_month": month.start.strftime("%Y-%m"),
            "month_query": {"period": "custom", **month.params()},
            "here": call.url(call.page.name),
        },
    )


OVERVIEW = {"nav": "console.nav.overview", "nav_order": 10}
REPORT = {"nav": "console.nav.report", "nav_order": 15}
EXPORTED = {"audit": True, "title": "figures.console_exported"}
READ = queries.may_read
pages.get(COMMUNITY + "/overview", "figures.overview", allow=READ, **OVERVIEW)(overview_page)
pages.get(COMMUNITY + "/overview/export", "figures.export", allow=READ, **EXPORTED)(export_figures)
pages.get(COMMUNITY + "/report", "figures.report", allow=READ, **REPORT)(report_page)
pages.get(STREET + "/overview", "figures.street", **OVERVIEW)(overview_page)
pages.get(STREET + "/overview/export", "figures.street_export", **EXPORTED)(export_figures)
pages.get(STREET + "/report", "figures.street_report", **REPORT)(report_page)
