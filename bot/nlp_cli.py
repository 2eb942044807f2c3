"""``community-bot nlp``: train the intent model, evaluate it, and ask why it read a message as it did.

What an operator needs to improve the bot from real conversations: add the messages it got wrong to a
file in ``nlp/corpus/train/`` with the right label, ``nlp train``, ``nlp eval``, and ship the new weights.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from nlp import train as training
from nlp.model import MODEL_PATH, IntentModel
from nlp.understand import EMERGENCY_AT, LABEL_INTENT, REFINES, Understanding

# the workflow each intent starts, named as the corpus labels them (for the routing figures): the model's
# labels and the rules' refinements of them, and two rule intents that no label names
WORKFLOW = (
    {intent: label for label, intent in LABEL_INTENT.items()}
    | {intent: label for label, refined in REFINES.items() for intent in refined}
    | {"my_info": "bind", "help": "smalltalk"}
)


def understanding(model: IntentModel) -> Understanding:
    from bot.app import classifier

    current = classifier()
    return Understanding(current.rules, model, current.signals)


def cmd_nlp(args: argparse.Namespace) -> int:
    if args.action == "train":
        rows = training.training_rows()
        out = Path(args.out) if args.out else MODEL_PATH
        model = training.fit(rows)
        model.save(out)
        print(f"trained on {len(rows)} messages: {len(model.vocabulary)} features")
        print(f"softmax temperature (fitted out of fold): {model.temperature}")
        print(f"wrote {out}")
        return 0
    model = IntentModel.load(Path(args.model)) if args.model else IntentModel.load()
    if args.action == "why":
        return _why(model, " ".join(args.text))
    return _eval(model, Path(args.file) if args.file else training.HELDOUT, args.worst)


def _why(model: IntentModel, text: str) -> int:
    found = understanding(model).classify(text)
    prediction = model.predict(text)
    print(f"message:   {text}")
    offered = ", ".join(found.candidates) or "-"
    print(f"intent:    {found.intent or '-'}  ({found.source}; candidates: {offered})")
    print(
        f"emergency: {found.emergency} (p={prediction.probability_of('emergency'):.2f}, bar {EMERGENCY_AT})"
    )
    print("model:     " + "  ".join(f"{label} {p:.2f}" for label, p in prediction.ranked[:4]))
    print(f"features that decided {prediction.label}:")
    for gram, push in model.explain(text, prediction.label):
        print(f"  {gram!r:>10} {push:+.3f}")
    return 0


def _eval(model: IntentModel, path: Path, worst: int) -> int:
    rows = training.read_tsv(path)
    report = training.evaluate(rows, model.predict, lambda p: p.probability_of("emergency") >= EMERGENCY_AT)
    print(f"== the model alone on {path.name}")
    print("\n".join(report.lines(worst)))
    understand = understanding(model)
    outcome: Counter[str] = Counter()
    wrong: list[str] = []
    for truth, text in rows:
        found = understand.classify(text)
        if found.intent is not None:
            ok = WORKFLOW.get(found.intent) == truth
            outcome["right" if ok else "wrong"] += 1
            if not ok:
                wrong.append(f"  {truth} -> {found.intent} ({found.source}): {text}")
        elif found.candidates:
            outcome[
                "asked, right one offered"
                if any(WORKFLOW.get(c) == truth for c in found.candidates)
                else "wrong"
            ] += 1
        else:
            outcome["not understood"] += 1
    total = len(rows)
    print(f"\n== the bot's first reply (rules + model) on {total} messages")
    for key in ("right", "asked, right one offered", "not understood", "wrong"):
        print(f"{key:<26} {outcome[key]:>5} {outcome[key] / total:>7.1%}")
    print("routed wrong:")
    print("\n".join(wrong[:worst]))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlp = sub.add_parser("nlp", help="train, evaluate and explain the intent model")
    nlp.add_argument("action", choices=["train", "eval", "why"])
    nlp.add_argument("text", nargs="*", help="why: the message")
    nlp.add_argument("--out", help="train: where to write the weights (default: the shipped model)")
    nlp.add_argument("--model", help="eval / why: a weights file other than the shipped one")
    nlp.add_argument("--file", help="eval: a label<TAB>message file (default: nlp/corpus/heldout.tsv)")
    nlp.add_argument("--worst", type=int, default=25, help="eval: how many mistakes to list")
    nlp.set_defaults(func=cmd_nlp)
