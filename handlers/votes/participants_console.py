"""Who took part in a consultation (参与名单), for the committee: their names and homes and who recorded a
vote for them, never how anyone voted (``queries.participants``); the list as Excel."""

from __future__ import annotations

from aiohttp import web

import content
from bot.console.core import ConsoleRequest, Pages, Rendered
from bot.console.export import xlsx_response
from handlers.votes import queries
from handlers.votes.console import ONE, one_of
from storage.roles import on_committee

participant_pages = Pages(
    "participants", refusals={"votes.committee_only": 403, "votes.no_such_consultation": 404}
)


@participant_pages.get(ONE + "/participants", "votes.participants", allow=on_committee)
async def participants(call: ConsoleRequest) -> Rendered:
    item = await one_of(call)
    took_part = await queries.participants(item.consultation.id, call.person)
    return Rendered(
        "votes/participants.html",
        {
            "c": item.consultation,
            "people": took_part,
            "export": call.url("votes.participants_export", consultation_id=item.consultation.id),
            "back": call.url("votes.detail", consultation_id=item.consultation.id),
        },
    )


@participant_pages.get(
    ONE + "/participants/export",
    "votes.participants_export",
    allow=on_committee,
    audit=True,
    title="votes.console_participants_exported",
)
async def participants_export(call: ConsoleRequest) -> web.Response:
    item = await one_of(call)
    took_part = await queries.participants(item.consultation.id, call.person)
    return xlsx_response(
        content.text("votes.console_participants_sheet"),
        ("姓名", "住址", "代为登记人"),
        ((p.name, p.address, p.recorded_by or "") for p in took_part),
        filename=f"{item.consultation.number}-参与名单-{call.now():%Y%m%d}.xlsx",
    )
