"""Writes ``nlp/data/traditional.txt``: each traditional character of the CJK block and the simplified one it
is written as, one pair a line, for ``nlp.tokenize.normalize`` (電梯 -> 电梯, 確認送出 -> 确认送出). Built
with zhconv (MediaWiki's conversion tables), which the bot does not need at run time; only conversions of
one character to one character are kept, and characters that are simplified words of their own stay:

    pip download zhconv==1.4.3 --no-deps -d /tmp/pp && tar xzf /tmp/pp/zhconv-1.4.3.tar.gz -C /tmp/pp
    PYTHONPATH=/tmp/pp/zhconv-1.4.3 python -m nlp.traditional_build
"""

from __future__ import annotations

from pathlib import Path

import zhconv  # type: ignore[import-not-found, unused-ignore]

OUT = Path(__file__).resolve().parent / "data" / "traditional.txt"


def main() -> None:
    pairs = []
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        simple = zhconv.convert(ch, "zh-cn")
        # a character that is also simplified Chinese as it is (干, 后, 里 ...) is left alone
        if len(simple) == 1 and simple != ch and zhconv.convert(ch, "zh-tw") == ch:
            pairs.append(f"{ch}\t{simple}")
    lines = ["# traditional <TAB> simplified; written by nlp/traditional_build.py", *pairs]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(pairs)} characters -> {OUT}")


if __name__ == "__main__":
    main()
