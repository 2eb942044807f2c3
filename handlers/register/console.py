"""The register pages of the staff console: residents and households, searched and filtered by building or
grid (a grid worker reads their own grids; care needs only for the committee and the grid worker: the
register's rules in ``register_queries``), each list as Excel with its filters. The grids, verification
requests, visits and the workbook's import are the other register pages (``grid_console``,
``verify_console``, ``import_console``); ``TABS`` is the register's own menu."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.register import grid_queries, register_queries
from handlers.register.register_queries import HouseholdRow, RegisterFilter, ResidentRow, Scope
from storage.roles import reads_register

pages = Pages("register")
PER_PAGE = 50
TABS = (
    "register.residents",
    "register.households",
    "register.grids",
    "register.bindings",
    "register.visits",
    "register.upload",
)
FILTERS = ("q", "building", "grid", "unbound")


def _filters(call: ConsoleRequest) -> tuple[RegisterFilter, dict[str, str]]:
    given = call.given(*FILTERS)
    found = RegisterFilter(
        q=given.get("q", "").strip()[:32],
        building=call.number("building"),
        grid=call.number("grid"),
        unbound=call.choice("unbound", ["1"]) == "1",
    )
    return found, given


async def _list_context(
    call: ConsoleRequest, listed: Any, given: dict[str, str], name: str
) -> dict[str, Any]:
    assert call.community is not None
    return {
        "tabs": await call.tabs(*TABS),
        "listed": listed,
        "given": given,
        "buildings": await register_queries.building_choices(call.community.id),
        "grids": await grid_queries.grid_names(call.community.id),
        **call.paged(name, listed.total, PER_PAGE, given, export=f"{name}_export"),
        "action": call.url(name),
    }


async def _scope(call: ConsoleRequest) -> Scope:
    assert call.community is not None
    return await register_queries.scope_of(call.person, call.community.id)


@pages.get(
    "/c/{community}/register",
    "register.residents",
    allow=reads_register,
    nav="console.nav.register",
    nav_order=60,
    tab="register.console_tab.residents",
)
async def residents(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    filters, given = _filters(call)
    scope = await _scope(call)
    page = call.number("page") or 1
    listed = await register_queries.resident_page(call.community.id, scope, filters, page, PER_PAGE)
    context = await _list_context(call, listed, given, "register.residents")
    return Rendered("register/residents.html", {**context, "scope": scope})


def resident_row(r: ResidentRow, scope: Scope) -> tuple[Any, ...]:
    yes = content.text("register.console_yes")
    row: tuple[Any, ...] = (
        r.name,
        r.home,
        r.household,
        r.relation,
        yes if r.head else "",
        yes if r.owner else "",
        r.residence,
        r.phone,
        yes if r.bound else "",
    )
    return (*row, "、".join(r.care), r.note) if scope.care else row


RESIDENT_HEADERS = ("姓名", "住址", "户号", "与户主关系", "户主", "业主", "人员类型", "电话", "已绑定微信")


@pages.get(
    "/c/{community}/register/export",
    "register.residents_export",
    allow=reads_register,
    audit=True,
    title="register.console_residents_exported",
)
async def residents_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    filters, given = _filters(call)
    scope = await _scope(call)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    rows = await register_queries.resident_rows(call.community.id, scope, filters)
    headers = (*RESIDENT_HEADERS, "关照需求", "备注") if scope.care else RESIDENT_HEADERS
    return xlsx_response(
        content.text("register.console_residents_sheet"),
        headers,
        (resident_row(r, scope) for r in rows),
        filename=f"{call.community.name}-居民名单-{call.now():%Y%m%d}.xlsx",
    )


@pages.get(
    "/c/{community}/households",
    "register.households",
    allow=reads_register,
    tab="register.console_tab.households",
)
async def households(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    filters, given = _filters(call)
    scope = await _scope(call)
    page = call.number("page") or 1
    listed = await register_queries.household_page(call.community.id, scope, filters, page, PER_PAGE)
    context = await _list_context(call, listed, given, "register.households")
    return Rendered("register/households.html", {**context, "scope": scope})


def household_row(h: HouseholdRow, scope: Scope) -> tuple[Any, ...]:
    row = (h.home, h.code, h.head, len(h.members), "、".join(h.members), h.owners, h.bound)
    return (*row, h.care) if scope.care else row


@pages.get(
    "/c/{community}/households/export",
    "register.households_export",
    allow=reads_register,
    audit=True,
    title="register.console_households_exported",
)
async def households_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    filters, given = _filters(call)
    scope = await _scope(call)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    rows = await register_queries.household_rows(call.community.id, scope, filters)
    headers = ("住址", "户号", "户主", "人数", "成员", "业主人数", "已绑定微信人数")
    return xlsx_response(
        content.text("register.console_households_sheet"),
        (*headers, "需关照人数") if scope.care else headers,
        (household_row(h, scope) for h in rows),
        filename=f"{call.community.name}-住户-{call.now():%Y%m%d}.xlsx",
    )
