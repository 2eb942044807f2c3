"""Finding the catalog entry a resident means: BM25F (nlp.search) over each community's entries, names and
synonyms weighing most, with a private jieba tokenizer that knows every name and synonym."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field

import content
from handlers.services.catalog import Catalog, Entry, catalog
from nlp.search import Bm25Index, Hit, bigrams, query_terms
from nlp.tokenize import Tokenizer, normalize

WEIGHTS = {"title": 3.0, "text": 1.0, "detail": 0.4, "grams": 0.6}
# how sure: a top score below FLOOR is no answer; above SURE, and well ahead of the next, is one answer
FLOOR = 2.0
SURE = 3.0
LEAD = 1.35
ASKED_SIZE = 1024  # questions whose hits are kept (short ones: longer questions rarely come twice)
ASKED_LONGEST = 32


@dataclass(frozen=True)
class Found:
    entries: list[Entry]
    scores: list[float]

    @property
    def none(self) -> bool:
        return not self.entries

    @property
    def sure(self) -> bool:
        if self.none:
            return False
        second = self.scores[1] if len(self.scores) > 1 else 0.0
        return self.scores[0] >= SURE and self.scores[0] >= LEAD * second


@functools.cache
def stopwords() -> frozenset[str]:
    lines = content.path("services/stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


_tokenizer: Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def tokenizer() -> Tokenizer:
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            _tokenizer = Tokenizer()
        return _tokenizer


@dataclass
class _Index:
    catalog: Catalog
    keys: list[str]
    bm25: Bm25Index
    # a number in one entry's name or synonyms ("法律援助（12348）"): that entry, by its position in keys
    numbers: dict[str, int]
    # questions asked again ("几点下班", "办居住证要带什么"): their hits, kept with the catalog they came from
    asked: dict[tuple[str, int], tuple[tuple[Entry, ...], tuple[float, ...]]] = field(default_factory=dict)


_indexes: dict[str, _Index] = {}


def forget() -> None:
    """Drop the indexes (the catalogs were reloaded)."""
    _indexes.clear()


def _index(code: str) -> _Index:
    current = catalog(code)
    found = _indexes.get(code)
    if found is not None and found.catalog is current:
        return found
    words = tokenizer()
    words.add_words({w for e in current.entries.values() for w in (e.name, *e.synonyms) if len(w) > 1})
    stop = stopwords()
    docs = []
    for entry in current.entries.values():
        title = " ".join((entry.name, *entry.synonyms))
        text = " ".join((entry.what, entry.who, current.lines.get(entry.line, "")))
        detail = " ".join((*entry.documents, *entry.steps, entry.where))
        docs.append(
            {
                "title": [t for t in words.tokens(title) if t not in stop],
                "text": [t for t in words.tokens(text) if t not in stop],
                "detail": [t for t in words.tokens(detail) if t not in stop],
                "grams": bigrams(title),
            }
        )
    titled: dict[str, set[int]] = {}
    for position, entry in enumerate(current.entries.values()):
        for number in _NUMBER.findall(" ".join((entry.name, *entry.synonyms))):
            titled.setdefault(number, set()).add(position)
    numbers = {number: next(iter(held)) for number, held in titled.items() if len(held) == 1}
    built = _Index(current, list(current.entries), Bm25Index(docs, WEIGHTS), numbers)
    for other in _indexes.values():
        other.asked.clear()  # the shared tokenizer knows new words now: questions may cut differently
    _indexes[code] = built
    return built


def warm_up(codes: list[str]) -> None:
    """Build the tokenizer and the indexes now rather than during a resident's first question."""
    for code in codes:
        _index(code)


# a hotline's number ("12348是什么电话"): three to five digits standing alone
_NUMBER = re.compile(r"(?<!\d)\d{3,5}(?!\d)")


def _named(index: _Index, question: str, hits: list[Hit]) -> list[Hit]:
    """The one entry whose name or synonyms hold a number the question names comes first, and surely so:
    "12348是什么电话" asks about 法律援助（12348）, whatever the other words score."""
    named = {index.numbers[n] for n in _NUMBER.findall(question) if n in index.numbers}
    if len(named) != 1:
        return hits
    position = named.pop()
    others = [h for h in hits if h.index != position]
    own = next((h.score for h in hits if h.index == position), 0.0)
    best_other = others[0].score if others else 0.0
    return [Hit(position, max(own, SURE, LEAD * best_other + 0.001)), *others]


# what the resident says the question is not about: "…不是找志愿者那种 是问有没有那种托管点"
_NOT_THIS = re.compile(r"(?:(?<!是)不是|不要|不找)(?:找|要|问)?[^\s，,。！!？?]{1,8}?(?:那种|这种|那样|那个)")


def ask(code: str, question: str, limit: int = 3) -> Found:
    """The entries that best answer ``question`` in community ``code``'s catalog, best first."""
    index = _index(code)
    kept = index.asked.get((question, limit))
    if kept is None:
        # read as every rule reads it: slips of voice input ("申请底保") and traditional characters
        terms = query_terms(_NOT_THIS.sub(" ", normalize(question)), tokenizer().tokens, stopwords())
        hits = [h for h in index.bm25.search(terms, limit) if h.score >= FLOOR]
        hits = _named(index, question, hits)[:limit]
        kept = (
            tuple(index.catalog.entries[index.keys[h.index]] for h in hits),
            tuple(round(h.score, 3) for h in hits),
        )
        if len(question) <= ASKED_LONGEST:
            if len(index.asked) >= ASKED_SIZE:
                del index.asked[next(iter(index.asked))]  # the oldest question
            index.asked[(question, limit)] = kept
    return Found(entries=list(kept[0]), scores=list(kept[1]))
