"""Training and evaluating the intent model (scikit-learn: the ``train`` extra, not a run-time dependency).

``community-bot nlp train`` reads every ``nlp/corpus/train/*.tsv`` (``label<TAB>message``), leaves out
any message that is also in the held-out set, fits TF-IDF over character n-grams and a multinomial
logistic regression, fits the softmax temperature on 5-fold out-of-fold scores, and writes
``nlp/model/intent.npz``. Everything is seeded and sorted: the same data gives the same bytes.

``community-bot nlp eval`` scores ``nlp/corpus/heldout.tsv`` (never used to train or tune): accuracy per
intent, the confusion matrix, emergencies missed and ordinary messages taken for emergencies, the worst
mistakes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.model import LABELS, MODEL_PATH, IntentModel, Prediction, clean, ngrams

CORPUS = Path(__file__).parent / "corpus"
HELDOUT = CORPUS / "heldout.tsv"
C = 32.0  # chosen by 5-fold cross-validation on the training files only (see ``cross_validate``)
MIN_DF = 1
SEED = 0


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, sep, text = line.partition("\t")
        if not sep or label not in LABELS or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected 'label<TAB>message' with a known label")
        rows.append((label, text.strip()))
    return rows


def training_rows(corpus: Path = CORPUS, heldout: Path = HELDOUT) -> list[tuple[str, str]]:
    """Every training message once (sorted, so file order never matters), none of the held-out ones."""
    held = {text for _, text in read_tsv(heldout)} if heldout.exists() else set()
    for other in sorted(heldout.parent.glob("heldout_*.tsv")):  # held-out sets of later intents
        held |= {text for _, text in read_tsv(other)}
    rows = {
        (label, text) for path in sorted((corpus / "train").glob("*.tsv")) for label, text in read_tsv(path)
    }
    return sorted(r for r in rows if r[1] not in held)


def _analyzer(text: str) -> list[str]:
    return ngrams(clean(text))


def fit(rows: Sequence[tuple[str, str]], c: float = C, calibrate: bool = True) -> IntentModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [text for _, text in rows]
    y = np.array([LABELS.index(label) for label, _ in rows])
    vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=MIN_DF, dtype=np.float64)
    x = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    classifier.fit(x, y)
    vocabulary = {str(w): int(i) for w, i in vectorizer.vocabulary_.items()}
    labels = tuple(LABELS[i] for i in classifier.classes_)
    temperature = _temperature(rows, c) if calibrate else 1.0
    return IntentModel(
        labels=labels,
        vocabulary=vocabulary,
        idf=vectorizer.idf_,
        weights=classifier.coef_.T.copy(),
        bias=classifier.intercept_.copy(),
        temperature=temperature,
    )


def _folds(rows: Sequence[tuple[str, str]], k: int = 5) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import StratifiedKFold

    y = [label for label, _ in rows]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    return [(list(a), list(b)) for a, b in splitter.split(np.zeros(len(y)), y)]


def out_of_fold(rows: Sequence[tuple[str, str]], c: float = C) -> list[np.ndarray]:
    """Each training message's logits from a model that did not see it."""
    logits: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for train, test in _folds(rows):
        model = fit([rows[i] for i in train], c, calibrate=False)
        for i in test:
            logits[i] = _aligned(model, rows[i][1])
    return logits


def _aligned(model: IntentModel, text: str) -> np.ndarray:
    scores = model.logits(text)
    return np.array([scores[model.labels.index(label)] for label in LABELS])


def _temperature(rows: Sequence[tuple[str, str]], c: float) -> float:
    """The softmax temperature that makes out-of-fold probabilities honest (least negative log-likelihood)."""
    logits = np.stack(out_of_fold(rows, c))
    y = np.array([LABELS.index(label) for label, _ in rows])
    best = (float("inf"), 1.0)
    for t in np.arange(0.3, 3.01, 0.05):
        scaled = logits / t
        scaled -= scaled.max(axis=1, keepdims=True)
        log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = float(-log_p[np.arange(len(y)), y].mean())
        best = min(best, (nll, round(float(t), 2)))
    return best[1]


def cross_validate(rows: Sequence[tuple[str, str]], cs: Iterable[float]) -> dict[float, float]:
    """Out-of-fold accuracy for each regularisation strength (how ``C`` was chosen)."""
    y = [label for label, _ in rows]
    found: dict[float, float] = {}
    for c in cs:
        logits = out_of_fold(rows, c)
        found[c] = sum(LABELS[int(np.argmax(s))] == label for s, label in zip(logits, y, strict=True)) / len(
            y
        )
    return found


def train(out: Path = MODEL_PATH) -> IntentModel:
    model = fit(training_rows())
    model.save(out)
    return model


# -- evaluation ----------------------------------------------------------------------------------------
@dataclass
class Report:
    total: int = 0
    right: int = 0
    per_label: dict[str, Counter[str]] = field(default_factory=dict)  # truth -> predicted counts
    mistakes: list[tuple[float, str, str, str]] = field(default_factory=list)  # (p, truth, guess, text)
    emergencies_missed: list[str] = field(default_factory=list)
    false_emergencies: list[str] = field(default_factory=list)
    ordinary: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def false_emergency_rate(self) -> float:
        return len(self.false_emergencies) / self.ordinary if self.ordinary else 0.0

    def lines(self, worst: int = 25) -> list[str]:
        out = [f"messages: {self.total}  right: {self.right}  accuracy: {self.accuracy:.1%}"]
        out.append(
            f"emergencies missed: {len(self.emergencies_missed)}  "
            f"ordinary messages taken for emergencies: {len(self.false_emergencies)} of {self.ordinary} "
            f"({self.false_emergency_rate:.1%})"
        )
        out.append("")
        out.append(f"{'intent':<13} {'n':>4} {'right':>6} {'recall':>7} {'precision':>9}")
        predicted_totals: Counter[str] = Counter()
        for counts in self.per_label.values():
            predicted_totals.update(counts)
        for label in LABELS:
            counts = self.per_label.get(label, Counter())
            n = sum(counts.values())
            ok = counts[label]
            precision = ok / predicted_totals[label] if predicted_totals[label] else 0.0
            out.append(f"{label:<13} {n:>4} {ok:>6} {ok / n if n else 0:>7.1%} {precision:>9.1%}")
        out.append("")
        out.append("confusion (rows: truth, columns: predicted)")
        short = [label[:5] for label in LABELS]
        out.append(" " * 13 + " ".join(f"{s:>5}" for s in short))
        for label in LABELS:
            counts = self.per_label.get(label, Counter())
            out.append(f"{label:<13}" + " ".join(f"{counts[p] or '.':>5}" for p in LABELS))
        out.append("")
        out.append("worst mistakes (most confident first)")
        for p, truth, guess, text in sorted(self.mistakes, reverse=True)[:worst]:
            out.append(f"  {p:.2f} {truth} -> {guess}: {text}")
        for text in self.emergencies_missed:
            out.append(f"  MISSED EMERGENCY: {text}")
        return out


def evaluate(
    rows: Sequence[tuple[str, str]],
    predict: Callable[[str], Prediction],
    is_emergency: Callable[[Prediction], bool],
) -> Report:
    report = Report()
    for truth, text in rows:
        found = predict(text)
        report.total += 1
        report.per_label.setdefault(truth, Counter())[found.label] += 1
        if found.label == truth:
            report.right += 1
        else:
            report.mistakes.append((found.probability, truth, found.label, text))
        flagged = is_emergency(found)
        if truth == "emergency" and not flagged:
            report.emergencies_missed.append(text)
        if truth != "emergency":
            report.ordinary += 1
            if flagged:
                report.false_emergencies.append(text)
    return report
