"""Dialog state per user: a state name and a little data, stored as one small JSON blob with a TTL.

Loaded and saved by ``bot.runtime`` while the user's lock is held (aiogram's bug #1317: load state only
after taking the lock, or two quick messages both see the old state). The blob also remembers when the
person's "last message" time was last written to the database (``seen``), so that write happens once in
a while rather than on every message.

Two slots outlive ``clear()``: ``question``, the last question the open step asked (so it can be asked
again word for word), and ``paused``, a dialog set aside when the resident asked for something else in the
middle of it (回复"继续" takes it up again; 取消 drops it).
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
    question: str = ""  # what the open step asked, to ask it again
    paused: dict[str, Any] | None = None  # {"state", "data", "question"} of a dialog set aside
    entered: bool = field(default=False, compare=False)  # a step was entered this turn (not stored)

    def set(self, state: str | None, **data: Any) -> None:
        """Enter ``state``, keeping existing data and adding ``data``."""
        self.state = state
        self.data.update(data)
        self.data.pop("_retries", None)
        self.changed = True
        self.entered = True

    def update(self, **data: Any) -> None:
        self.data.update(data)
        self.changed = True

    def clear(self) -> None:
        """Leave the open dialog (a paused one stays paused)."""
        self.state = None
        self.data = {}
        self.question = ""
        self.changed = True

    @property
    def open(self) -> bool:
        """A dialog step is waiting for an answer (not merely a menu shown)."""
        return self.state is not None and not self.state.startswith("idle:")

    def pause(self) -> None:
        """Set the open dialog aside (replacing any paused before) and leave it."""
        if self.open:
            self.paused = {"state": self.state, "data": dict(self.data), "question": self.question}
        self.clear()

    def resume(self) -> bool:
        """Take the paused dialog up again (the open one, if any, is set aside in its place)."""
        if not self.paused:
            return False
        back = self.paused
        self.paused = None
        self.pause()
        self.state, self.data, self.question = back["state"], dict(back["data"]), back["question"]
        self.changed = True
        return True

    def drop_paused(self) -> None:
        if self.paused is not None:
            self.paused = None
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
        dialog = Dialog(state=body.get("s"), data=dict(body.get("d") or {}))
        dialog.question = str(body.get("q") or "")
        dialog.paused = dict(body["p"]) if body.get("p") else None
        return dialog, float(body.get("seen") or 0)
    except (ValueError, TypeError, AttributeError):
        return Dialog(), 0.0


def encode_state(dialog: Dialog, seen: float) -> str:
    body: dict[str, Any] = {"seen": int(seen)}
    if dialog.state is not None or dialog.data:
        body |= {"s": dialog.state, "d": dialog.data}
    if dialog.question and dialog.state is not None:
        body["q"] = dialog.question
    if dialog.paused:
        body["p"] = dialog.paused
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
