"""The numbered menu (帮助 / 菜单), shared by the greeting, help and the fallback."""

from __future__ import annotations

import content
from bot.dispatcher import Context

MENU_STATE = "idle:menu"
CHOOSE_STATE = "idle:choose"


def show_menu(ctx: Context, intro_key: str = "common.menu_intro") -> None:
    entries = ctx.dispatcher.menu
    ctx.dialog.set(MENU_STATE, options=[e.intent for e in entries])
    options = content.numbered([ctx.services.classifier.label(e.intent) for e in entries])
    ctx.say_text("\n".join((content.text(intro_key), options, content.text("common.menu_footer"))))


def offer_choices(ctx: Context, intents: list[str]) -> None:
    """'Did you mean' as a numbered choice instead of a guess."""
    labels = [ctx.services.classifier.label(name) for name in intents]
    ctx.dialog.set(CHOOSE_STATE, options=intents, said=ctx.msg.text[:500])
    ctx.say("common.did_you_mean", options=content.numbered(labels))
