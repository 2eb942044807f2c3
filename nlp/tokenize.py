"""jieba segmentation with the community dictionary.

A private ``jieba.Tokenizer`` (not jieba's global one) so that the community words never leak into or
depend on other code in the process. jieba's dictionary is loaded once per process, packed in numpy
(``nlp.wordtable``: about 8 MB rather than 60, cut for cut the same), and shared by every tokenizer, each
holding only the words it added itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from nlp.wordtable import WordTable, compact_jieba

_SPACE = re.compile(r"\s+")
_PUNCT_CATEGORIES = ("P", "S", "Z", "C")


@functools.lru_cache(maxsize=4096)  # a turn reads its message in many places: normalized once
def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), lower-case Latin, collapse spaces, traditional characters as the
    simplified ones (電梯 -> 电梯: ``nlp/data/traditional.txt``), and the slips of voice input read as the
    word meant (楼到的灯 -> 楼道的灯, 题交 -> 提交: ``nlp/data/slips.txt``)."""
    said = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()
    table, traditional = _simplified()
    if not traditional.isdisjoint(said):  # a scan in C first: most messages hold no traditional character
        said = said.translate(table)
    slips, any_slip = _slips()
    if any_slip.search(said):  # one search for all: most messages hold none
        for slip, meant in slips:
            said = slip.sub(meant, said)
    return said


def simplified(text: str) -> str:
    """Traditional characters as the simplified ones (轉告李主任 -> 转告李主任), nothing else changed: what
    every rule of the bot reads, so that a resident writing in traditional characters is read alike."""
    table, traditional = _simplified()
    return text.translate(table) if not traditional.isdisjoint(text) else text


@functools.cache
def _simplified() -> tuple[dict[int, str], frozenset[str]]:
    lines = (Path(__file__).parent / "data" / "traditional.txt").read_text(encoding="utf-8").splitlines()
    table = {ord(line[0]): line[2] for line in lines if line and not line.startswith("#")}
    return table, frozenset(chr(c) for c in table)


@functools.cache
def _slips() -> tuple[tuple[tuple[re.Pattern[str], str], ...], re.Pattern[str]]:
    lines = (Path(__file__).parent / "data" / "slips.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    found = tuple((re.compile(slip), meant) for slip, meant in pairs)
    return found, re.compile("|".join(slip for slip, _ in pairs))


def strip_punctuation(text: str) -> str:
    """Drop punctuation, symbols and spaces: "取消！" and "取 消" both become "取消"."""
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(_PUNCT_CATEGORIES))


@functools.cache
def _table() -> WordTable:
    """jieba's main dictionary, loaded once per process and shared by every tokenizer."""
    return WordTable.load_jieba()


class Tokenizer:
    def __init__(self, words: Iterable[tuple[str, int]] = ()) -> None:
        # jieba's own table is the shared one; what this tokenizer adds stays its own
        self._jieba = compact_jieba(_table())
        for word, freq in words:
            self._jieba.add_word(word, freq)

    def add_words(self, words: Iterable[str], freq: int = 50) -> None:
        """Add words and tune their frequency so that jieba keeps each whole ("灯坏了" -> 灯 / 坏了)."""
        for word in words:
            self._jieba.add_word(word, freq)
            self._jieba.suggest_freq(word, tune=True)

    def words(self, text: str) -> list[str]:
        """The text cut into words as it is (nothing normalized or dropped): "".join(words) == text."""
        return list(self._jieba.lcut(text, HMM=True))

    def tokens(self, text: str, *, hmm: bool = True) -> list[str]:
        """Tokens of the normalized text, punctuation and spaces dropped. ``hmm=False``: only the words
        of the dictionaries (faster; enough to find known keywords)."""
        cleaned = normalize(text)
        return [t for t in self._jieba.lcut(cleaned, HMM=hmm) if strip_punctuation(t)]


def parse_userdict(lines: Iterable[str]) -> list[tuple[str, int]]:
    """Lines in jieba's user-dictionary format: ``word [freq] [tag]``."""
    words: list[tuple[str, int]] = []
    for line in lines:
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 50
        words.append((parts[0], freq))
    return words
