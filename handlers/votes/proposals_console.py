"""Residents' proposals (我建议...) in the staff console, for the committee: the list by state, answered with
a reason the resident is told, or launched as a consultation (the launch form, filled in from it); the list
as Excel with its filter."""

from __future__ import annotations

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.votes import staff_queries, workflow
from storage.roles import on_committee

pages = Pages("proposals", refusals={"votes.no_such_proposal": 404, "votes.committee_only": 403})
PER_PAGE = 30
STATUSES = ("new", "adopted", "dismissed")
TABS = ("votes.list", "votes.new", "votes.proposals")


def _status(value: str) -> str:
    return content.text(f"votes.proposal_status.{value}")


@pages.get(
    "/c/{community}/proposals", "votes.proposals", allow=on_committee, tab="votes.console_tab.proposals"
)
async def proposal_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    status = call.choice("status", [*STATUSES, "all"], default="new")
    given = {"status": status}
    page = call.number("page") or 1
    chosen = "" if status == "all" else status
    listed = await staff_queries.proposal_page(call.community.id, chosen, page, PER_PAGE)
    return Rendered(
        "votes/proposals.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "given": given,
            **call.status_links("votes.proposals", STATUSES, _status),
            **call.paged("votes.proposals", listed.total, PER_PAGE, given, export="votes.proposals_export"),
        },
    )


@pages.get(
    "/c/{community}/proposals/export",
    "votes.proposals_export",
    allow=on_committee,
    audit=True,
    title="votes.console_proposals_exported",
)
async def proposal_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    status = call.choice("status", [*STATUSES, "all"], default="new")
    call.audit_detail = f"status={status}"
    rows = await staff_queries.proposal_rows(call.community.id, "" if status == "all" else status)
    return xlsx_response(
        content.text("votes.console_proposals_sheet"),
        ("编号", "建议内容", "状态", "提出时间"),
        ((p.number, p.text, _status(p.status), p.created_at) for p in rows),
        filename=f"{call.community.name}-居民建议-{call.now():%Y%m%d}.xlsx",
    )


@pages.post(
    "/c/{community}/proposals/{proposal_id:[0-9]{1,9}}/dismiss",
    "votes.dismiss",
    allow=on_committee,
    title="votes.console_action.dismiss",
)
async def dismiss(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    proposal = await staff_queries.proposal_of(call.community.id, call.path_int("proposal_id"))
    call.audit_target = proposal.number
    done = await workflow.dismiss(proposal.id, call.person, call.field("reason"), call.now())
    await call.flash("ok", content.text("votes.console_dismissed", number=done.number))
    return call.redirect(call.url("votes.proposals"))
