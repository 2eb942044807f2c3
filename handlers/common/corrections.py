"""Corrections inside an answer: "周六，啊不对，月底前就行", "不对，是5栋楼道". What comes after the last
correction word is what the resident means; a step reads its value from there first."""

from __future__ import annotations

import re

# not "是不是" (a question), but "就是不是我们楼" and "可是不是…" are
_MARKER = re.compile(
    r"(?:不对|(?:(?<!是)|(?<=就是)|(?<=可是)|(?<=但是)|(?<=只是)|(?<=还是))不是|错了|说错了|搞错了|改成|改为|改到|应该是|换成)"
)
_LEAD = re.compile(r"^[\s，,。.！!、:：]*(?:是|在|要|就)?")


# "是8栋", and after a yes: "对，是6栋2单元，不是我们1单元"
_AFFIRMED = re.compile(r"^[\s，,。.！!]*(?:(?:对的?|嗯+|是的|没错|对头)[\s，,。.！!]*)?(?:就是|就在|是|在)")
# or a place named first, and apart from the 不是 after it: "3栋2单元那部，不是我家那栋", "5栋 不是3栋" (not
# "3栋2单元不是，是4栋1单元", which denies it)
_PLACE_FIRST = re.compile(r"^[\s，,。.！!]*(?=[\d一二三四五六七八九十]+(?:栋|幢|号楼|单元))")
_PLACE_DENIED = re.compile(r"(?:栋|幢|号楼|单元|\d)$")
_BUT_IS = re.compile(r"[，,\s]*(?:而)?是")  # "不是我们单元，是隔壁1单元": what it is, after what it is not


def corrected(text: str) -> str | None:
    """The words after the last correction word that has some after it ("不对，月底前就行" -> "月底前就行";
    "哦不对 是5栋1单元 刚才看错了" -> "5栋1单元 刚才看错了"), of "不是X，是Y" the Y, of "打错了 是Y 不是X"
    the Y; None when the answer corrects nothing (or only says no: "不对")."""
    markers = list(_MARKER.finditer(text))
    for index in range(len(markers) - 1, -1, -1):
        found = markers[index]
        rest = _LEAD.sub("", text[found.end() :]).strip()
        if rest:
            but = _BUT_IS.search(rest) if found.group(0) == "不是" else None
            if but:
                return rest[but.end() :].strip() or rest
            if found.group(0) == "不是":  # "打错了 是3单元 不是2单元", "是8栋 不是3栋": what it is, before
                start = markers[index - 1].end() if index else 0
                before = text[start : found.start()]
                affirmed = _AFFIRMED.match(before)
                if affirmed is None and not _PLACE_DENIED.search(before):
                    affirmed = _PLACE_FIRST.match(before)
                if affirmed and before[affirmed.end() :].strip(" ，,。."):
                    return before[affirmed.end() :].strip(" ，,。.")
            return rest
    return None


def latest(text: str) -> str:
    """The part of ``text`` a step should read first: the correction when there is one, else all of it."""
    return corrected(text) or text
