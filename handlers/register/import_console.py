"""The register workbook in the staff console, for the committee and the street office (the API's rule): the
template and the current register to download, and an import in two steps: the uploaded workbook is checked
first (a dry run: every problem listed with its sheet, row and column, or what the import would change),
then imported as it was checked, from the copy kept for a quarter of an hour under a token of this
session. The import itself is ``import_workflow.import_register``."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from aiohttp import web

from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import workbook_download
from handlers.common.rules import Refusal
from handlers.register import import_queries
from handlers.register.console import TABS
from handlers.register.import_sheets import template_workbook
from handlers.register.import_workflow import ImportResult, import_register
from storage.roles import oversees

pages = Pages("register_import")
WORKBOOK_LIMIT = 20 * 1024 * 1024
ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive
KEPT = 15 * 60  # seconds a checked workbook waits to be imported


def _kept_key(call: ConsoleRequest, token: str) -> str:
    assert call.community is not None
    return f"console:import:{call.session.token[:16]}:{call.community.id}:{token}"


async def _page(call: ConsoleRequest, result: ImportResult | None = None, token: str = "") -> Rendered:
    return Rendered(
        "register/import.html",
        {
            "tabs": await call.tabs(*TABS),
            "result": result,
            "token": token,
            "template": call.url("register.template"),
            "workbook": call.url("register.workbook"),
        },
        status=422 if result is not None and result.problems else 200,
    )


@pages.get(
    "/c/{community}/register/import", "register.upload", allow=oversees, tab="register.console_tab.import"
)
async def import_page(call: ConsoleRequest) -> Rendered:
    return await _page(call)


def _upload(call: ConsoleRequest) -> bytes:
    field: Any = call.form.get("workbook") if call.form is not None else None
    if field is None or isinstance(field, str) or not getattr(field, "filename", ""):
        raise Refusal("register.console_choose_file")
    data = bytes(field.file.read(WORKBOOK_LIMIT + 1))
    if not data.startswith(ZIP) or len(data) > WORKBOOK_LIMIT:
        raise Refusal("register_import.not_a_workbook")
    return data


@pages.post(
    "/c/{community}/register/import/check",
    "register.upload_check",
    allow=oversees,
    title="register.console_action.check",
    upload_limit=WORKBOOK_LIMIT + 64 * 1024,
)
async def check(call: ConsoleRequest) -> Rendered:
    """The dry run: nothing is written; a workbook without problems is kept to be imported as checked."""
    assert call.community is not None
    data = _upload(call)
    result = await import_register(call.community, data, call.now(), dry_run=True)
    token = ""
    if result.ok:
        token = secrets.token_urlsafe(12)
        await call.services.store.set(_kept_key(call, token), base64.b64encode(data).decode(), ttl=KEPT)
    else:
        call.audit_outcome, call.audit_detail = "refused", f"problems={len(result.problems)}"
    return await _page(call, result, token)


@pages.post(
    "/c/{community}/register/import/confirm",
    "register.upload_confirm",
    allow=oversees,
    title="register.console_action.import",
)
async def confirm(call: ConsoleRequest) -> Rendered:
    """The import of the workbook checked just before (its token): written in one transaction."""
    assert call.community is not None
    token = call.field("token")
    kept = await call.services.store.get(_kept_key(call, token)) if token else None
    if kept is None:
        raise Refusal("register.console_check_again")
    await call.services.store.delete(_kept_key(call, token))
    result = await import_register(call.community, base64.b64decode(kept), call.now())
    if not result.ok:  # the register changed since the check
        call.audit_outcome, call.audit_detail = "refused", f"problems={len(result.problems)}"
    return await _page(call, result)


@pages.get("/c/{community}/register/template", "register.template", allow=oversees)
async def template(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    body = template_workbook(rural=import_queries.is_rural(call.community))
    return workbook_download(body, f"{call.community.name}-名册模板.xlsx")


@pages.get(
    "/c/{community}/register/workbook",
    "register.workbook",
    allow=oversees,
    audit=True,
    title="register.console_workbook_exported",
)
async def workbook(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    body = await import_queries.export_workbook(call.community)
    return workbook_download(body, f"{call.community.name}-住户名册-{call.now():%Y%m%d}.xlsx")
