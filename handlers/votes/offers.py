"""A message about an open consultation's subject is offered the consultation first ("听说要在东门装充电棚？
离我家窗户那么近..." is about the 充电棚 the community is voting on, not a report of 楼道堆物): its options
to vote, an opinion to leave, and "不是" to go on with what the message seemed to ask.

Its router is ``last``: its one step runs after every feature's own steps and before the intents. It reads
the titles of the community's open consultations (one statement); a message naming none of them is then
dispatched as if this step were not there.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from tortoise.signals import post_delete, post_save

from bot.dispatcher import Context, Phase, Router, has_text, idle
from handlers.votes import mentions, queries
from handlers.votes.dialog import confirm_choice, show_offered, title_words
from handlers.votes.models import Consultation
from handlers.votes.queries import ConsultationView

router = Router("votes.offers", last=True)

# what a message may have seemed to be when it speaks of a consultation's subject: a request in words,
# never a command, a lookup or an emergency (those come first and stay theirs)
_MAY_BE_ABOUT = frozenset(
    {"repair", "complaint", "propose", "wish", "service", "chitchat", "out_of_scope", None}
)
_SUBJECT = 3  # characters of a title's own subject (充电棚): 充电 alone or 东门 alone name nothing
_CHECKED = "votes_offer_checked"


def _may_be_about(ctx: Context) -> bool:
    return (
        ctx.forced_intent is None
        and not ctx.data.get(_CHECKED)
        and len(ctx.word) >= _SUBJECT
        and ctx.intent in _MAY_BE_ABOUT
    )


@router.handle(has_text(), idle(), _may_be_about, phase=Phase.DIALOG)
async def offer(ctx: Context) -> None:
    ctx.data[_CHECKED] = True
    if not await _offered(ctx):
        ctx.handled_phase = None  # the handler that takes it says which phase did (a refusal reads it)
        await ctx.dispatcher.feed(ctx)  # as if this step were not there


# The open consultations of each community, kept a little while: this step looks at every idle message,
# and one statement each was a quarter of a service question's cost (bench/wrk.py, services mix). What it
# offers is checked live before anything is offered (open_to, has_voted); a consultation saved or deleted
# in this process clears the copy, one changed by another process is seen within _OPEN_FOR seconds.
_OPEN_FOR = 30.0
_open: dict[int, tuple[float, list[ConsultationView]]] = {}


async def _open_in(community_id: int | None, now: dt.datetime) -> list[ConsultationView]:
    if community_id is None:
        return []
    kept = _open.get(community_id)
    if kept is None or kept[0] <= time.monotonic():
        kept = (time.monotonic() + _OPEN_FOR, await queries.open_in(community_id, now))
        _open[community_id] = kept
    return [c for c in kept[1] if c.closes_at > now]


@post_save(Consultation)
async def _saved(_sender: type[Consultation], *_args: Any, **_kwargs: Any) -> None:
    _open.clear()


@post_delete(Consultation)
async def _deleted(_sender: type[Consultation], *_args: Any, **_kwargs: Any) -> None:
    _open.clear()


async def _offered(ctx: Context) -> bool:
    person = await ctx.person()
    now = ctx.now()
    found = await _open_in(person.community_id, now)
    if not found:
        return False
    text = ctx.msg.text
    named = mentions.named(
        text, [c.title for c in found], [c.options for c in found], least=_SUBJECT, subject=True,
        words=title_words(ctx),
    )  # fmt: skip
    if named is None:
        return False
    c = found[named.index]
    if c.id not in {o.id for o in await queries.open_to(person, now)} or await queries.has_voted(
        person, c.id
    ):
        return False
    choice = mentions.option_in(text, c.options, named.pieces)
    if choice is not None:
        await confirm_choice(ctx, c, choice)
    else:
        await show_offered(ctx, c, ctx.intent, text)
    return True
