"""The wishes pages of the staff console, for the community's committee: the wishes by state (the review
queue, the board, the claims and who holds them, those waiting for the resident's confirmation), a wish
with its history where the committee edits the public text and approves, sends back or declines it, or
confirms it for the resident; the service record (志愿服务记录). Each list exports as Excel with its
filters; every action goes through the workflow (the edited text is checked by its rules again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.common.rules import Refusal
from handlers.wishes import staff_queries, workflow
from handlers.wishes.queries import WishView
from handlers.wishes.rules import rules
from handlers.wishes.staff_queries import RecordFilter, WishFilter, WishStatus
from handlers.wishes.workflow import status_label
from storage.roles import on_committee

pages = Pages(
    "wishes",
    refusals={"wishes.no_such_wish": 404, "wishes.not_allowed": 403, "wishes.committee_only": 403},
)
PER_PAGE = 30
WISH = "/c/{community}/wishes/{wish_id:[0-9]{1,9}}"
TABS = ("wishes.list", "wishes.records")
COMMITTEE_ACTIONS = {"approve", "ask_changes", "decline", "confirm"}
# the states the list's status links offer, in the order the work goes
SHOWN = ("submitted", "changes", "open", "claimed", "fulfilled", "confirmed", "declined", "withdrawn")


def _filters(call: ConsoleRequest) -> tuple[WishFilter, dict[str, str]]:
    """The state (the review queue unless told), the category, and the days posted (``from``, ``to``: both
    included; what a figure's link carries)."""
    status = call.choice("status", [*SHOWN, "all"], default="submitted")
    category = call.choice("category", rules().categories)
    since, last = call.day("from"), call.day("to")
    if since is not None and last is not None and since > last:
        raise ConsoleError(400, "console.bad_parameter", name="to")
    until = last + dt.timedelta(days=1) if last is not None else None
    given = call.given("category", "from", "to") | {"status": status}
    filters = WishFilter(
        status="" if status == "all" else status, category=category, since=since, until=until
    )
    return filters, given


def _status(value: str) -> str:
    return status_label(value, resident=False)


@pages.get(
    "/c/{community}/wishes",
    "wishes.list",
    allow=on_committee,
    nav="console.nav.wishes",
    nav_order=30,
    tab="wishes.console_tab.list",
)
async def wish_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    filters, given = _filters(call)
    page = call.number("page") or 1
    listed = await staff_queries.wish_page(call.person, call.community.id, filters, page, PER_PAGE)
    counted = await staff_queries.counts(call.community.id, filters)
    return Rendered(
        "wishes/list.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "given": given,
            "statuses": [(s, _status(s), counted.get(s, 0)) for s in SHOWN],
            "total": sum(counted.values()),
            "categories": staff_queries.categories(),
            "label": rules().label,
            "status_label": _status,
            "lapsing": lambda view: staff_queries.lapsing(view, call.now()),
            "sensitive": staff_queries.sensitive,
            **call.paged("wishes.list", listed.total, PER_PAGE, given, export="wishes.export"),
            "status_url": lambda s: call.url("wishes.list", query={**given, "status": s}),
        },
    )


EXPORT_HEADERS = (
    "编号",
    "类别",
    "心愿（公开内容）",
    "居民",
    "电话",
    "状态",
    "认领人",
    "认领时间",
    "联系期限",
    "期望日期",
    "提交时间",
)


def export_row(view: WishView) -> tuple[Any, ...]:
    """One wish as the workbook and the page show it (the page's columns first)."""
    wish, claim, resident = view.wish, view.claim, view.resident
    return (
        wish.number,
        rules().label(wish.category),
        wish.public_text,
        resident.name if resident else "",
        resident.phone or "" if resident else "",
        _status(wish.status),
        (claim.team or claim.claimer) if claim and claim.active else "",
        claim.claimed_at if claim and claim.active else None,
        claim.contact_by if claim and claim.active else None,
        wish.wanted_by,
        wish.created_at,
    )


@pages.get(
    "/c/{community}/wishes/export",
    "wishes.export",
    allow=on_committee,
    audit=True,
    title="wishes.console_exported",
)
async def wish_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    filters, given = _filters(call)
    rows = await staff_queries.wish_rows(call.person, call.community.id, filters)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    return xlsx_response(
        content.text("wishes.console_sheet"),
        EXPORT_HEADERS,
        (export_row(v) for v in rows),
        filename=f"{call.community.name}-微心愿-{call.now():%Y%m%d}.xlsx",
    )


# -- one wish ---------------------------------------------------------------------------------------------
async def _wish(call: ConsoleRequest) -> WishView:
    assert call.community is not None
    view = await staff_queries.of_community(call.person, call.community.id, call.path_int("wish_id"))
    call.audit_target = view.wish.number
    return view


@pages.get(WISH, "wishes.detail", allow=on_committee)
async def wish_detail(call: ConsoleRequest) -> Rendered:
    view = await _wish(call)
    steps, claims = await staff_queries.history(view.wish.id)
    status = WishStatus(view.wish.status)
    flags = [str(f) for f in view.wish.flags or []]
    masked = [content.text(f"wishes.found.{f}") for f in flags if not f.startswith("word:")]
    words = [f.removeprefix("word:") for f in flags if f.startswith("word:")]
    return Rendered(
        "wishes/detail.html",
        {
            "view": view,
            "wish": view.wish,
            "status": _status(status),
            "category": rules().label(view.wish.category),
            "masked": masked,
            "words": words,
            "steps": steps,
            "claims": claims,
            "actions": {a for a, step in workflow.MOVES.items() if status in step.frm} & COMMITTEE_ACTIONS,
            "back": call.url("wishes.list", query={"status": status.value}),
        },
    )


def _back(call: ConsoleRequest) -> web.Response:
    return call.redirect(call.url("wishes.detail", wish_id=call.path_int("wish_id")))


@pages.post(WISH + "/approve", "wishes.approve", allow=on_committee, title="wishes.console_action.approve")
async def approve(call: ConsoleRequest) -> web.Response:
    view = await _wish(call)
    edited = call.field("public_text")
    if edited and edited != view.wish.public_text:
        call.audit_detail = "edited"
    approved = await workflow.approve(view.wish.id, call.person, call.now(), public_text=edited)
    await call.flash("ok", content.text("wishes.console_approved", number=approved.number))
    return _back(call)


async def _with_reason(call: ConsoleRequest, action: str) -> web.Response:
    view = await _wish(call)
    moved = await workflow.move(view.wish.id, action, call.person, call.now(), note=call.field("reason"))
    await call.flash("ok", content.text(f"wishes.console_{action}", number=moved.number))
    return _back(call)


@pages.post(
    WISH + "/ask_changes", "wishes.ask_changes", allow=on_committee, title="wishes.console_action.ask_changes"
)
async def ask_changes(call: ConsoleRequest) -> web.Response:
    return await _with_reason(call, "ask_changes")


@pages.post(WISH + "/decline", "wishes.decline", allow=on_committee, title="wishes.console_action.decline")
async def decline(call: ConsoleRequest) -> web.Response:
    return await _with_reason(call, "decline")


@pages.post(WISH + "/confirm", "wishes.confirm", allow=on_committee, title="wishes.console_action.confirm")
async def confirm(call: ConsoleRequest) -> web.Response:
    view = await _wish(call)
    rating = call.field("rating")
    if not rating.isdigit():
        raise Refusal("wishes.rating_range")
    done = await workflow.confirm(
        view.wish.id,
        call.person,
        call.now(),
        rating=int(rating),
        thanks=call.field("thanks"),
        story_consent=call.field("story_consent") == "1",
    )
    await call.flash("ok", content.text("wishes.console_confirmed", number=done.number))
    return _back(call)


# -- the service record -------------------------------------------------------------------------------------
def _record_filters(call: ConsoleRequest) -> tuple[RecordFilter, dict[str, str]]:
    since, until = call.day("from"), call.day("to")
    given = call.given("volunteer", "from", "to")
    volunteer = given.get("volunteer", "").strip()[:32]
    if since and until and since > until:
        raise ConsoleError(400, "console.bad_parameter", name="to")
    return RecordFilter(volunteer, since.date() if since else None, until.date() if until else None), given


@pages.get(
    "/c/{community}/service-records", "wishes.records", allow=on_committee, tab="wishes.console_tab.records"
)
async def records(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    filters, given = _record_filters(call)
    page = call.number("page") or 1
    listed, totals = await staff_queries.record_page(call.community.id, filters, page, PER_PAGE)
    return Rendered(
        "wishes/records.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "totals": totals,
            "given": given,
            "confirmed_as": lambda v: content.text(f"wishes.confirmed_as.{v}"),
            **call.paged("wishes.records", listed.total, PER_PAGE, given, export="wishes.records_export"),
        },
    )


@pages.get(
    "/c/{community}/service-records/export",
    "wishes.records_export",
    allow=on_committee,
    audit=True,
    title="wishes.console_records_exported",
)
async def records_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    filters, given = _record_filters(call)
    rows = await staff_queries.record_rows(call.community.id, filters)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in given.items())
    headers = content.load_yaml("wishes.yaml")["export_header"]
    return xlsx_response(
        content.text("wishes.console_records_sheet"),
        headers,
        (
            (
                r.id,
                r.volunteer,
                r.team,
                r.wish_number,
                r.activity,
                r.served_on,
                r.hours,
                r.points,
                content.text(f"wishes.confirmed_as.{r.confirmed_as}"),
            )
            for r in rows
        ),
        filename=f"{call.community.name}-志愿服务记录-{call.now():%Y%m%d}.xlsx",
    )
