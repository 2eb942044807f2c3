"""The REST side of residents' messages for staff (人工, and questions the catalog could not answer)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from bot.api.community import COMMUNITY_PARAM, answerer_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.common import queries, workflow
from handlers.common.queries import MessageView

routes = Routes("staff-messages", refusals={"common.no_such_message": 404, "common.already_answered": 409})


class MessageOut(BaseModel):
    id: int
    number: str
    text: str
    status: str
    answer: str | None
    created_at: dt.datetime


class MessagePage(Paged[MessageOut]):
    pass


class AnswerIn(StrictIn):
    answer: str = Field(min_length=2, max_length=2000)


def message_out(message: MessageView) -> MessageOut:
    return MessageOut(
        id=message.id,
        number=message.number,
        text=message.text,
        status=message.status,
        answer=message.answer,
        created_at=message.created_at,
    )


@routes.add(
    "GET",
    "/communities/{community}/staff-messages",
    summary="Residents' messages and handed-on questions (staff)",
    response=MessagePage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[*PAGE_PARAMS, QueryParam("status", {"type": "string", "enum": ["open", "answered"]})],
)
async def staff_messages(call: ApiRequest) -> MessagePage:
    community = await answerer_of(call)
    listed = await queries.messages_of(community, call.query.get("status"), *page_of(call.query))
    return MessagePage(items=[message_out(m) for m in listed.rows], **listed.meta)


@routes.add(
    "POST",
    "/staff-messages/{message_id}/answer",
    summary="Answer a resident's message; the answer is sent to them (staff)",
    response=MessageOut,
    body=AnswerIn,
    path_params={"message_id": {"type": "integer", "minimum": 1}},
    errors=(404, 409, 422),
)
async def answer(call: ApiRequest) -> MessageOut:
    message = await workflow.answer(call.path["message_id"], call.caller, call.body.answer, call.now())
    return message_out(message)
