"""How a home, a day and a time limit are written, the same way everywhere: 3栋2单元502, 12月5日（周六）,
24 小时."""

from __future__ import annotations

import datetime as dt
import functools

import content
from nlp.tokenize import Tokenizer

WEEKDAYS = "一二三四五六日"


def home(building: int | str | None, unit: int | None = 0, room: str | None = "") -> str:
    """3栋2单元502; 8栋101 without units; 3栋2单元 for a place without a room; the parts that are known.
    A building given by its label is written as it is (A座1203), a village's group with 号 (3组15号)."""
    parts = []
    if isinstance(building, str):
        parts.append(building)
    elif building is not None:
        parts.append(f"{building}栋")
    if unit:
        parts.append(f"{unit}单元")
    if room:
        parts.append(room + ("号" if isinstance(building, str) and building.endswith("组") else ""))
    return "".join(parts)


_SENTENCE_ENDS = "。！？!?；;\n"
_PAUSES = "，,、：: "
ELLIPSIS = "…"


@functools.cache
def _words() -> Tokenizer:
    return Tokenizer()


def clip(text: str | None, limit: int) -> str:
    """At most ``limit`` characters of ``text`` for a reader: cut at the end of a sentence, else at a pause,
    else after a whole word, and marked with "…" (never mid-word)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS)]
    for marks in (_SENTENCE_ENDS, _PAUSES):
        at = max(room.rfind(mark) for mark in marks)
        if at >= limit // 2:
            return room[:at].rstrip("。！？!?，,、：: ；;") + ELLIPSIS
    kept = ""
    for word in _words().words(text):
        if len(kept) + len(word) > len(room):
            break
        kept += word
    return (kept or room).rstrip() + ELLIPSIS


def added(text: str, words: str, limit: int, sep: str = "\n") -> str:
    """``text`` with a line the resident added after filing it ("补充：是三楼那盏"), within ``limit``."""
    return f"{text}{sep}{content.text('common.added_label')}{words.strip()}"[:limit]


def remark(note: str | None, empty: str = "。") -> str:
    """ "：the note" after a sentence, or just its end when there is no note (never "：无")."""
    note = (note or "").strip()
    return f"：{note}" if note else empty


def hours(hours: float) -> str:
    """A time limit as promised to residents: 24 小时, 3 天 from two days on."""
    return f"{int(hours)} 小时" if hours < 48 else f"{int(hours // 24)} 天"


def day(when: dt.date, *, weekday: bool = True) -> str:
    """12月5日（周六）, or 12月5日 where the weekday would only clutter (a span of days)."""
    text = f"{when.month}月{when.day}日"
    return f"{text}（周{WEEKDAYS[when.weekday()]}）" if weekday else text


def month(when: dt.date) -> str:
    """2026年11月: a month of figures and reports."""
    return f"{when.year}年{when.month}月"


def day_from(when: dt.date, today: dt.date) -> str:
    """今天, 明天, or the day written out."""
    if when == today:
        return content.text("common.today")
    if when == today + dt.timedelta(days=1):
        return content.text("common.tomorrow")
    return day(when)


def day_time(when: dt.datetime, *, weekday: bool = True) -> str:
    """12月5日（周六） 14:30, or 12月5日 14:30 inside brackets of its own."""
    return f"{day(when.date(), weekday=weekday)} {when:%H:%M}"
