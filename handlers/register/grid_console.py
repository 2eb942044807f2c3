"""The grids and visits (走访) pages of the staff console: every grid with its buildings, staff and figures
(the committee and the street office, as the API), and the visits (the committee's all, a grid worker their
own), each list as Excel with its filters."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.register import grid_queries
from handlers.register.console import TABS
from handlers.register.grid_queries import GridSummary, VisitView
from storage.roles import oversees, reads_register

pages = Pages("grids", refusals={"grids.staff_only": 403})
PER_PAGE = 50
EXPORT_LIMIT = 10_000


@pages.get("/c/{community}/grids", "register.grids", allow=oversees, tab="register.console_tab.grids")
async def grids(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    return Rendered(
        "register/grids.html",
        {
            "tabs": await call.tabs(*TABS),
            "grids": await grid_queries.grids_of(call.community.id),
            "export": call.url("register.grids_export"),
        },
    )


def grid_row(g: GridSummary) -> tuple[Any, ...]:
    deputy = content.text("register.console_deputy")
    staff = "、".join(
        f"{s.name}{'（' + deputy + '）' if s.deputy else ''}{' ' + s.phone if s.phone else ''}"
        for s in g.staff
    )
    return (
        g.code,
        g.name,
        "、".join(g.buildings),
        staff,
        g.households,
        g.residents,
        g.unbound,
        g.open_tickets,
    )


@pages.get(
    "/c/{community}/grids/export",
    "register.grids_export",
    allow=oversees,
    audit=True,
    title="register.console_grids_exported",
)
async def grids_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    return xlsx_response(
        content.text("register.console_grids_sheet"),
        ("网格编号", "网格名称", "楼栋", "网格员", "户数", "人数", "未绑定微信", "未办结工单"),
        (grid_row(g) for g in await grid_queries.grids_of(call.community.id)),
        filename=f"{call.community.name}-网格-{call.now():%Y%m%d}.xlsx",
    )


# -- visits -------------------------------------------------------------------------------------------------
def _visit_filters(call: ConsoleRequest) -> tuple[str | None, Any, dict[str, str]]:
    assert call.community is not None
    given = call.given("grid", "from")
    grid = given.get("grid")
    return (grid[:32] if grid else None), call.day("from"), given


@pages.get(
    "/c/{community}/visits", "register.visits", allow=reads_register, tab="register.console_tab.visits"
)
async def visits(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    grid, since, given = _visit_filters(call)
    page = call.number("page") or 1
    listed = await grid_queries.visits_page(call.person, call.community.id, grid, since, page, PER_PAGE)
    codes = [(code, name) for code, name in await grid_queries.grid_codes(call.community.id)]
    return Rendered(
        "register/visits.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "given": given,
            "grids": codes,
            **call.paged("register.visits", listed.total, PER_PAGE, given, export="register.visits_export"),
        },
    )


def visit_row(v: VisitView) -> tuple[Any, ...]:
    return (v.visited_at, v.by, v.whom, v.place, v.resident, v.found, v.follow_up)


@pages.get(
    "/c/{community}/visits/export",
    "register.visits_export",
    allow=reads_register,
    audit=True,
    title="register.console_visits_exported",
)
async def visits_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    grid, since, given = _visit_filters(call)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    listed = await grid_queries.visits_page(call.person, call.community.id, grid, since, 1, EXPORT_LIMIT)
    return xlsx_response(
        content.text("register.console_visits_sheet"),
        ("走访时间", "走访人", "走访对象", "住址", "登记住户", "情况", "后续跟进"),
        (visit_row(v) for v in listed.rows),
        filename=f"{call.community.name}-走访记录-{call.now():%Y%m%d}.xlsx",
    )
