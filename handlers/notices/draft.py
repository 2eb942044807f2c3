"""What a staff member has answered so far while writing a notice in the chat (the steps of
``committee_dialog`` and ``audience_dialog``): the steps' names and the draft kept in the dialog's data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.dispatcher import Context
from handlers.common.pause import CONTENT, answers
from handlers.common.rules import Refusal
from handlers.notices.queries import NoticeAudience

TITLE = "notice:title"
TEXT = "notice:text"
LINK = "notice:link"
AUDIENCE = "notice:audience"
BUILDINGS = "notice:buildings"
GRIDS = "notice:grids"
ROLES = "notice:roles"
CARE = "notice:care"
URGENT = "notice:urgent"
WHEN = "notice:when"
RECEIPT = "notice:receipt"
CONFIRM = "notice:confirm"
# the words of a notice (停水通知, 电梯停运) and of its audience (志愿者, 网格) are answers, not requests
answers(
    TITLE,
    TEXT,
    LINK,
    AUDIENCE,
    BUILDINGS,
    GRIDS,
    ROLES,
    CARE,
    URGENT,
    WHEN,
    RECEIPT,
    CONFIRM,
    intents=CONTENT | {"notices", "wish_board", "my_grid_worker"},
)


@dataclass(frozen=True)
class NoticeDraft:
    """What the staff member has answered so far (kept in the dialog's data)."""

    title: str = ""
    text: str = ""
    link: str = ""
    audience: str = NoticeAudience.COMMUNITY.value
    targets: tuple[Any, ...] = ()
    urgent: bool = False
    publish_at: str = ""  # ISO; empty: now
    receipt: bool = False

    @classmethod
    def of(cls, ctx: Context) -> NoticeDraft:
        data = ctx.dialog.data.get("draft")
        if not isinstance(data, dict):
            raise Refusal("notices.write.expired")
        return cls(**{**data, "targets": tuple(data.get("targets") or ())})

    def then(self, ctx: Context, next_state: str, **changes: Any) -> NoticeDraft:
        draft = replace(self, **changes)
        ctx.dialog.set(next_state, draft={**asdict(draft), "targets": list(draft.targets)})
        return draft

    @property
    def target_kind(self) -> NoticeAudience:
        return NoticeAudience(self.audience)
