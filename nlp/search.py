"""Ranking short documents for a short question: BM25F over weighted fields, plus character bigrams.

Residents ask in a few words ("办居住证要带什么", "老人助餐在哪"); the catalog's entries are short. Each
document has fields (name, synonyms, text...) with weights; a term's frequency is summed over the fields,
each normalised by its length (BM25F), then saturated. Character bigrams of the Chinese text are added as
terms of their own, so that a word jieba cut differently ("助餐" / "助 餐") still meets its match.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
BIGRAM = "§"  # marks a bigram term, so that it never equals a word term


def bigrams(text: str) -> list[str]:
    """Character bigrams of every run of Chinese characters: 居住证 -> 居住, 住证."""
    found: list[str] = []
    for run in _HAN_RUN.findall(text):
        found.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
    return found


@dataclass(frozen=True)
class Hit:
    index: int
    score: float


class Bm25Index:
    """BM25F over documents given as ``{field: terms}``; ``weights`` says what each field counts for."""

    def __init__(
        self,
        documents: Sequence[Mapping[str, Sequence[str]]],
        weights: Mapping[str, float],
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.weights = dict(weights)
        self.k1, self.b = k1, b
        self.count = len(documents)
        self._tf: list[dict[str, Counter[str]]] = [
            {name: Counter(doc.get(name, ())) for name in self.weights} for doc in documents
        ]
        self._length = [{name: len(doc.get(name, ())) for name in self.weights} for doc in documents]
        self._average = {
            name: (sum(lengths[name] for lengths in self._length) / self.count if self.count else 0.0) or 1.0
            for name in self.weights
        }
        df: Counter[str] = Counter()
        for fields in self._tf:
            df.update({term for counter in fields.values() for term in counter})
        self._idf = {t: math.log(1 + (self.count - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        # a term's share of each document's score depends on nothing else: computed once, per term, for
        # the documents holding it (a question then touches only its terms' documents)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for index, fields in enumerate(self._tf):
            for term in sorted({term for counter in fields.values() for term in counter}):
                self._postings.setdefault(term, []).append((index, self._share(index, term)))

    def _share(self, index: int, term: str) -> float:
        weighted = 0.0
        for name, weight in self.weights.items():
            tf = self._tf[index][name][term]
            if tf:
                norm = 1 - self.b + self.b * self._length[index][name] / self._average[name]
                weighted += weight * tf / norm
        return self._idf[term] * weighted / (self.k1 + weighted)

    def score(self, index: int, terms: Iterable[str]) -> float:
        total = 0.0
        for term in set(terms):
            if term in self._idf:
                total += self._share(index, term)
        return total

    def search(self, terms: Sequence[str], limit: int = 3) -> list[Hit]:
        """The best ``limit`` documents with a positive score, best first (ties: earlier document first);
        the same sums as ``score`` (a term's shares added in the same order), over the postings."""
        totals: dict[int, float] = {}
        for term in set(terms):
            for index, share in self._postings.get(term, ()):
                totals[index] = totals.get(index, 0.0) + share
        ranked = sorted((Hit(i, t) for i, t in totals.items() if t > 0), key=lambda h: (-h.score, h.index))
        return ranked[:limit]


def query_terms(text: str, tokens: Callable[[str], list[str]], stopwords: frozenset[str]) -> list[str]:
    """A question's terms: its jieba tokens without stop words, and its bigrams (minus those made only of
    stop-word characters)."""
    words = [t for t in tokens(text) if t not in stopwords]
    pairs = [b for b in bigrams(text) if b[1:] not in stopwords]
    return words + pairs
