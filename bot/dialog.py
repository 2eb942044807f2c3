"""Dialog state per user: a state name and a little data, kept in the store with a TTL.

Loaded and saved by ``bot.runtime`` while the user's lock is held (aiogram's bug #1317: load state only
after taking the lock, or two quick messages both see the old state).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.kv import Store


@dataclass
class Dialog:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def set(self, state: str | None, **data: Any) -> None:
        """Enter ``state``, keeping existing data and adding ``data``."""
        self.state = state
        self.data.update(data)
        self.data.pop("_retries", None)
        self.changed = True

    def update(self, **data: Any) -> None:
        self.data.update(data)
        self.changed = True

    def clear(self) -> None:
        self.state = None
        self.data = {}
        self.changed = True

    def retry(self) -> int:
        """Count one more unexpected answer in this state; returns the count."""
        count = int(self.data.get("_retries", 0)) + 1
        self.data["_retries"] = count
        self.changed = True
        return count


def _key(user: str) -> str:
    return f"dialog:{user}"


async def load_dialog(store: Store, user: str) -> Dialog:
    raw = await store.get(_key(user))
    if not raw:
        return Dialog()
    try:
        body = json.loads(raw)
        return Dialog(state=body.get("state"), data=dict(body.get("data") or {}))
    except (ValueError, TypeError, AttributeError):
        return Dialog()


async def save_dialog(store: Store, user: str, dialog: Dialog, ttl: int) -> None:
    if not dialog.changed:
        return
    if dialog.state is None and not dialog.data:
        await store.delete(_key(user))
        return
    body = json.dumps({"state": dialog.state, "data": dialog.data}, ensure_ascii=False)
    await store.set(_key(user), body, ttl)
