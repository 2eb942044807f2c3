"""The tickets page of the staff console: the list with its filters (links from other pages carry them as
query parameters), a ticket with its history and photos, and the handler's actions (accept, assign,
transfer, resolve with a note and a photo), each through the workflow; the list as Excel."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from aiohttp import web

import content
from bot.api.core import IMAGES
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.common.rules import Refusal
from handlers.repairs import queries, staff_queries, workflow
from handlers.repairs.categories import categories
from handlers.repairs.filters import PARAMS
from handlers.repairs.queries import RoleName, Seen, TicketFilter, TicketStatus, TicketView

pages = Pages(
    "repairs",
    refusals={"repairs.no_such_ticket": 404, "repairs.not_allowed": 403, "api.no_photo": 404},
)
PER_PAGE = 30
TICKET = "/c/{community}/tickets/{ticket_id:[0-9]{1,9}}"
FILTERS = (*PARAMS, "sort")  # the query parameters the list reads (and keeps in its links and export)
PHOTO_LIMIT = 5 * 1024 * 1024


# -- the list ---------------------------------------------------------------------------------------------
def _bad(name: str) -> ConsoleError:
    return ConsoleError(400, "console.bad_parameter", name=name)


def _number(call: ConsoleRequest, name: str) -> int | None:
    raw = call.query.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise _bad(name)
    return int(raw)


def _valid(name: str, raw: str) -> bool:
    """A parameter as ``filters.PARAMS`` describes it (the API's check), and a category that exists."""
    schema = PARAMS[name][0]
    if "enum" in schema and raw not in schema["enum"]:
        return False
    if "pattern" in schema and not re.fullmatch(schema["pattern"], raw):
        return False
    return name != "category" or raw in categories()


def read_filters(call: ConsoleRequest) -> tuple[TicketFilter, str, dict[str, str]]:
    """The list's filters from the query string (what other pages, the overview's figures among them,
    link with; ``handlers.repairs.filters`` names them all): status (a status, open or done), category,
    building, grid, handler (or none), role (the pool), from / to (days, both included), the flags
    (overdue, responded, on_time, satisfied ... as 1), sort (due, new, old). Also the values as given."""
    given = {name: call.query.get(name, "") for name in FILTERS if call.query.get(name)}
    for name, raw in given.items():
        if name != "sort" and not _valid(name, raw):
            raise _bad(name)
    sort = given.get("sort", "due")
    if sort not in staff_queries.SORTS:
        raise _bad("sort")
    try:
        return TicketFilter.from_params(given, call.now()), sort, given
    except ValueError as error:
        raise _bad(str(error)) from None


async def _roles(call: ConsoleRequest) -> set[RoleName]:
    assert call.community is not None
    return await queries.staff_roles(call.person, call.community.id) or set()


@pages.get("/c/{community}/tickets", "tickets.list", nav="console.nav.tickets", nav_order=20)
async def ticket_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    filters, sort, given = read_filters(call)
    page = call.number("page") or 1
    listed = await staff_queries.ticket_page(
        call.person, call.community.id, await _roles(call), filters, sort, page, PER_PAGE, call.now()
    )
    choices = await staff_queries.choices(call.community.id)
    return Rendered(
        "repairs/list.html",
        {
            "listed": listed,
            "given": defaultdict(str, given),  # the template reads the filters not given as ""
            "choices": choices,
            "status_names": dict(choices.statuses),
            **call.paged("tickets.list", listed.total, PER_PAGE, given, export="tickets.export"),
        },
    )


EXPORT_HEADERS = (
    "编号",
    "类别",
    "位置",
    "问题描述",
    "状态",
    "超时",
    "处理人",
    "报告人",
    "电话",
    "报告时间",
    "办结期限",
)


def export_row(view: TicketView) -> tuple[Any, ...]:
    """One ticket as the workbook and the page show it (the page's columns first)."""
    reporter = view.reporter
    return (
        view.number,
        view.category_label,
        view.place,
        view.description,
        staff_queries.staff_status(view.status),
        content.text("repairs.console_overdue") if view.overdue else "",
        view.assignee,
        view.filed_for or (reporter.name if reporter else ""),
        reporter.phone if reporter and reporter.phone else "",
        view.created_at,
        view.resolve_by,
    )


@pages.get("/c/{community}/tickets/export", "tickets.export", audit=True, title="repairs.console_exported")
async def ticket_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    filters, sort, given = read_filters(call)
    rows = await staff_queries.ticket_rows(
        call.person, call.community.id, await _roles(call), filters, sort, call.now()
    )
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    return xlsx_response(
        content.text("repairs.console_sheet"),
        EXPORT_HEADERS,
        (export_row(v) for v in rows),
        filename=f"{call.community.name}-工单-{call.now():%Y%m%d}.xlsx",
    )


# -- one ticket ---------------------------------------------------------------------------------------------
async def _seen(call: ConsoleRequest) -> Seen:
    """The ticket in the path, when it is this community's and the person sees it as staff."""
    assert call.community is not None
    seen = await queries.seen_by(call.person, call.path_int("ticket_id"))
    if not seen.as_staff or seen.ticket.community_id != call.community.id:
        raise Refusal("repairs.no_such_ticket")
    call.audit_target = seen.ticket.number
    return seen


@pages.get(TICKET, "tickets.detail")
async def ticket_detail(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    seen = await _seen(call)
    ticket = seen.ticket
    may_act = await queries.may_handle(await _roles(call), call.person.id, ticket)
    possible = {a for a, step in workflow.MOVES.items() if ticket.status in step.frm} if may_act else set()
    return Rendered(
        "repairs/detail.html",
        {
            "detail": await queries.detail(seen, call.now()),
            "actions": possible & {"accept", "assign", "transfer", "resolve"},
            "handlers": await staff_queries.handlers_of(call.community.id),
            "roles": [(r, label) for r, label in staff_queries.pools() if r != ticket.handler_role],
            "pool": staff_queries.role_label(ticket.handler_role),
            "status_names": {s.value: staff_queries.staff_status(s) for s in TicketStatus},
            "back": call.url("tickets.list"),
        },
    )


@pages.get(TICKET + "/photos/{photo_id:[0-9]{1,9}}", "tickets.photo")
async def ticket_photo(call: ConsoleRequest) -> web.Response:
    seen = await _seen(call)
    photo = await queries.photo(seen, call.path_int("photo_id"))
    return web.Response(body=photo.data, content_type=photo.served_type(tuple(IMAGES)))


def _back(call: ConsoleRequest) -> web.Response:
    """After an action: the ticket again, with the sentence of what happened (or why not)."""
    return call.redirect(call.url("tickets.detail", ticket_id=call.path_int("ticket_id")))


@pages.post(TICKET + "/accept", "tickets.accept", title="repairs.console_action.accept")
async def accept(call: ConsoleRequest) -> web.Response:
    seen = await _seen(call)
    moved = await workflow.move(seen.ticket.id, "accept", call.person, call.now(), note=call.field("note"))
    await call.flash("ok", content.text("repairs.console_accepted", number=moved.number))
    return _back(call)


@pages.post(TICKET + "/assign", "tickets.assign", title="repairs.console_action.assign")
async def assign(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    seen = await _seen(call)
    chosen = call.field("to")
    to = await staff_queries.colleague(call.community.id, int(chosen)) if chosen.isdigit() else None
    if to is None:
        raise Refusal("repairs.console_choose_handler")
    call.audit_detail = f"to={to.id}"
    moved = await workflow.assign(seen.ticket.id, to, call.person, call.now(), call.field("note"))
    await call.flash("ok", content.text("repairs.console_assigned", number=moved.number, name=to.name))
    return _back(call)


@pages.post(TICKET + "/transfer", "tickets.transfer", title="repairs.console_action.transfer")
async def transfer(call: ConsoleRequest) -> web.Response:
    seen = await _seen(call)
    role = call.field("role")
    if role not in {r for r, _ in staff_queries.pools()}:
        raise Refusal("api.transfer_role")
    call.audit_detail = f"role={role}"
    moved = await workflow.transfer(
        seen.ticket.id, RoleName(role), call.person, call.now(), call.field("note")
    )
    label = staff_queries.role_label(role)
    await call.flash("ok", content.text("repairs.console_transferred", number=moved.number, role=label))
    return _back(call)


@pages.post(
    TICKET + "/resolve",
    "tickets.resolve",
    title="repairs.console_action.resolve",
    upload_limit=PHOTO_LIMIT + 64 * 1024,
)
async def resolve(call: ConsoleRequest) -> web.Response:
    seen = await _seen(call)
    photo = _photo(call)
    note = call.field("note")
    if not note:
        raise Refusal("repairs.console_need_note")
    moved = await workflow.move(seen.ticket.id, "resolve", call.person, call.now(), note=note)
    if photo is not None:
        await workflow.add_photo(moved.id, call.person, photo[0], photo[1], call.now())
    await call.flash("ok", content.text("repairs.console_resolved", number=moved.number))
    return _back(call)


def _photo(call: ConsoleRequest) -> tuple[bytes, str] | None:
    """The photo of the work done, when one was chosen: JPEG or PNG, by its first bytes."""
    field = call.form.get("photo") if call.form is not None else None
    if field is None or isinstance(field, str) or not getattr(field, "filename", ""):
        return None
    data = field.file.read(PHOTO_LIMIT + 1)
    if not data:
        return None
    kind = next((k for k, magic in IMAGES.items() if data.startswith(magic)), None)
    if kind is None or len(data) > PHOTO_LIMIT:
        raise Refusal("api.bad_image")
    return data, kind
