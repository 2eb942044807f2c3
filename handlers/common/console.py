"""Residents' messages for a person (人工, and the questions the catalog could not answer) in the staff
console: the messages of the community with who left them, the longest waiting first, each answered from
the page through the same workflow as the chat ("答复 H0012 ...") and the API; the list as Excel. For the
people who answer them there (the committee, grid workers, the street office): ``answers_messages``, the
API's rule; the property company's staff and mediators never read them."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.common import queries, workflow
from storage.roles import answers_messages

pages = Pages("messages", refusals={"common.no_such_message": 404})
PER_PAGE = 30
STATUSES = ("open", "answered")


def _status(value: str) -> str:
    return content.text(f"common.console_status.{value}")


def _left_between(call: ConsoleRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from`` and ``to`` (days, both included): the messages left then (what a figure links)."""
    since, last = call.day("from"), call.day("to")
    if since is not None and last is not None and since > last:
        raise ConsoleError(400, "console.bad_parameter", name="to")
    return since, last + dt.timedelta(days=1) if last is not None else None


@pages.get(
    "/c/{community}/messages",
    "messages.list",
    allow=answers_messages,
    nav="console.nav.messages",
    nav_order=50,
)
async def message_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    status = call.choice("status", [*STATUSES, "all"], default="open")
    since, until = _left_between(call)
    days = call.given("from", "to")
    given = {"status": status, **days}
    page = call.number("page") or 1
    chosen = "" if status == "all" else status
    listed = await queries.message_rows_page(call.community.id, chosen, page, PER_PAGE, since, until)
    return Rendered(
        "messages/list.html",
        {
            "listed": listed,
            "given": given,
            "days": days,
            "all_days": call.url("messages.list", query={"status": status}),
            **call.status_links("messages.list", STATUSES, _status, days),
            **call.paged("messages.list", listed.total, PER_PAGE, given, export="messages.export"),
        },
    )


@pages.get(
    "/c/{community}/messages/export",
    "messages.export",
    allow=answers_messages,
    audit=True,
    title="common.console_exported",
)
async def message_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    status = call.choice("status", [*STATUSES, "all"], default="open")
    since, until = _left_between(call)
    call.audit_detail = "&".join(
        f"{k}={v}" for k, v in {"status": status, **call.given("from", "to")}.items()
    )
    rows = await queries.message_rows(call.community.id, "" if status == "all" else status, since, until)
    return xlsx_response(
        content.text("common.console_sheet"),
        ("编号", "居民", "电话", "住址", "留言", "状态", "答复", "留言时间"),
        (
            (
                r.message.number,
                r.name,
                r.phone,
                r.home,
                r.message.text,
                _status(r.message.status),
                r.message.answer or "",
                r.message.created_at,
            )
            for r in rows
        ),
        filename=f"{call.community.name}-居民留言-{call.now():%Y%m%d}.xlsx",
    )


@pages.post(
    "/c/{community}/messages/{message_id:[0-9]{1,9}}/answer",
    "messages.answer",
    allow=answers_messages,
    title="common.console_action.answer",
)
async def answer(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    message = await queries.message_of(call.community.id, call.path_int("message_id"))
    call.audit_target = message.number
    answered = await workflow.answer(message.id, call.person, call.field("answer"), call.now())
    await call.flash("ok", content.text("common.console_answered", number=answered.number))
    return call.redirect(call.back(call.url("messages.list")))
