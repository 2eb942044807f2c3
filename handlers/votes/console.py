"""The consultations pages of the staff console, for the community's committee: the list (with the turnout so
far, never a count before the close), launching one with a form (from scratch or from a resident's
proposal), one consultation with who took part (never how), extending or cancelling it with a reason,
its result after the close and the check of its published ballot log; residents' proposals, answered or
launched. Every action goes through the votes workflow; each list exports as Excel with its filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered, moment
from bot.console.export import xlsx_response
from handlers.common.rules import Refusal
from handlers.votes import queries, staff_queries, workflow
from handlers.votes.queries import ConsultationStatus, ConsultationView, PassRule, Per, Who
from handlers.votes.staff_queries import Listed
from handlers.votes.workflow import LaunchConsultation
from storage.roles import on_committee

pages = Pages(
    "consultations",
    refusals={
        "votes.committee_only": 403,
        "votes.no_such_consultation": 404,
        "votes.no_such_proposal": 404,
        "votes.sealed": 409,
    },
)
PER_PAGE = 30
ONE = "/c/{community}/consultations/{consultation_id:[0-9]{1,9}}"
TABS = ("votes.list", "votes.new", "votes.proposals")
STATUSES = [s.value for s in ConsultationStatus]
PROPOSAL_STATUSES = ("new", "adopted", "dismissed")


def _labels(c: ConsultationView, now: dt.datetime) -> dict[str, str]:
    return {
        "status": queries.status_label(c, now),
        "scope": queries.describe_scope(c),
        "per": content.text(f"votes.per.{c.per.value}"),
        "rule": content.text(f"votes.rule.{c.rule.value}"),
        "unit": queries.unit_label(c),
    }


def _closed_between(call: ConsoleRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from`` and ``to`` (days, both included): the consultations closed then (what a figure links)."""
    since, last = call.day("from"), call.day("to")
    if since is not None and last is not None and since > last:
        raise ConsoleError(400, "console.bad_parameter", name="to")
    return since, last + dt.timedelta(days=1) if last is not None else None


@pages.get(
    "/c/{community}/consultations",
    "votes.list",
    allow=on_committee,
    nav="console.nav.consultations",
    nav_order=40,
    tab="votes.console_tab.list",
)
async def consultation_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    status = call.choice("status", STATUSES)
    since, until = _closed_between(call)
    given = call.given("status", "from", "to")
    page = call.number("page") or 1
    listed = await staff_queries.consultation_page(call.community.id, status, page, PER_PAGE, since, until)
    return Rendered(
        "votes/list.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "given": given,
            "labels": lambda c: _labels(c, call.now()),
            **call.paged("votes.list", listed.total, PER_PAGE, given, export="votes.export"),
        },
    )


EXPORT_HEADERS = ("编号", "议题", "范围", "方式", "开始", "截止", "状态", "参与", "可参与", "结果")


def export_row(item: Listed, now: dt.datetime) -> tuple[Any, ...]:
    c = item.consultation
    labels = _labels(c, now)
    outcome = queries.describe_outcome(c) if c.status == ConsultationStatus.CLOSED else ""
    return (
        c.number,
        c.title,
        labels["scope"],
        labels["per"],
        c.opens_at,
        c.closes_at,
        labels["status"],
        item.turnout,
        item.eligible,
        outcome,
    )


@pages.get(
    "/c/{community}/consultations/export",
    "votes.export",
    allow=on_committee,
    audit=True,
    title="votes.console_exported",
)
async def consultation_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    status = call.choice("status", STATUSES)
    since, until = _closed_between(call)
    call.audit_detail = "&".join(f"{k}={v}" for k, v in call.given("status", "from", "to").items())
    rows = await staff_queries.consultation_rows(call.community.id, status, since, until)
    return xlsx_response(
        content.text("votes.console_sheet"),
        EXPORT_HEADERS,
        (export_row(item, call.now()) for item in rows),
        filename=f"{call.community.name}-议事协商-{call.now():%Y%m%d}.xlsx",
    )


# -- launching ----------------------------------------------------------------------------------------------
def _blank(call: ConsoleRequest) -> dict[str, Any]:
    closes = (call.now() + dt.timedelta(days=7)).replace(hour=20, minute=0, second=0, microsecond=0)
    return {
        "title": "",
        "background": "",
        "options": "同意\n不同意\n弃权",
        "max_choices": "1",
        "buildings": [],
        "who": Who.RESIDENTS.value,
        "per": Per.PERSON.value,
        "opens_at": "",
        "closes_at": f"{closes:%Y-%m-%dT%H:%M}",
        "quorum": "0",
        "rule": PassRule.MAJORITY.value,
        "proposal_id": "",
    }


async def _form_page(call: ConsoleRequest, values: dict[str, Any], error: str = "") -> Rendered:
    assert call.community is not None
    proposal = None
    if values.get("proposal_id"):
        proposal = await staff_queries.proposal_of(call.community.id, int(values["proposal_id"]))
    return Rendered(
        "votes/new.html",
        {
            "tabs": await call.tabs(*TABS),
            "values": values,
            "proposal": proposal,
            "buildings": await staff_queries.building_choices(call.community.id),
            "rules": [(r.value, content.text(f"votes.rule.{r.value}")) for r in PassRule],
            "error": error,
        },
        status=422 if error else 200,
    )


@pages.get("/c/{community}/consultations/new", "votes.new", allow=on_committee, tab="votes.console_tab.new")
async def new_form(call: ConsoleRequest) -> Rendered:
    values = _blank(call)
    proposal_id = call.number("proposal")
    if proposal_id is not None:
        assert call.community is not None
        proposal = await staff_queries.proposal_of(call.community.id, proposal_id)
        values |= {"background": proposal.text, "proposal_id": str(proposal.id)}
    return await _form_page(call, values)


def _launch_of(call: ConsoleRequest, values: dict[str, Any]) -> LaunchConsultation:
    """The form as the workflow's command; what cannot be read is refused with the field's sentence."""
    assert call.community is not None
    options = tuple(line.strip() for line in values["options"].splitlines() if line.strip())
    most = values["max_choices"]
    if not most.isdigit():
        raise Refusal("votes.max_choices_range")
    quorum = values["quorum"] or "0"
    if not quorum.replace(".", "", 1).isdigit() or float(quorum) > 100:
        raise Refusal("votes.console_quorum")
    closes_at = moment(values["closes_at"])
    opens_at = moment(values["opens_at"]) if values["opens_at"] else None
    if closes_at is None or (values["opens_at"] and opens_at is None):
        raise Refusal("votes.console_when")
    if values["who"] not in Who.__members__.values() or values["per"] not in Per.__members__.values():
        raise Refusal("votes.console_who")
    if values["rule"] not in PassRule.__members__.values():
        raise Refusal("votes.console_who")
    if not all(b.isdigit() and len(b) < 4 for b in values["buildings"]):
        raise Refusal("votes.console_who")
    max_choices = int(most)
    return LaunchConsultation(
        community=call.community,
        by=call.person,
        title=values["title"],
        background=values["background"],
        options=options,
        max_choices=max_choices,
        buildings=tuple(int(b) for b in values["buildings"]),
        who=Who(values["who"]),
        per=Per(values["per"]),
        opens_at=opens_at,
        closes_at=closes_at,
        quorum=round(float(quorum) / 100, 4),
        rule=PassRule(values["rule"]),
        approve_option=options.index("同意") if "同意" in options and max_choices == 1 else None,
        proposal_id=int(values["proposal_id"]) if values["proposal_id"].isdigit() else None,
    )


@pages.post(
    "/c/{community}/consultations/new",
    "votes.launch",
    allow=on_committee,
    title="votes.console_action.launch",
)
async def launch(call: ConsoleRequest) -> web.StreamResponse | Rendered:
    names = ("title", "background", "options", "max_choices", "who", "per", "opens_at", "closes_at", "quorum")
    values: dict[str, Any] = {name: call.field(name) for name in names}
    values |= {"rule": call.field("rule"), "proposal_id": call.field("proposal_id")}
    values["buildings"] = call.fields("buildings")
    try:
        made = await workflow.launch(_launch_of(call, values), call.now())
    except Refusal as refusal:  # the form again, as it was typed, with the sentence
        call.audit_outcome, call.audit_detail = "refused", refusal.key
        return await _form_page(call, values, refusal.text())
    call.audit_target = made.number
    await call.flash("ok", content.text("votes.console_launched", number=made.number, title=made.title))
    return call.navigate(call.url("votes.detail", consultation_id=made.id))


# -- one consultation ---------------------------------------------------------------------------------------
async def one_of(call: ConsoleRequest) -> Listed:
    assert call.community is not None
    found = await staff_queries.of_community(call.community.id, call.path_int("consultation_id"))
    call.audit_target = found.consultation.number
    return found


@pages.get(ONE, "votes.detail", allow=on_committee)
async def detail(call: ConsoleRequest) -> Rendered:
    item = await one_of(call)
    c = item.consultation
    now = call.now()
    checked = await queries.verify(c.id) if c.status == ConsultationStatus.CLOSED and c.result else None
    changeable = c.status == ConsultationStatus.OPEN and now < c.closes_at
    return Rendered(
        "votes/detail.html",
        {
            "item": item,
            "c": c,
            "labels": _labels(c, now),
            "outcome": queries.describe_outcome(c) if c.result else "",
            "checked": checked,
            "changeable": changeable,
            "later": f"{c.closes_at.astimezone(now.tzinfo) + dt.timedelta(days=3):%Y-%m-%dT%H:%M}",
            "api": f"/api/v1/consultations/{c.id}",
            "back": call.url("votes.list"),
        },
    )


def _back(call: ConsoleRequest) -> web.Response:
    return call.redirect(call.url("votes.detail", consultation_id=call.path_int("consultation_id")))


@pages.post(ONE + "/extend", "votes.extend", allow=on_committee, title="votes.console_action.extend")
async def extend(call: ConsoleRequest) -> web.Response:
    item = await one_of(call)
    closes_at = moment(call.field("closes_at"))
    if closes_at is None:
        raise Refusal("votes.console_when")
    call.audit_detail = f"closes_at={closes_at:%Y-%m-%d %H:%M}"
    done = await workflow.extend(
        item.consultation.id, call.person, closes_at, call.field("reason"), call.now()
    )
    await call.flash("ok", content.text("votes.console_extended", number=done.number))
    return _back(call)


@pages.post(ONE + "/cancel", "votes.cancel", allow=on_committee, title="votes.console_action.cancel")
async def cancel(call: ConsoleRequest) -> web.Response:
    item = await one_of(call)
    done = await workflow.cancel(item.consultation.id, call.person, call.field("reason"), call.now())
    await call.flash("ok", content.text("votes.console_cancelled", number=done.number))
    return _back(call)
