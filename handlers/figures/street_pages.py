"""The street office's wishes, service record, consultations and residents' messages
(``handlers.figures.street_lists``): its communities' rows with the community lists' filters and order;
each opens on its community's page when the reader may open it there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from handlers.common import queries as message_queries
from handlers.figures.street_lists import (
    PER_PAGE,
    STREET,
    Line,
    Listing,
    Place,
    export,
    period_of,
    place_of,
    render,
    words,
)
from handlers.votes import queries as vote_queries
from handlers.votes import staff_queries as vote_lists
from handlers.wishes import staff_queries as wish_queries
from handlers.wishes.rules import rules
from handlers.wishes.workflow import status_label as wish_status

pages = Pages("street_pages")


# -- wishes -------------------------------------------------------------------------------------------------
WISH_TABS = ("street.wishes", "street.records")  # as the community's wishes pages: its tabs
WISH_STATUSES = ("submitted", "changes", "open", "claimed", "fulfilled", "confirmed", "declined", "withdrawn")


def _wish_status(value: str) -> str:
    return wish_status(value, resident=False)


async def _wishes(call: ConsoleRequest) -> tuple[Listing, Place, wish_queries.WishFilter]:
    place = await place_of(call)
    status = call.choice("status", [*WISH_STATUSES, "all"])
    category = call.choice("category", rules().categories)
    since, until = period_of(call)
    given = call.given("status", "category", "from", "to") | {"community": place.chosen}
    filters = wish_queries.WishFilter(
        status="" if status == "all" else status, category=category, since=since, until=until
    )
    listing = Listing(
        "wishes",
        "street.wishes",
        "street.wishes_export",
        given,
        statuses=[(s, _wish_status(s)) for s in WISH_STATUSES],
        categories=wish_queries.categories(),
        tabs=WISH_TABS,
    )
    return listing, place, filters


def _wish_line(place: Place, call: ConsoleRequest, view: Any) -> Line:
    wish, claim = view.wish, view.claim
    active = claim is not None and claim.active
    cells = (
        wish.number,
        rules().label(wish.category),
        wish.public_text,
        _wish_status(wish.status),
        (claim.team or claim.claimer) if active else "",
        wish.wanted_by,
        wish.created_at,
        wish.fulfilled_at,
    )
    link = ""
    if place.may_open("wishes.detail", wish.community_id):
        link = call.url("wishes.detail", community=place.code(wish.community_id), wish_id=wish.id)
    return Line(place.name(wish.community_id), cells, link)


@pages.get(
    STREET + "/wishes",
    "street.wishes",
    nav="console.nav.wishes",
    nav_order=30,
    tab="wishes.console_tab.list",
)
async def wishes(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _wishes(call)
    page = call.number("page") or 1
    listed = await wish_queries.street_wish_page(call.person, place.ids, filters, page, PER_PAGE)
    return await render(call, listing, place, listed, [_wish_line(place, call, v) for v in listed.rows])


@pages.get(STREET + "/wishes/export", "street.wishes_export", audit=True, title="wishes.console_exported")
async def wishes_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _wishes(call)
    rows = await wish_queries.street_wish_rows(call.person, place.ids, filters)
    return export(call, "wishes", (_wish_line(place, call, v) for v in rows), listing.given)


# -- the service record -------------------------------------------------------------------------------------
async def _records(call: ConsoleRequest) -> tuple[Listing, Place, wish_queries.RecordFilter]:
    place = await place_of(call)
    since, until = period_of(call)
    given = call.given("volunteer", "from", "to") | {"community": place.chosen}
    volunteer = given.get("volunteer", "").strip()[:32]
    last = until - dt.timedelta(days=1) if until is not None else None
    filters = wish_queries.RecordFilter(
        volunteer, since.date() if since else None, last.date() if last else None
    )
    listing = Listing(
        "records", "street.records", "street.records_export", given, search="volunteer", tabs=WISH_TABS
    )
    return listing, place, filters


def _record_line(place: Place, call: ConsoleRequest, row: wish_queries.StreetRecord) -> Line:
    community_id, wish_id, r = row
    cells = (
        r.id,
        r.volunteer,
        r.team,
        r.wish_number or r.activity_number,
        r.activity,
        r.served_on,
        r.hours,
        r.points,
        content.text(f"wishes.confirmed_as.{r.confirmed_as}"),
    )
    link = ""
    if wish_id is not None and place.may_open("wishes.detail", community_id):
        link = call.url("wishes.detail", community=place.code(community_id), wish_id=wish_id)
    return Line(place.name(community_id), cells, link)


@pages.get(STREET + "/service-records", "street.records", tab="wishes.console_tab.records")
async def records(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _records(call)
    page = call.number("page") or 1
    listed, totals = await wish_queries.street_record_page(place.ids, filters, page, PER_PAGE)
    listing.summary = [
        (getattr(totals, key), words(f"records.totals.{key}"))
        for key in ("records", "volunteers", "hours", "points")
    ]
    return await render(call, listing, place, listed, [_record_line(place, call, r) for r in listed.rows])


@pages.get(
    STREET + "/service-records/export",
    "street.records_export",
    audit=True,
    title="wishes.console_records_exported",
)
async def records_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _records(call)
    rows = await wish_queries.street_record_rows(place.ids, filters)
    return export(call, "records", (_record_line(place, call, r) for r in rows), listing.given)


# -- consultations -----------------------------------------------------------------------------------------
CONSULTATION_STATUSES = ("open", "closed", "cancelled")


async def _consultations(call: ConsoleRequest) -> tuple[Listing, Place, vote_lists.StreetFilter]:
    place = await place_of(call)
    status = call.choice("status", CONSULTATION_STATUSES)
    since, until = period_of(call)
    given = call.given("status", "from", "to") | {"community": place.chosen}
    listing = Listing(
        "consultations",
        "street.consultations",
        "street.consultations_export",
        given,
        statuses=[(s, words(f"consultations.statuses.{s}")) for s in CONSULTATION_STATUSES],
    )
    return listing, place, vote_lists.StreetFilter(status, since, until)


def _consultation_line(place: Place, call: ConsoleRequest, item: vote_lists.Listed) -> Line:
    c = item.consultation
    closed = c.status == vote_queries.ConsultationStatus.CLOSED
    cells = (
        c.number,
        c.title,
        vote_queries.describe_scope(c),
        content.text(f"votes.per.{c.per.value}"),
        c.opens_at,
        c.closes_at,
        c.closed_at,
        vote_queries.status_label(c, call.now()),
        item.turnout,
        item.eligible,
        vote_queries.describe_outcome(c) if closed else "",
    )
    link = ""
    if place.may_open("votes.detail", c.community_id):
        link = call.url("votes.detail", community=place.code(c.community_id), consultation_id=c.id)
    return Line(place.name(c.community_id), cells, link)


@pages.get(STREET + "/consultations", "street.consultations", nav="console.nav.consultations", nav_order=40)
async def consultations(call: ConsoleRequest) -> Rendered:
    listing, place, filters = await _consultations(call)
    page = call.number("page") or 1
    listed = await vote_lists.street_consultation_page(place.ids, filters, page, PER_PAGE)
    return await render(
        call, listing, place, listed, [_consultation_line(place, call, i) for i in listed.rows]
    )


@pages.get(
    STREET + "/consultations/export",
    "street.consultations_export",
    audit=True,
    title="votes.console_exported",
)
async def consultations_export(call: ConsoleRequest) -> web.Response:
    listing, place, filters = await _consultations(call)
    rows = await vote_lists.street_consultation_rows(place.ids, filters)
    return export(call, "consultations", (_consultation_line(place, call, i) for i in rows), listing.given)


# -- residents' messages -----------------------------------------------------------------------------------
MESSAGE_STATUSES = ("open", "answered")


def _message_status(value: str) -> str:
    return content.text(f"common.console_status.{value}")


async def _messages(call: ConsoleRequest) -> tuple[Listing, Place, str, Any]:
    place = await place_of(call)
    status = call.choice("status", [*MESSAGE_STATUSES, "all"])
    period = period_of(call)
    given = call.given("status", "from", "to") | {"community": place.chosen}
    listing = Listing(
        "messages",
        "street.messages",
        "street.messages_export",
        given,
        statuses=[(s, _message_status(s)) for s in MESSAGE_STATUSES],
    )
    return listing, place, "" if status == "all" else status, period


def _message_line(place: Place, call: ConsoleRequest, row: message_queries.StreetMessage) -> Line:
    community_id, r = row
    m = r.message
    cells = (
        m.number,
        r.name,
        r.phone,
        r.home,
        m.text,
        _message_status(m.status),
        m.answer or "",
        m.created_at,
    )
    link = ""
    if place.may_open("messages.list", community_id):  # no page of its own: its community's list, at it
        query = {"status": m.status}
        link = call.url("messages.list", query=query, community=place.code(community_id)) + f"#message-{m.id}"
    return Line(place.name(community_id), cells, link, m.status == "open")


@pages.get(STREET + "/messages", "street.messages", nav="console.nav.messages", nav_order=50)
async def messages(call: ConsoleRequest) -> Rendered:
    listing, place, status, (since, until) = await _messages(call)
    page = call.number("page") or 1
    listed = await message_queries.street_message_page(place.ids, status, since, until, page, PER_PAGE)
    return await render(call, listing, place, listed, [_message_line(place, call, r) for r in listed.rows])


@pages.get(STREET + "/messages/export", "street.messages_export", audit=True, title="common.console_exported")
async def messages_export(call: ConsoleRequest) -> web.Response:
    listing, place, status, (since, until) = await _messages(call)
    rows = await message_queries.street_message_rows(place.ids, status, since, until)
    return export(call, "messages", (_message_line(place, call, r) for r in rows), listing.given)
