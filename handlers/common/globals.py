"""What works in any state: 取消, 帮助 / 菜单, 人工; WeChat events; messages the bot cannot use."""

from __future__ import annotations

import json

from bot.console.signin import nonce_in
from bot.dispatcher import Context, Phase, Router, event, global_word, idle, kind
from bot.messages import EventName, Kind
from handlers.common import workflow
from handlers.common.menu import show_menu
from handlers.common.pause import set_aside
from handlers.common.staff_messages import HUMAN_STATE, start_human

router = Router("common.globals")
router.menu_entry("human", order=900)

_LAST_LOCATION_TTL = 3600


@router.handle(global_word("cancel"))
async def cancel(ctx: Context) -> None:
    ctx.dialog.drop_paused()  # 取消 leaves everything, a dialog set aside too
    if not idle()(ctx):
        ctx.dialog.clear()
        ctx.say("common.cancelled")
    else:
        ctx.dialog.clear()
        ctx.say("common.nothing_to_cancel")


@router.handle(global_word("help"))
async def help_menu(ctx: Context) -> None:
    if ctx.dialog.open:  # help in the middle of a form keeps the form: 继续 takes it up again
        await set_aside(ctx)
        return
    show_menu(ctx)


@router.handle(global_word("human"))
async def human(ctx: Context) -> None:
    if ctx.dialog.open and ctx.dialog.state != HUMAN_STATE:
        await set_aside(ctx)
        return
    start_human(ctx)


def _not_console(ctx: Context) -> bool:
    """Not the scan of a console sign-in code (``handlers.residents.console_dialog`` answers those)."""
    return nonce_in(ctx.msg.event_key.removeprefix("qrscene_")) is None


@router.handle(event(EventName.SUBSCRIBE, EventName.SCAN), _not_console)
async def follow(ctx: Context) -> None:
    community = await workflow.follow(await ctx.person(), ctx.msg.event_key.removeprefix("qrscene_"))
    if ctx.msg.event is EventName.SCAN:
        show_menu(ctx, "common.welcome_back")
    elif community is not None:
        ctx.say("common.welcome_community", community=community.name)
        show_menu(ctx, "common.menu_intro")
    else:
        show_menu(ctx, "common.welcome")


@router.handle(event(EventName.UNSUBSCRIBE))
async def unfollow(ctx: Context) -> None:
    await workflow.unfollow(await ctx.person())
    ctx.dialog.clear()


@router.handle(event(EventName.LOCATION))
async def location_report(ctx: Context) -> None:
    """WeChat's periodic location report: kept briefly for workflows that need a place; no reply."""
    loc = ctx.msg.location
    if loc is not None:
        body = json.dumps({"lat": loc.latitude, "lng": loc.longitude})
        await ctx.services.store.set(f"location:{ctx.msg.user}", body, _LAST_LOCATION_TTL)


@router.handle(event(EventName.CLICK))
async def menu_click(ctx: Context) -> None:
    """Account menu buttons carry ``MENU_<INTENT>`` keys, e.g. ``MENU_BIND``; unknown keys show the menu."""
    wanted = ctx.msg.event_key.removeprefix("MENU_").lower()
    if wanted not in ctx.services.classifier.specs or not await ctx.redirect(wanted):
        show_menu(ctx)


@router.handle(event(EventName.VIEW, EventName.TEMPLATE_DONE, EventName.OTHER))
async def silent_event(ctx: Context) -> None:
    """Events that need no answer: WeChat is told ``success``."""


@router.handle(kind(Kind.VIDEO, Kind.LINK, Kind.UNKNOWN), phase=Phase.GLOBAL)
async def unsupported(ctx: Context) -> None:
    ctx.say("common.unsupported")


@router.handle(kind(Kind.VOICE), lambda ctx: not ctx.msg.has_text, phase=Phase.GLOBAL)
async def unrecognised_voice(ctx: Context) -> None:
    ctx.say("common.voice_unrecognised")
