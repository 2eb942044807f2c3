"""The REST side of 办事查询. Public, as the community's public-service directory is: browse by line, search,
one entry, office hours now. For staff: the residents' messages and their answers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, community_of
from bot.api.core import ApiError, ApiRequest, QueryParam, Routes
from handlers.services import hours, search
from handlers.services.catalog import Catalog, Entry, catalog

routes = Routes("services")

ENTRY_PARAM = {"entry": {"type": "string", "pattern": r"^[a-z0-9_]{1,40}$"}}


class LineOut(BaseModel):
    key: str
    label: str
    entries: int


class EntryOut(BaseModel):
    key: str
    name: str
    line: str
    line_label: str
    what: str
    who: str
    documents: list[str]
    where: str
    when: str
    phone: str
    steps: list[str]
    link: str


class CatalogOut(BaseModel):
    community: str
    lines: list[LineOut]
    items: list[EntryOut]


class SearchOut(BaseModel):
    items: list[EntryOut]
    sure: bool = Field(description="true: the first answers the question; false: offer the others too")
    hotlines: list[str] = Field(description="when nothing fits: the outside lines to suggest")


class SpanOut(BaseModel):
    start: str
    end: str


class HoursOut(BaseModel):
    office: str
    address: str
    phone: str
    open_now: bool
    today: list[SpanOut]
    holiday: str
    next_open: dt.datetime | None
    weekdays: list[SpanOut]
    saturday: list[SpanOut]
    sunday: list[SpanOut]


async def _catalog(call: ApiRequest) -> Catalog:
    return catalog((await community_of(call)).code)


def entry_out(cat: Catalog, entry: Entry) -> EntryOut:
    shown = cat.resolved(entry)
    return EntryOut(
        key=shown.key,
        name=shown.name,
        line=shown.line,
        line_label=cat.lines.get(shown.line, ""),
        what=shown.what,
        who=shown.who,
        documents=list(shown.documents),
        where=shown.where,
        when=shown.when,
        phone=shown.phone,
        steps=list(shown.steps),
        link=shown.link,
    )


@routes.add(
    "GET",
    "/communities/{community}/services",
    summary="The community's public-service catalog, by line (public)",
    response=CatalogOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[QueryParam("line", {"type": "string", "pattern": r"^[a-z_]{1,20}$"}, "only this service line")],
)
async def browse(call: ApiRequest) -> CatalogOut:
    cat = await _catalog(call)
    wanted = call.query.get("line")
    entries = [e for e in cat.entries.values() if wanted is None or e.line == wanted]
    lines = [
        LineOut(key=k, label=label, entries=sum(1 for e in cat.entries.values() if e.line == k))
        for k, label in cat.lines.items()
    ]
    return CatalogOut(
        community=cat.community,
        lines=[line for line in lines if line.entries],
        items=[entry_out(cat, e) for e in entries],
    )


@routes.add(
    "GET",
    "/communities/{community}/services/search",
    summary="Answer a question from the catalog (public)",
    response=SearchOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[
        QueryParam(
            "q",
            {"type": "string", "pattern": r"^[^\u0000-\u001f\u007f]{1,200}$"},
            "the question",
            required=True,
        )
    ],
)
async def search_catalog(call: ApiRequest) -> SearchOut:
    cat = await _catalog(call)
    found = search.ask(cat.community, str(call.query["q"]))
    return SearchOut(
        items=[entry_out(cat, e) for e in found.entries],
        sure=found.sure,
        hotlines=[] if found.entries else ["12345", "12348"],
    )


@routes.add(
    "GET",
    "/communities/{community}/services/{entry}",
    summary="One catalog entry (public)",
    response=EntryOut,
    auth=False,
    path_params={**COMMUNITY_PARAM, **ENTRY_PARAM},
    errors=(404,),
)
async def one_entry(call: ApiRequest) -> EntryOut:
    cat = await _catalog(call)
    entry = cat.entries.get(call.path["entry"])
    if entry is None:
        raise ApiError(404, "not_found", content.text("services.no_such_entry"))
    return entry_out(cat, entry)


def _spans(spans: tuple[hours.Span, ...]) -> list[SpanOut]:
    return [SpanOut(start=f"{a:%H:%M}", end=f"{b:%H:%M}") for a, b in spans]


@routes.add(
    "GET",
    "/communities/{community}/office-hours",
    summary="The office: open now?, today's and the week's hours, holidays included (public)",
    response=HoursOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
)
async def office_hours(call: ApiRequest) -> HoursOut:
    office = (await _catalog(call)).office
    now = call.now()
    status = hours.status(office, now)
    return HoursOut(
        office=office.name,
        address=office.address,
        phone=office.phone,
        open_now=status.open_now,
        today=_spans(status.today),
        holiday=status.holiday,
        next_open=status.next_open,
        weekdays=_spans(office.hours.get("weekdays", ())),
        saturday=_spans(office.hours.get("saturday", ())),
        sunday=_spans(office.hours.get("sunday", ())),
    )
