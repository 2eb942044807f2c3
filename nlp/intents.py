"""Keyword-weight intent classification over jieba tokens.

Unlike a whole-string keyword matcher (Rasa's ``\\b`` patterns never fire inside Chinese text) this scores
every intent by the weights of its keywords found among the tokens, and reports a tie instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nlp.tokenize import Tokenizer, strip_punctuation


@dataclass(frozen=True)
class IntentSpec:
    name: str
    label: str
    keywords: Mapping[str, int]


@dataclass(frozen=True)
class Classification:
    """``intent`` is set when one intent clearly wins; ``candidates`` lists the tied best ones otherwise."""

    intent: str | None
    score: int = 0
    candidates: tuple[str, ...] = ()
    tokens: tuple[str, ...] = field(default=(), compare=False)

    @property
    def ambiguous(self) -> bool:
        return self.intent is None and len(self.candidates) > 1


class IntentClassifier:
    def __init__(self, specs: list[IntentSpec], tokenizer: Tokenizer, threshold: int = 2) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.threshold = threshold
        self.tokenizer = tokenizer
        tokenizer.add_words(k for spec in specs for k in spec.keywords)
        # keyword -> [(intent, weight)]
        self._index: dict[str, list[tuple[str, int]]] = {}
        for spec in specs:
            for keyword, weight in spec.keywords.items():
                self._index.setdefault(keyword, []).append((spec.name, weight))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], tokenizer: Tokenizer) -> IntentClassifier:
        specs = [
            IntentSpec(name=name, label=str(body["label"]), keywords=dict(body["keywords"]))
            for name, body in data["intents"].items()
        ]
        return cls(specs, tokenizer, threshold=int(data.get("threshold", 2)))

    def label(self, intent: str) -> str:
        return self.specs[intent].label

    def classify(self, text: str) -> Classification:
        tokens = self.tokenizer.tokens(text, hmm=False)  # keywords are dictionary words: no HMM needed
        scores: dict[str, int] = {}
        seen: set[str] = set()
        # A keyword jieba kept whole is one token; a short message equal to a keyword counts too.
        whole = strip_punctuation(text)
        for token in [*tokens, whole]:
            if token in seen:
                continue
            seen.add(token)
            for intent, weight in self._index.get(token, ()):
                scores[intent] = scores.get(intent, 0) + weight
        if not scores:
            return Classification(None, tokens=tuple(tokens))
        best = max(scores.values())
        top = tuple(name for name in self.specs if scores.get(name) == best)
        if best < self.threshold:
            return Classification(None, best, tokens=tuple(tokens))
        if len(top) > 1:
            return Classification(None, best, candidates=top, tokens=tuple(tokens))
        return Classification(top[0], best, candidates=top, tokens=tuple(tokens))
