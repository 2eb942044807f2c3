"""Corrections inside an answer: "周六，啊不对，月底前就行", "不对，是5栋楼道". What comes after the last
correction word is what the resident means; a step reads its value from there first."""

from __future__ import annotations

import re

_MARKER = re.compile(r"(?:不对|不是|错了|说错了|搞错了|改成|改为|改到|应该是|换成)")
_LEAD = re.compile(r"^[\s，,。.！!、:：]*(?:是|在|要|就)?")


def corrected(text: str) -> str | None:
    """The words after the last correction word, when there are some ("不对，月底前就行" -> "月底前就行");
    None when the answer corrects nothing (or only says no: "不对")."""
    found = list(_MARKER.finditer(text))
    if not found:
        return None
    rest = _LEAD.sub("", text[found[-1].end() :]).strip()
    return rest or None


def latest(text: str) -> str:
    """The part of ``text`` a step should read first: the correction when there is one, else all of it."""
    return corrected(text) or text
