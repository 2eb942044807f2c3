"""人工: a resident leaves a message; it is kept for a staff member to answer."""

from __future__ import annotations

from bot.dispatcher import Context
from storage.models import StaffMessage

HUMAN_STATE = "common:human"


def start_human(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.dialog.set(HUMAN_STATE)
    ctx.say("common.human_ask")


async def leave_message(ctx: Context) -> None:
    person = await ctx.person()
    note = await StaffMessage.create(
        person=person,
        community_id=person.community_id,
        text=ctx.msg.text.strip()[:2000],
    )
    ctx.dialog.clear()
    ctx.say("common.human_done", number=f"H{note.id:04d}")
