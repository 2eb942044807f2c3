"""How characters sound: the first pinyin reading (no tone) of the common characters, from
``nlp/data/syllables.txt`` (built by ``nlp/homophones_build.py``). Voice input and pinyin keyboards type a
character that sounds like the one meant (事的 for 是的, 下午散点 for 下午三点); the readers of answers use
this to hear what was meant."""

from __future__ import annotations

import functools
from pathlib import Path

SYLLABLES = Path(__file__).resolve().parent / "data" / "syllables.txt"

# the numerals, by how they sound: a character that sounds like one is read as it before a clock word
_NUMERAL_SOUNDS = {
    "yi": "一", "er": "二", "san": "三", "si": "四", "wu": "五", "liu": "六", "qi": "七", "ba": "八",
    "jiu": "九", "shi": "十", "liang": "两",
}  # fmt: skip
_CLOCK_WORD_SOUND = "dian"  # 点: 店, 电, 垫 typed for it
_NUMERALS = "零〇一二两三四五六七八九十"
# characters that sound like a numeral but are words of their own before 点 ("一会儿点外卖", "下午点名")
_NOT_NUMERALS = frozenset("是事儿午而以已")


@functools.cache
def syllable_of() -> dict[str, str]:
    """Each character's syllable: '是' -> 'shi'."""
    found: dict[str, str] = {}
    for line in SYLLABLES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            syllable, chars = line.split("\t")
            found.update(dict.fromkeys(chars, syllable))
    return found


def numerals_heard(text: str) -> str:
    """The text with a clock time typed by sound read as meant: "下午散点" -> "下午三点", "上午酒店" ->
    "上午九点", "晚上期点半" -> "晚上七点半". Only characters that sound like a numeral right before one that
    sounds like 点 are read so; anything else is left as it is."""
    return _before(text, "dian", "点")


def day_heard(text: str) -> str:
    """The text with a day typed by sound read as meant: "期号" -> "七号", "下周散" -> "下周三"."""
    sounds = syllable_of()
    heard = list(_before(text, "hao", "号"))
    for index in range(1, len(text)):
        ch = text[index]
        if text[max(0, index - 2) : index].endswith(_WEEK_WORDS) and ch not in _NOT_NUMERALS:
            numeral = _NUMERAL_SOUNDS.get(sounds.get(ch, ""))
            if numeral and ch not in "一二三四五六日天末":
                heard[index] = numeral
    return "".join(heard)


_WEEK_WORDS = ("周", "星期", "礼拜")


def _before(text: str, sound: str, meant: str) -> str:
    sounds = syllable_of()
    out = list(text)
    for index, ch in enumerate(text):
        if sounds.get(ch) != sound or index == 0:
            continue
        start = index
        while start > 0 and index - start < 3:
            before = text[start - 1]
            if before in _NUMERALS or (sounds.get(before) in _NUMERAL_SOUNDS and before not in _NOT_NUMERALS):
                start -= 1
            else:
                break
        if start == index or (all(text[at] in _NUMERALS for at in range(start, index)) and ch == meant):
            continue
        for at in range(start, index):
            if text[at] not in _NUMERALS:
                out[at] = _NUMERAL_SOUNDS[sounds[text[at]]]
        out[index] = meant
    return "".join(out)
