"""One conversation turn, whatever the transport: dedup, the user's lock and state, dispatch, save.

The WeChat endpoint uses ``turn`` (it needs to know about duplicates); the terminal chat and the tests use
``handle``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import content
from bot.dialog import decode_state, encode_state
from bot.dispatcher import Context, Dispatcher, Phase, Services
from bot.messages import IncomingMessage, Reply
from handlers.common.rules import Refusal
from storage.kv import LockTimeout
from storage.turns import DONE, TurnStore

log = logging.getLogger(__name__)

# How often a person's "last message" time is written: it only opens WeChat's 48-hour window.
TOUCH_EVERY = 600.0


@dataclass(frozen=True)
class TurnOutcome:
    """``reply`` for a new delivery; for a repeated one, ``duplicate`` and what the first recorded."""

    reply: Reply
    duplicate: bool = False
    previous: str | None = None


class Conversations:
    def __init__(self, dispatcher: Dispatcher, services: Services, turns: TurnStore) -> None:
        self.dispatcher = dispatcher
        self.services = services
        self.turns = turns

    async def handle(self, msg: IncomingMessage) -> Reply:
        """The reply to ``msg``; a repeated delivery gets what the first one got (or nothing)."""
        outcome = await self.turn(msg)
        if outcome.duplicate:
            previous = outcome.previous or ""
            return Reply([previous[len(DONE) :]] if previous.startswith(DONE) else [])
        return outcome.reply

    async def turn(self, msg: IncomingMessage, *, late: bool = False) -> TurnOutcome:
        """``late``: WeChat was already answered ``success`` (a queued message), its reply goes out later; a
        repeated delivery is then answered ``success`` too, never the reply a second time."""
        try:
            begun = await self.turns.begin(msg.user, msg.dedup_key)
        except LockTimeout:
            log.warning("user lock busy", extra={"user": msg.user})
            return TurnOutcome(Reply([content.text("common.busy")]))
        if begun.duplicate:
            return TurnOutcome(Reply(), duplicate=True, previous=begun.outcome)
        if late:
            try:
                await self.turns.mark_late(msg.user, msg.dedup_key)
            except Exception:
                log.exception("could not mark a queued turn late; a retry may repeat its reply")
        dialog, seen = decode_state(begun.state)
        ctx = Context(msg, dialog, self.services, self.dispatcher)
        save = False
        try:
            now = ctx.now().timestamp()
            if now - seen > TOUCH_EVERY:
                await ctx.touch_person(known=seen > 0)
                seen, save = now, True
            try:
                await self.dispatcher.feed(ctx)
                if ctx.dialog.open and ctx.dialog.entered and ctx.reply.parts:
                    ctx.dialog.question = ctx.reply.parts[-1]  # what the step asked, to ask it again
            except Refusal as refusal:
                # A workflow's rule, not a failure: its own sentence. The step of an open dialog that was
                # refused ends it (unless the rule keeps it); a command refused in the middle of another
                # dialog leaves that dialog as it was (a half-written wish survives a refused "认领 5").
                ctx.say(refusal.key, **refusal.values)
                before, _ = decode_state(begun.state)  # the dialog as the turn found it
                if not refusal.keep and (ctx.handled_phase is Phase.DIALOG or before.state is None):
                    ctx.dialog.clear()
                elif not refusal.keep:
                    ctx.dialog.state, ctx.dialog.data, ctx.dialog.changed = before.state, before.data, True
            save = save or ctx.dialog.changed
        except Exception:
            # The dialog stays where it was, so the resident can simply try again.
            log.exception("turn failed", extra={"user": msg.user, "state": dialog.state})
            ctx.reply = Reply([content.text("common.error")])
            save = False
        finally:
            try:
                await self.turns.finish(
                    msg.user,
                    begun.token,
                    msg.dedup_key,
                    state=encode_state(ctx.dialog, seen),
                    save_state=save,
                    outcome=ctx.reply.text,
                )
            except Exception:
                # The store failed after the turn did its work (a ticket filed, a vote cast): the reply
                # tells the truth about it, so it is still given, never "something went wrong", which
                # would make the resident do it again. Their dialog may be a step behind; the workflows
                # are idempotent per message, so repeating that step repeats nothing.
                log.exception("could not record the turn's end", extra={"user": msg.user})
        return TurnOutcome(ctx.reply)
