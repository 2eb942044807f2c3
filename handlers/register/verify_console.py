"""Verification requests (住址核实) in the staff console: the bindings of homes the person may decide (the
committee and the street office every one of the community, a grid worker those of their grids'
buildings), confirmed with the register member they are, rejected with a reason the resident is told, or
revoked by the committee (voiding the household votes cast from that home in open consultations); the list
as Excel with its filter. Every decision goes through ``verify_workflow``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.common.rules import Refusal
from handlers.register import verify_queries, verify_workflow
from handlers.register.console import TABS
from handlers.register.verify_queries import BindingStatus, BindingView
from storage.roles import on_committee, reads_register

pages = Pages("bindings", refusals={"verify.no_such_binding": 404, "verify.not_allowed": 403})
PER_PAGE = 30
EXPORT_LIMIT = 10_000
STATUSES = [s.value for s in BindingStatus]
BINDING = "/c/{community}/bindings/{binding_id:[0-9]{1,9}}"


def _status(value: str) -> str:
    return content.text(f"register.console_binding.{value}")


def _method(value: str) -> str:
    return content.text(f"register.console_method.{value}")


def _chosen(call: ConsoleRequest) -> tuple[str, dict[str, str]]:
    status = call.choice("status", [*STATUSES, "all"], default="pending")
    return ("" if status == "all" else status), {"status": status}


@pages.get(
    "/c/{community}/bindings", "register.bindings", allow=reads_register, tab="register.console_tab.bindings"
)
async def bindings(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    status, given = _chosen(call)
    page = call.number("page") or 1
    listed = await verify_queries.community_page(call.community, call.person, status or None, page, PER_PAGE)
    return Rendered(
        "register/bindings.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "given": given,
            **call.status_links("register.bindings", STATUSES, _status),
            "method_label": _method,
            "committee": await on_committee(call.person, call.community.id),
            **call.paged(
                "register.bindings", listed.total, PER_PAGE, given, export="register.bindings_export"
            ),
        },
    )


def binding_row(b: BindingView) -> tuple[Any, ...]:
    return (
        b.number,
        b.address,
        b.said_name,
        b.said_phone,
        _status(b.status),
        _method(b.method),
        b.requested_at,
        b.decided_at,
        b.reason,
        "、".join(m.name for m in b.members),
    )


@pages.get(
    "/c/{community}/bindings/export",
    "register.bindings_export",
    allow=reads_register,
    audit=True,
    title="register.console_bindings_exported",
)
async def bindings_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    status, given = _chosen(call)
    call.audit_detail = f"status={given['status']}"
    listed = await verify_queries.community_page(call.community, call.person, status or None, 1, EXPORT_LIMIT)
    return xlsx_response(
        content.text("register.console_bindings_sheet"),
        (
            "编号",
            "住址",
            "自报姓名",
            "自报电话",
            "状态",
            "核实方式",
            "申请时间",
            "处理时间",
            "原因",
            "名册上的住户",
        ),
        (binding_row(b) for b in listed.rows),
        filename=f"{call.community.name}-住址核实-{call.now():%Y%m%d}.xlsx",
    )


async def _binding(call: ConsoleRequest) -> BindingView:
    """The binding in the path, when it is this community's (else not found)."""
    assert call.community is not None
    view = await verify_queries.view(call.path_int("binding_id"))
    if view.community_code != call.community.code:
        raise Refusal("verify.no_such_binding")
    call.audit_target = view.number
    return view


def _back(call: ConsoleRequest) -> web.Response:
    return call.redirect(call.back(call.url("register.bindings")))


@pages.post(
    BINDING + "/confirm", "register.confirm", allow=reads_register, title="register.console_action.confirm"
)
async def confirm(call: ConsoleRequest) -> web.Response:
    view = await _binding(call)
    member = call.field("resident_id")
    resident_id = int(member) if member.isdigit() and len(member) < 10 else None
    await verify_workflow.confirm(view.id, call.person, call.now(), resident_id=resident_id)
    await call.flash("ok", content.text("register.console_confirmed", number=view.number))
    return _back(call)


@pages.post(
    BINDING + "/reject", "register.reject", allow=reads_register, title="register.console_action.reject"
)
async def reject(call: ConsoleRequest) -> web.Response:
    view = await _binding(call)
    await verify_workflow.reject(view.id, call.person, call.field("reason"), call.now())
    await call.flash("ok", content.text("register.console_rejected", number=view.number))
    return _back(call)


@pages.post(
    BINDING + "/revoke", "register.revoke", allow=on_committee, title="register.console_action.revoke"
)
async def revoke(call: ConsoleRequest) -> web.Response:
    view = await _binding(call)
    await verify_workflow.revoke(view.id, call.person, call.field("reason"), call.now())
    await call.flash("ok", content.text("register.console_revoked", number=view.number))
    return _back(call)
