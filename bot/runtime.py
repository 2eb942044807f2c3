"""One conversation turn, whatever the transport: take the user's lock, load state, dispatch, save.

The WeChat endpoint and the terminal chat both call ``Conversations.handle``.
"""

from __future__ import annotations

import datetime as dt
import logging

import content
from bot.dialog import load_dialog, save_dialog
from bot.dispatcher import Context, Dispatcher, Services
from bot.messages import IncomingMessage, Reply
from storage.kv import LockTimeout
from storage.models import Person

log = logging.getLogger(__name__)

# How often a person's "last message" time is written: it only opens WeChat's 48-hour window.
_TOUCH_EVERY = dt.timedelta(minutes=10)


class Conversations:
    def __init__(self, dispatcher: Dispatcher, services: Services, lock_wait: float = 15.0) -> None:
        self.dispatcher = dispatcher
        self.services = services
        self.lock_wait = lock_wait

    async def handle(self, msg: IncomingMessage) -> Reply:
        store = self.services.store
        try:
            async with store.lock(f"user:{msg.user}", timeout=60, wait=self.lock_wait):
                return await self._turn(msg)
        except LockTimeout:
            log.warning("user lock busy", extra={"user": msg.user})
            return Reply([content.text("common.busy")])

    async def _turn(self, msg: IncomingMessage) -> Reply:
        person = await self._person(msg)
        dialog = await load_dialog(self.services.store, msg.user)
        ctx = Context(msg, person, dialog, self.services, self.dispatcher)
        try:
            await self.dispatcher.feed(ctx)
        except Exception:
            log.exception("handler failed", extra={"user": msg.user, "state": dialog.state})
            ctx.reply = Reply([content.text("common.error")])
        await save_dialog(self.services.store, msg.user, ctx.dialog, self.services.dialog_ttl)
        return ctx.reply

    async def _person(self, msg: IncomingMessage) -> Person:
        now = self.services.clock()
        person = await Person.get_or_none(openid=msg.user)
        if person is None:
            person, _ = await Person.get_or_create(openid=msg.user, defaults={"last_message_at": now})
        elif person.last_message_at is None or now - person.last_message_at > _TOUCH_EVERY:
            person.last_message_at = now
            await person.save(update_fields=["last_message_at"])
        return person
