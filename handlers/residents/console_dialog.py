"""Signing in to the staff console from the chat: the scan of its QR code, and "登录后台" for a code."""

from __future__ import annotations

from bot.console import signin
from bot.dispatcher import Context, FilterResult, Router, command, event
from bot.messages import EventName
from handlers.common import workflow as common
from handlers.residents import queries

router = Router("residents.console")


def _console_scene(ctx: Context) -> FilterResult:
    """The scan of a console sign-in QR code: ``{"nonce": ...}``."""
    nonce = signin.nonce_in(ctx.msg.event_key.removeprefix("qrscene_"))
    return {"nonce": nonce} if nonce else False


@router.handle(event(EventName.SUBSCRIBE, EventName.SCAN), _console_scene)
async def console_scan(ctx: Context) -> None:
    """The browser that shows the code is signed in as the staff member who scanned it; anyone else is
    told kindly that the console is for staff."""
    person = await ctx.person()
    if ctx.msg.event is EventName.SUBSCRIBE:
        await common.follow(person, "")  # followed by scanning it: a follower again
    if not await queries.holds_staff_role(person):
        ctx.say("residents.console_no_access")
        return
    address = await signin.approve_scene(ctx.services.store, ctx.data["nonce"], person.id)
    if address is None:
        ctx.say("residents.console_expired")
        return
    ctx.say("residents.console_signed_in", address=address or "-")


@router.handle(command("登录后台", "后台登录", "登录工作台", "工作台登录", args=False))
async def console_code(ctx: Context) -> None:
    """A one-time code to type on the console's sign-in page (when scanning is not at hand)."""
    person = await ctx.person()
    if not await queries.holds_staff_role(person):
        ctx.say("residents.console_no_access")
        return
    ctx.dialog.clear()
    ctx.say("residents.console_code", code=await signin.issue_code(ctx.services.store, person.id))
