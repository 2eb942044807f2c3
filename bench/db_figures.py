"""Figures the benchmark reads from the bot's database after a run (DATABASE_URL from the environment)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from storage import db
from storage.models import Notification, Person


async def main(what: str, tag: str) -> Any:
    await db.open_db(os.environ["DATABASE_URL"])
    try:
        if what == "bound":
            return await Person.filter(openid__startswith=f"r{tag}-", home_id__isnull=False).count()
        if what == "tickets":
            from handlers.repairs.models import Ticket

            return await Ticket.all().count()
        if what == "outbox":
            rows = await Notification.all().values_list("status", flat=True)
            return dict(Counter(str(getattr(s, "value", s)) for s in rows))
        if what == "replies":
            # the late replies: key reply:<dedup key>:<part>, the dedup key of a text being m:<MsgId>
            # (each part's status, and "busy" when the reply only asked to send the message again)
            import content

            busy = content.text("common.busy")
            replies: dict[str, list[str]] = {}
            rows = await Notification.filter(key__startswith="reply:m:").values_list("key", "status", "text")
            for key, status, text in rows:
                msg_id = str(key).split(":")[2]
                replies.setdefault(msg_id, []).append(str(getattr(status, "value", status)))
                if text == busy:
                    replies[msg_id].append("busy")
            return replies
        raise ValueError(what)
    finally:
        await db.close_db()
