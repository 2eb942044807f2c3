"""What common's chat and API read: residents' messages for staff, a community named by a QR scene."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from storage.models import Community, StaffMessage
from storage.pages import page_slice


@dataclass(frozen=True)
class MessageView:
    id: int
    number: str  # H0012
    text: str
    status: str
    answer: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, row: StaffMessage) -> MessageView:
        return cls(row.id, number_of(row.id), row.text, row.status, row.answer, row.created_at)


@dataclass(frozen=True)
class MessagePage:
    rows: list[MessageView]
    meta: dict[str, int] = field(default_factory=dict)  # page, per_page, total


def number_of(message_id: int) -> str:
    return f"H{message_id:04d}"


async def messages_of(community: Community, status: str | None, page: int, per_page: int) -> MessagePage:
    """A community's messages for staff, oldest first (those waiting longest lead): two statements."""
    query = StaffMessage.filter(community=community)
    if status:
        query = query.filter(status=status)
    listed = await page_slice(query, page, per_page, "created_at", "id")
    return MessagePage([MessageView.of(m) for m in listed.rows], listed.meta)


async def open_messages(community_id: int | None, limit: int) -> tuple[int, list[MessageView]]:
    """(how many messages wait for an answer, the ``limit`` oldest of them)."""
    query = StaffMessage.filter(community_id=community_id, status="open")
    rows = await query.order_by("created_at", "id").limit(limit)
    return await query.count(), [MessageView.of(m) for m in rows]


async def community_by_code(code: str) -> Community | None:
    """The community of a QR scene or a link; anything that cannot be a code (WeChat's own event keys,
    such as last_trade_no_..., are longer) is none."""
    if not code or len(code) > Community._meta.fields_map["code"].max_length:  # type: ignore[attr-defined]
        return None
    return await Community.get_or_none(code=code)
