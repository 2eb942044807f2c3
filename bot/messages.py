"""Transport-neutral messages: what a resident sent, and what the bot answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    LOCATION = "location"
    LINK = "link"
    EVENT = "event"
    UNKNOWN = "unknown"


class EventName(StrEnum):
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    SCAN = "scan"
    LOCATION = "location"
    CLICK = "click"
    VIEW = "view"
    TEMPLATE_DONE = "templatesendjobfinish"
    OTHER = "other"


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str = ""
    scale: int | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a user sent. ``text`` is typed text or WeChat's recognition of a voice message."""

    user: str
    kind: Kind
    dedup_key: str
    created_at: int = 0
    text: str = ""
    media_id: str = ""
    image_url: str = ""
    location: Location | None = None
    event: EventName | None = None
    event_key: str = ""
    url: str = ""
    channel: str = "wechat"

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


@dataclass
class Reply:
    """What the bot answers: text parts in order (the transport decides how to deliver them)."""

    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)
