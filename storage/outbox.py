"""Recording notifications: "tell this person this", in the caller's transaction.

Workflows call ``notify`` inside the same ``in_transaction()`` as the change the notification is about,
so either both happen or neither. ``bot.outbox.OutboxWorker`` delivers them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storage.models import Notification, Person


async def notify(
    person: Person,
    key: str,
    text: str,
    *,
    now: dt.datetime,
    template: str = "",
    template_data: dict[str, Any] | None = None,
) -> Notification | None:
    """Record a notification once per ``key`` (a second call with the same key records nothing and returns
    None). ``template`` names an entry of content/notifications.yaml for use outside the 48-hour window."""
    try:
        async with in_transaction():  # a savepoint when the caller already has a transaction
            return await Notification.create(
                person=person,
                key=key,
                text=text,
                template=template,
                template_data=template_data or {},
                next_attempt_at=now,
            )
    except IntegrityError:
        if await Notification.exists(key=key):
            return None
        raise
