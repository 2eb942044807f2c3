"""Finding personal data in free text before it goes public: phone numbers, ID numbers, exact addresses,
and words a community keeps off its public board. Pure functions: the word list is passed in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
# an address precise enough to find a door: building and room, with or without the unit
_DOOR = re.compile(
    r"\d{1,3}\s*(?:号楼|栋|幢|座)\s*(?:\d{1,2}\s*单元)?\s*\d{3,5}\s*(?:室|号|房)?"
    r"|(?<!\d)\d{1,3}\s*[-－—]\s*\d{1,2}\s*[-－—]\s*\d{3,5}(?!\d)"
)
_MASK = "***"


@dataclass(frozen=True)
class Findings:
    """What was found: kinds of personal data (``phone``, ``id_number``, ``address``) and sensitive words."""

    personal: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.personal and not self.words


# one character for one, so that a span found in the translated text is the same span in the original
_DIGITS = str.maketrans(
    {
        **{c: str(i) for i, c in enumerate("０１２３４５６７８９")},
        **dict.fromkeys("零〇", "0"),
        "一": "1",
        "幺": "1",
        "二": "2",
        "两": "2",
        "三": "3",
        "四": "4",
        "五": "5",
        "六": "6",
        "七": "7",
        "八": "8",
        "九": "9",
        "－": "-",
        "—": "-",
        "　": " ",
    }
)


def _prepared(text: str) -> str:
    return text.translate(_DIGITS)


def inspect(text: str, sensitive_words: Iterable[str]) -> Findings:
    prepared = _prepared(text)
    personal = []
    if _ID_NUMBER.search(prepared):
        personal.append("id_number")
    without_ids = _ID_NUMBER.sub(" ", prepared)
    if _MOBILE.search(without_ids) or _LANDLINE.search(without_ids):
        personal.append("phone")
    if _DOOR.search(prepared):
        personal.append("address")
    words = tuple(w for w in sensitive_words if w and w in prepared)
    return Findings(tuple(personal), words)


def redact(text: str) -> str:
    """The text with ID numbers, phone numbers and door-precise addresses masked, the rest unchanged.
    Chinese digits are read as digits (a phone number written 一三八... is still a phone number)."""
    prepared = _prepared(text)
    spans = sorted(
        m.span() for pattern in (_ID_NUMBER, _MOBILE, _LANDLINE, _DOOR) for m in pattern.finditer(prepared)
    )
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlapping findings: already masked up to ``at``
            start = at
        if start >= end:
            continue
        out.append(text[at:start] + _MASK)
        at = end
    out.append(text[at:])
    return "".join(out)
