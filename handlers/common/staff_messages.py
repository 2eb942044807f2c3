"""人工: a resident leaves a message (or a question the bot could not answer is handed on); staff of the
community are told, answer it in the chat ("留言", "答复 H0012 ...") or the API, and the answer reaches the
resident through the outbox."""

from __future__ import annotations

import datetime as dt
import re

from tortoise.transactions import in_transaction

import content
from bot.dispatcher import Context, Router, command, idle, pattern
from handlers.common.rules import Refusal
from storage.models import Community, Person, Role, RoleName, StaffMessage
from storage.outbox import notify
from storage.pages import PageSlice, page_slice
from storage.roles import is_staff

HUMAN_STATE = "common:human"
ANSWERERS = (RoleName.COMMITTEE, RoleName.GRID_WORKER)  # who is told of new messages and may answer

router = Router("common.staff_messages")
_ANSWER = re.compile(r"^\s*答复\s*(?:留言)?\s*H?0*(\d{1,9})\s*(.*)$", re.I | re.S)


async def messages_of(
    community: Community, status: str | None, page: int, per_page: int
) -> PageSlice[StaffMessage]:
    """A community's messages for staff, oldest first (those waiting longest lead)."""
    query = StaffMessage.filter(community=community)
    if status:
        query = query.filter(status=status)
    return await page_slice(query, page, per_page, "created_at", "id")


def number_of(message: StaffMessage) -> str:
    return f"H{message.id:04d}"


def start_human(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.dialog.set(HUMAN_STATE)
    ctx.say("common.human_ask")


async def record_message(person: Person, text: str, now: dt.datetime) -> str:
    """Keep the message for staff and tell those who answer; returns its number (H0012)."""
    async with in_transaction():
        note = await StaffMessage.create(
            person=person, community_id=person.community_id, text=text.strip()[:2000]
        )
        if person.community_id is not None:
            for role in await Role.filter(
                community_id=person.community_id, role__in=ANSWERERS
            ).prefetch_related("person"):
                await notify(
                    role.person,
                    f"staff_message:{note.id}:new:{role.person.id}",
                    content.text("common.staff_new_message", number=number_of(note), text=note.text[:80]),
                    now=now,
                )
    return number_of(note)


async def leave_message(ctx: Context) -> None:
    number = await record_message(await ctx.person(), ctx.msg.text, ctx.now())
    ctx.dialog.clear()
    ctx.say("common.human_done", number=number)


async def answer(message_id: int, staff: Person, text: str, now: dt.datetime) -> StaffMessage:
    """Answer an open message once (the first answer wins); the resident is told."""
    message = await StaffMessage.get_or_none(id=message_id)
    if message is None or not await is_staff(staff, message.community_id):
        raise Refusal("common.no_such_message")
    if len(text.strip()) < 2:
        raise Refusal("common.answer_too_short")
    async with in_transaction():
        if not await StaffMessage.filter(id=message.id, status="open").update(
            status="answered", answer=text.strip()[:2000]
        ):
            raise Refusal("common.already_answered", number=number_of(message))
        await notify(
            await Person.get(id=message.person_id),
            f"staff_message:{message.id}:answer",
            content.text(
                "common.told_answer", number=number_of(message), question=message.text[:40], answer=text
            ),
            now=now,
            template="service_update",
            template_data={"title": number_of(message), "status": content.text("common.answered")},
        )
    return await StaffMessage.get(id=message.id)


# -- staff in the chat -------------------------------------------------------------------------------------
@router.handle(command("留言", "居民留言", "待答复留言", args=False), idle())
async def open_messages(ctx: Context) -> None:
    person = await ctx.person()
    if not await is_staff(person, person.community_id):
        ctx.say("common.staff_only")
        return
    waiting = await StaffMessage.filter(community_id=person.community_id, status="open").order_by(
        "created_at"
    )
    if not waiting:
        ctx.say("common.no_open_messages")
        return
    lines = [f"{number_of(m)} {m.text[:40]}" for m in waiting[:10]]
    ctx.say("common.open_messages", lines="\n".join(lines), more=max(0, len(waiting) - 10))


@router.handle(pattern(_ANSWER))
async def answer_in_chat(ctx: Context) -> None:
    match = _ANSWER.match(ctx.msg.text)
    assert match is not None
    try:
        message = await answer(int(match.group(1)), await ctx.person(), match.group(2), ctx.now())
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    ctx.say("common.answer_sent", number=number_of(message))
