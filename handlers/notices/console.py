"""The notices pages of the staff console. The committee and the street office (who write a community's
notices in the chat and the API) write one with a form (its audience's reach shown as it is chosen),
publish it now or at a time, publish a scheduled one at once, and follow each one's delivery (by
customer-service message, by template, failed, waiting) and receipts; the list exports as Excel. The
residents with care needs who have not confirmed an urgent notice are listed for the committee and the
street office (all of them) and for grid workers (those of their grids), to call or visit. Everything goes
through the notices' workflow and queries, as the chat and the API do."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleError, ConsoleRequest, Pages, Rendered, moment
from bot.console.export import xlsx_response
from handlers.common.rules import Refusal
from handlers.notices import audience, fanout, queries, receipt_queries, workflow
from handlers.notices.audience import Target
from handlers.notices.queries import Care, Figures, NoticeAudience, NoticeStatus, NoticeView
from handlers.notices.receipt_queries import follows_up
from handlers.notices.workflow import WriteNotice
from storage.roles import oversees

pages = Pages("notices", refusals={"notices.staff_only": 403, "notices.no_such_notice": 404})
PER_PAGE = 30
RECIPIENTS_PER_PAGE = 50
ONE = "/c/{community}/notices/{notice_id:[0-9]{1,9}}"
TABS = ("notices.list", "notices.new", "notices.follow_ups")
AUDIENCES = [a.value for a in NoticeAudience]
# the form's field holding the targets of each kind of audience
TARGET_FIELDS = {"buildings": "buildings", "grids": "grids", "roles": "roles", "care": "care"}


def _view_values(call: ConsoleRequest, n: NoticeView, names: dict[int, str]) -> dict[str, Any]:
    return {
        "heading": queries.heading(n),
        "audience": queries.describe_audience(n, names),
        "status": content.text(f"notices.console.status.{n.status.value}"),
    }


# -- the list ---------------------------------------------------------------------------------------------
@pages.get(
    "/c/{community}/notices",
    "notices.list",
    allow=oversees,
    nav="console.nav.notices",
    nav_order=45,
    tab="notices.console.tab.list",
)
async def notice_list(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    page = call.number("page") or 1
    listed = await queries.staff_page(call.community, page, PER_PAGE)
    ids = [n.id for n in listed.rows]
    counts = await queries.figures(ids)
    progress = await fanout.progress(ids)
    names = await queries.grid_names(call.community.id)
    return Rendered(
        "notices/list.html",
        {
            "tabs": await call.tabs(*TABS),
            "listed": listed,
            "labels": lambda n: _view_values(call, n, names),
            "figures": counts,
            "progress": progress,
            **call.paged("notices.list", listed.total, PER_PAGE, {}, export="notices.export"),
        },
    )


EXPORT_HEADERS = (
    "编号",
    "标题",
    "发给",
    "紧急",
    "要求回执",
    "状态",
    "发布时间",
    "发送人数",
    "客服消息送达",
    "模板消息送达",
    "待发送",
    "未送达",
    "状态不明",
    "已回复收到",
)


def export_row(n: NoticeView, f: Figures | None, names: dict[int, str]) -> tuple[Any, ...]:
    described = (
        n.number,
        n.title,
        queries.describe_audience(n, names),
        "是" if n.urgent else "否",
        "是" if n.receipt else "否",
        content.text(f"notices.console.status.{n.status.value}"),
        n.published_at or n.publish_at,
    )
    if n.status is not NoticeStatus.PUBLISHED or f is None:
        return (*described, None, None, None, None, None, None, None)
    counted = (n.recipients, f.custom, f.template, f.waiting, f.not_delivered, f.unknown)
    return (*described, *counted, f.confirmed if n.receipt else None)


@pages.get(
    "/c/{community}/notices/export",
    "notices.export",
    allow=oversees,
    audit=True,
    title="notices.console.action.export",
)
async def notice_export(call: ConsoleRequest) -> web.Response:
    assert call.community is not None
    rows = await queries.all_for_staff(call.community)
    ids = [n.id for n in rows]
    counts = await queries.figures(ids)
    names = await queries.grid_names(call.community.id)
    return xlsx_response(
        content.text("notices.console.sheet"),
        EXPORT_HEADERS,
        (export_row(n, counts.get(n.id), names) for n in rows),
        filename=f"{call.community.name}-通知公告-{call.now():%Y%m%d}.xlsx",
    )


# -- writing ----------------------------------------------------------------------------------------------
def _blank() -> dict[str, Any]:
    return {
        "title": "",
        "text": "",
        "link": "",
        "audience": NoticeAudience.COMMUNITY.value,
        "buildings": [],
        "grids": [],
        "roles": [],
        "care": [],
        "urgent": "",
        "when": "now",
        "publish_at": "",
        "receipt": "",
        "receipt_hours": f"{workflow.default_receipt_hours():g}",
        "client_key": uuid.uuid4().hex,
    }


async def _choices(community_id: int) -> dict[str, Any]:
    return {
        "buildings": await queries.buildings(community_id),
        "grids": await queries.grids(community_id),
        "roles": [(r, queries.role_label(r)) for r in queries.ROLE_CHOICES],
        "care": [(c.value, queries.care_label(c.value)) for c in Care],
        "audiences": [(a, content.text(f"notices.write.audience.{a}")) for a in AUDIENCES],
    }


async def _form_page(call: ConsoleRequest, values: dict[str, Any], error: str = "") -> Rendered:
    assert call.community is not None
    return Rendered(
        "notices/new.html",
        {
            "tabs": await call.tabs(*TABS),
            "values": values,
            "choices": await _choices(call.community.id),
            "reach": await _reach(call.community.id, values),
            "error": error,
        },
        status=422 if error else 200,
    )


@pages.get("/c/{community}/notices/new", "notices.new", allow=oversees, tab="notices.console.tab.new")
async def new_form(call: ConsoleRequest) -> Rendered:
    return await _form_page(call, _blank())


def _target(community_id: int, values: dict[str, Any]) -> Target:
    """The audience the form names (its targets as the workflow takes them); Refusal when unreadable."""
    kind = values["audience"]
    if kind not in AUDIENCES:
        raise Refusal("notices.console.bad_audience")
    field = TARGET_FIELDS.get(kind)
    wanted: list[Any] = list(values[field]) if field else []
    if kind in ("buildings", "grids"):
        if not all(w.isdigit() and len(w) < 9 for w in wanted):
            raise Refusal("notices.console.bad_audience")
        wanted = [int(w) for w in wanted]
    return Target(community_id, NoticeAudience(kind), tuple(wanted))


async def _reach(community_id: int, values: dict[str, Any]) -> int | None:
    """How many residents the audience reaches now (None: not one the form can name yet)."""
    try:
        target = _target(community_id, values)
    except Refusal:
        return None
    named = (NoticeAudience.BUILDINGS, NoticeAudience.GRIDS, NoticeAudience.ROLES)
    if target.audience in named and not target.targets:
        return None
    return await audience.count(target)


def _values(call: ConsoleRequest, source: str = "form") -> dict[str, Any]:
    """The form's values, from the posted form or (for the reach) the query string."""
    if source == "query":
        query = call.query
        one = {name: query.get(name, "").strip() for name in ("audience",)}
        many = {name: [v for v in query.getall(name, []) if v.strip()] for name in TARGET_FIELDS.values()}
        return {**_blank(), **one, **many}
    names = ("title", "text", "link", "audience", "urgent", "when", "publish_at", "receipt", "receipt_hours")
    values: dict[str, Any] = {name: call.field(name) for name in names}
    values |= {name: call.fields(name) for name in TARGET_FIELDS.values()}
    values["client_key"] = call.field("client_key") or uuid.uuid4().hex
    return values


def _command(call: ConsoleRequest, values: dict[str, Any]) -> WriteNotice:
    """The form as the workflow's command; what cannot be read is refused with the field's sentence."""
    assert call.community is not None
    target = _target(call.community.id, values)
    publish_at: dt.datetime | None = None
    if values["when"] == "at":
        publish_at = moment(values["publish_at"])
        if publish_at is None:
            raise Refusal("notices.console.bad_time")
        if publish_at < call.now():
            raise Refusal("notices.console.time_past")
    receipt = values["receipt"] == "1"
    hours: float | None = None
    if receipt:
        try:
            hours = float(values["receipt_hours"])
        except ValueError:
            raise Refusal("notices.receipt_hours_range") from None
    key = values["client_key"]
    if not key.isalnum() or len(key) > 40:
        raise Refusal("notices.console.bad_audience")
    return WriteNotice(
        community_id=call.community.id,
        by=call.person,
        title=values["title"],
        text=values["text"],
        source_key=f"console:{call.person.id}:{key}",
        link=values["link"],
        audience=target.audience,
        targets=target.targets,
        urgent=values["urgent"] == "1",
        publish_at=publish_at,
        receipt=receipt,
        receipt_hours=hours,
    )


@pages.get("/c/{community}/notices/reach", "notices.reach", allow=oversees)
async def reach(call: ConsoleRequest) -> Rendered:
    """The form's audience as it is chosen: how many residents it reaches (an htmx fragment)."""
    assert call.community is not None
    return Rendered("notices/reach.html", {"reach": await _reach(call.community.id, _values(call, "query"))})


@pages.post(
    "/c/{community}/notices/new", "notices.write", allow=oversees, title="notices.console.action.write"
)
async def write(call: ConsoleRequest) -> web.StreamResponse | Rendered:
    values = _values(call)
    try:
        made = queries.view_of(await workflow.write(_command(call, values), call.now()))
    except Refusal as refusal:  # the form again, as it was typed, with the sentence
        call.audit_outcome, call.audit_detail = "refused", refusal.key
        return await _form_page(call, values, refusal.text())
    call.audit_target = made.number
    call.audit_detail = f"{made.audience.value} urgent={int(made.urgent)} receipt={int(made.receipt)}"
    published = made.status is NoticeStatus.PUBLISHED
    key = "notices.console.published" if published else "notices.console.scheduled"
    when = made.publish_at.astimezone(call.now().tzinfo).strftime("%m-%d %H:%M")
    await call.flash("ok", content.text(key, number=made.number, count=made.recipients, when=when))
    return call.navigate(call.url("notices.detail", notice_id=made.id))


# -- one notice ---------------------------------------------------------------------------------------------
async def _notice(call: ConsoleRequest) -> NoticeView:
    assert call.community is not None
    n = await queries.for_staff(call.person, call.path_int("notice_id"))
    if n.community_id != call.community.id:
        raise ConsoleError(404, "console.not_found")
    call.audit_target = n.number
    return n


@pages.get(ONE, "notices.detail", allow=oversees)
async def detail(call: ConsoleRequest) -> Rendered:
    n = await _notice(call)
    page = call.number("page") or 1
    found = await receipt_queries.receipts(n, page, RECIPIENTS_PER_PAGE)
    progress = (await fanout.progress([n.id])).get(n.id)
    names = await queries.grid_names(n.community_id)
    return Rendered(
        "notices/detail.html",
        {
            "tabs": await call.tabs(*TABS),
            "n": n,
            "labels": _view_values(call, n, names),
            "found": found,
            "f": found.figures,
            "progress": progress,
            "waiting": found.figures.waiting,
            "receipt_time": workflow.receipt_time(n.receipt_hours) if n.receipt else "",
            "status_label": lambda s: content.text(f"notices.console.delivery.{s}"),
            "pages": max(1, -(-found.total // RECIPIENTS_PER_PAGE)),
            "listed": found,
            "page_url": lambda p: call.url("notices.detail", query={"page": p}, notice_id=n.id),
            "back": call.url("notices.list"),
        },
    )


@pages.post(ONE + "/publish", "notices.publish", allow=oversees, title="notices.console.action.publish")
async def publish_now(call: ConsoleRequest) -> web.Response:
    n = await _notice(call)
    done = queries.view_of(await workflow.publish_now(call.person, n.id, call.now()))
    said = content.text("notices.console.published", number=done.number, count=done.recipients)
    await call.flash("ok", said)
    return call.redirect(call.url("notices.detail", notice_id=n.id))


# -- the residents to call or visit ----------------------------------------------------------------------
@pages.get(
    "/c/{community}/notices/follow-ups",
    "notices.follow_ups",
    allow=follows_up,
    nav="console.nav.notice_follow_ups",
    nav_order=46,
    tab="notices.console.tab.follow_ups",
)
async def follow_ups(call: ConsoleRequest) -> Rendered:
    assert call.community is not None
    found = await receipt_queries.follow_ups(call.person, call.community.id)
    names = await queries.grid_names(call.community.id)
    writes = await queries.may_write(call.person, call.community.id)
    return Rendered(
        "notices/follow_ups.html",
        {
            "tabs": await call.tabs(*TABS),
            "found": found,
            "writes": writes,
            "labels": lambda n: _view_values(call, n, names),
            "receipt_time": workflow.receipt_time,
        },
    )
