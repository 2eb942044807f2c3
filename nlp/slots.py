"""Slot extractors: home address (building / unit / room), mainland mobile numbers, menu choices.

Residents write addresses in many ways: 3栋2单元502, 3号楼2单元502室, 三号楼二单元五零二, 3-2-502, 12幢502,
十二栋一单元. Chinese numerals are turned into digits first (cn2an), then a few patterns are tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from nlp.tokenize import normalize

_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千廿幺]")
_BUILDING = (
    r"(?P<building>\d{1,3})\s*(?:号楼|号院|栋楼|栋|幢|座|号(?=\s*\d{1,2}\s*单元)|楼(?=\s*\d{1,2}\s*单元))"
)
_UNIT = r"(?P<unit>\d{1,2})\s*单元"
_ROOM = r"(?P<room>\d{3,5})\s*(?:室|号|房)?"
_PATTERNS = [
    re.compile(_BUILDING + r"\s*" + _UNIT + r"\s*" + _ROOM),
    re.compile(_BUILDING + r"\s*" + _UNIT),
    re.compile(_BUILDING + r"\s*" + _ROOM),
    re.compile(
        r"(?<!\d)(?P<building>\d{1,3})\s*[-－—–/]\s*(?P<unit>\d{1,2})\s*[-－—–/]\s*(?P<room>\d{3,5})(?!\d)"
    ),
    re.compile(_BUILDING),
    re.compile(r"(?<!\d)(?P<building>\d{1,3})\s*[-－—–]\s*(?P<room>\d{3,5})(?!\d)"),
    re.compile(_UNIT + r"\s*" + _ROOM),
    re.compile(_UNIT),
]
_BARE_ROOM = re.compile(r"^\s*(\d{3,5})\s*(?:室|号|房)?\s*$")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_CHOICE = re.compile(r"^\s*(?:第|选|选择)?\s*(\d{1,2})\s*(?:个|项|号)?\s*$")


@dataclass(frozen=True)
class Address:
    building: int | None = None
    unit: int | None = None
    room: str | None = None

    @property
    def empty(self) -> bool:
        return self.building is None and self.unit is None and self.room is None

    def describe(self) -> str:
        parts = []
        if self.building is not None:
            parts.append(f"{self.building}栋")
        if self.unit is not None:
            parts.append(f"{self.unit}单元")
        if self.room is not None:
            parts.append(self.room)
        return "".join(parts)


def digits_from_chinese(text: str) -> str:
    """三号楼二单元五零二 -> 3号楼2单元502; text without Chinese numerals is returned as it is."""
    if not _CN_NUMERAL.search(text):
        return text
    try:
        return str(cn2an.transform(text, "cn2an"))
    except (ValueError, KeyError, IndexError):
        return text


def extract_address(text: str) -> Address:
    cleaned = digits_from_chinese(normalize(text))
    for pattern in _PATTERNS:
        match = pattern.search(cleaned)
        if match:
            found = match.groupdict()
            return Address(
                building=int(found["building"]) if found.get("building") else None,
                unit=int(found["unit"]) if found.get("unit") else None,
                room=found.get("room") or None,
            )
    return Address()


def extract_room(text: str) -> str | None:
    """A bare room number ("502", "五零二", "1201室"), for when only the room was asked for."""
    match = _BARE_ROOM.match(digits_from_chinese(normalize(text)))
    return match.group(1) if match else None


def extract_mobile(text: str) -> str | None:
    """The first mainland mobile number, written with or without spaces, dashes or +86."""
    compact = re.sub(r"(?<=\d)[\s\-－]+(?=\d)", "", normalize(text))
    match = _MOBILE.search(compact)
    return match.group(1) if match else None


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "***"


def extract_choice(text: str, count: int) -> int | None:
    """A numbered answer (1-based) within ``1..count``: "1", "第2个", "选3", "二"."""
    cleaned = digits_from_chinese(normalize(text))
    match = _CHOICE.match(cleaned)
    if not match:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= count else None
