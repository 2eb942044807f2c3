"""An emergency answers at once, in any state, before binding: the number to call and what to do now;
then, for a bound resident, the offer to tell the grid worker, which files a top-priority ticket."""

from __future__ import annotations

from bot.dispatcher import Context, Phase, Router, has_text, state
from handlers.common.answers import choose
from handlers.emergency import workflow

router = Router("emergency")

OFFER = "emergency:offer"
_TELL = {1: ("通知", "通知他", "通知吧", "快通知", "叫人", "来人", "要", "需要", "麻烦了", "快点")}


def _is_emergency(ctx: Context) -> bool:
    """An emergency, except the answer to the offer itself ("要，快点，着火了" accepts it)."""
    return ctx.msg.has_text and ctx.dialog.state != OFFER and ctx.classification.emergency


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
    choice = choose(ctx.msg.text, ["通知网格员", "不用通知"], synonyms=_TELL, yes=1, no=2)
    if choice is None:  # neither: the offer again, not a silent no
        ctx.reask("emergency.offer_grid_again")
        return
    ctx.dialog.clear()
    if choice != 1:
        ctx.say("emergency.not_told")
        return
    ticket = await workflow.tell_grid_worker(await ctx.person(), data["text"], data["key"], ctx.now())
    ctx.say("emergency.grid_told", number=ticket.number)
