"""Writes ``nlp/data/syllables.txt``: the common characters (GB 2312) and those of the everyday answers
(content/answers.yaml), grouped by their first reading in pinyin without tones, one syllable a line. The
answers' reader uses it for homophones typed by a pinyin keyboard or heard by voice input (事的 for 是的,
队的 for 对的, 确人 for 确认). Built with pypinyin, which the bot does not need at run time:

    pip download pypinyin==0.55.0 --no-deps -d /tmp/pp && cd /tmp/pp && python -m zipfile -e pypinyin-*.whl x
    PYTHONPATH=/tmp/pp/x python -m nlp.homophones_build
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pypinyin import Style, lazy_pinyin  # type: ignore[import-not-found, unused-ignore]

import content

OUT = Path(__file__).resolve().parent / "data" / "syllables.txt"


def gb2312() -> list[str]:
    found = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def main() -> None:
    answers = content.load_yaml("answers.yaml")
    own = {ch for kind in ("yes", "no", "skip", "ack") for word in answers[kind] for ch in str(word)}
    by_syllable: dict[str, list[str]] = defaultdict(list)
    for ch in sorted(set(gb2312()) | own):
        if not "\u4e00" <= ch <= "\u9fff":
            continue
        read = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
        if read and read[0].isascii() and read[0].isalpha():
            by_syllable[read[0]].append(ch)
    lines = [f"{syllable}\t{''.join(chars)}" for syllable, chars in sorted(by_syllable.items())]
    OUT.write_text(
        "# pinyin syllable (no tone) <TAB> characters read so first; written by nlp/homophones_build.py\n"
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT}: {len(lines)} syllables, {sum(len(c) for c in by_syllable.values())} characters")


if __name__ == "__main__":
    main()
