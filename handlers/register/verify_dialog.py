"""The staff side of verified homes in the chat: 核实 (the pending bindings one may decide), 确认绑定 B12,
驳回绑定 B12 原因. The resident's side is the binding dialog (handlers/residents/dialog.py)."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, pattern
from handlers.register import verify_queries as queries
from handlers.register import verify_workflow as workflow
from storage.roles import is_staff

router = Router("register.verify")

_CONFIRM = re.compile(r"^\s*(?:确认绑定|确认住址|通过绑定)\s*([Bb]\s*\d{1,9})\s*[，,：:]?\s*(.*)$", re.S)
_REJECT = re.compile(r"^\s*(?:驳回绑定|驳回住址|拒绝绑定)\s*([Bb]\s*\d{1,9})\s*[，,：:]?\s*(.*)$", re.S)


@router.handle(command("核实", "待核实", "核实住址", "待核实住址", args=False))
async def pending(ctx: Context) -> None:
    person = await ctx.person()
    found = await queries.pending_for(person)
    if not found:
        staff = await is_staff(person, person.community_id)
        ctx.say("verify.none_pending" if staff else "verify.staff_only")
        return
    ctx.dialog.clear()
    ctx.say("verify.pending_list", lines="\n".join(v.pending_line() for v in found))


def _number(match: re.Match[str]) -> int:
    found = queries.parse_number(match.group(1))
    assert found is not None  # the pattern took only a number
    return found


@router.handle(pattern(_CONFIRM))
async def confirm(ctx: Context) -> None:
    match = ctx.data["match"]
    name = match.group(2).strip(" 。.！!，,")
    binding = await workflow.confirm(_number(match), await ctx.person(), ctx.now(), name=name)
    seen = await queries.view(binding.id)
    member = next((m.name for m in seen.members if m.id == seen.resident_id), "")
    ctx.dialog.clear()
    ctx.say(
        "verify.confirmed",
        number=seen.number,
        address=seen.address,
        member=content.text("verify.confirmed_member", name=member) if member else "",
    )


@router.handle(pattern(_REJECT))
async def reject(ctx: Context) -> None:
    match = ctx.data["match"]
    binding = await workflow.reject(_number(match), await ctx.person(), match.group(2), ctx.now())
    seen = await queries.view(binding.id)
    ctx.dialog.clear()
    ctx.say("verify.rejected", number=seen.number, address=seen.address)
