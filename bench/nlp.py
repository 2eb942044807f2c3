"""How long understanding one message takes: jieba alone, the model alone, and the whole classification
(rules with jieba + model + emergency signals), median and p99 over the held-out messages, in one run.

    python bench/nlp.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import classifier
from nlp import train


def timed(call: Callable[[str], object], texts: list[str], repeat: int) -> tuple[float, float]:
    samples: list[float] = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter_ns()
            call(text)
            samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    understanding = classifier()
    texts = [text for _, text in train.read_tsv(train.HELDOUT)]
    for text in texts:  # warm: jieba's caches, numpy's first calls
        understanding.classify(text)
    rows = [
        ("jieba alone (lcut, HMM on)", understanding.tokenizer.tokens),
        ("model alone", understanding.model.predict),
        ("whole classification", understanding.classify),
    ]
    base = None
    print(f"{len(texts)} messages x {args.repeat}; microseconds per message")
    print(f"{'':34} {'median':>8} {'p99':>8} {'vs jieba':>9}")
    for name, call in rows:
        median, p99 = timed(call, texts, args.repeat)
        base = base or median
        print(f"{name:34} {median:8.1f} {p99:8.1f} {median / base:8.2f}x")


if __name__ == "__main__":
    main()
