"""An emergency answers at once, in any state, before binding: the number to call and what to do now;
then, for a bound resident, the offer to tell the grid worker, which files a top-priority ticket."""

from __future__ import annotations

from bot.dispatcher import Context, Phase, Router, has_text, state
from handlers.emergency import workflow
from nlp.slots import extract_choice

router = Router("emergency")

OFFER = "emergency:offer"


def _is_emergency(ctx: Context) -> bool:
    return ctx.msg.has_text and ctx.classification.emergency


@router.handle(_is_emergency, phase=Phase.GLOBAL)
async def emergency(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    ctx.say(f"emergency.{workflow.kind_of(text)}")
    person = await ctx.person()
    ctx.dialog.clear()
    if person.home_id is None:
        ctx.say("emergency.offer_unbound")
        return
    ctx.dialog.set(OFFER, text=text[:2000], key=ctx.msg.dedup_key)
    ctx.say("emergency.offer_grid")


@router.handle(state(OFFER), has_text())
async def offer_answer(ctx: Context) -> None:
    data = ctx.dialog.data
    ctx.dialog.clear()
    if extract_choice(ctx.msg.text, 1) != 1:
        ctx.say("emergency.not_told")
        return
    ticket = await workflow.tell_grid_worker(await ctx.person(), data["text"], data["key"], ctx.now())
    ctx.say("emergency.grid_told", number=ticket.number)
