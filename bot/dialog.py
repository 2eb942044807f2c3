"""Dialog state per user: a state name and a little data, stored as one small JSON blob with a TTL.

Loaded and saved by ``bot.runtime`` while the user's lock is held (aiogram's bug #1317: load state only
after taking the lock, or two quick messages both see the old state). The blob also remembers when the
person's "last message" time was last written to the database (``seen``), so that write happens once in
a while rather than on every message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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


def decode_state(raw: str | None) -> tuple[Dialog, float]:
    """(dialog, seen) from the stored blob; anything unreadable is a fresh start."""
    if not raw:
        return Dialog(), 0.0
    try:
        body = json.loads(raw)
        return Dialog(state=body.get("s"), data=dict(body.get("d") or {})), float(body.get("seen") or 0)
    except (ValueError, TypeError, AttributeError):
        return Dialog(), 0.0


def encode_state(dialog: Dialog, seen: float) -> str:
    body: dict[str, Any] = {"seen": int(seen)}
    if dialog.state is not None or dialog.data:
        body |= {"s": dialog.state, "d": dialog.data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
