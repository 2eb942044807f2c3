"""``community-bot nlp``: train the intent model, evaluate it, ask why it read a message as it did, and
measure how the dialogs take residents' answers (``nlp answers``: yes or no, an option, a date, a time).

What an operator needs to improve the bot from real conversations: add the messages it got wrong to a
file in ``nlp/corpus/train/`` with the right label, ``nlp train``, ``nlp eval``, and ship the new weights.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    if args.action == "conversations":
        from bot.conversation_eval import evaluate

        return evaluate(Path(args.file) if args.file else CONVERSATIONS, args.worst)
    model = IntentModel.load(Path(args.model)) if args.model else IntentModel.load()
    if args.action == "why":
        return _why(model, " ".join(args.text))
    if args.action == "answers":
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
        return _answers(Path(args.file) if args.file else ANSWERS, today, args.worst)
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


ANSWERS = Path(__file__).resolve().parent.parent / "nlp" / "corpus" / "blind_answers_2611.tsv"
CONVERSATIONS = Path(__file__).resolve().parent.parent / "nlp" / "corpus" / "blind_conversations.txt"
# the questions the answers reply to: a confirmation, read by the shared yes/no vocabulary every
# confirmation falls back on (content/answers.yaml), and the numbered choice of a consultation's way of
# counting, with the owners-only rule beside it, as the launch dialog labels them
OPTIONS = ("votes.per.person", "votes.per.household", "votes.who.owners")


def read_answer(kind: str, text: str, today: dt.date) -> str:
    """What the dialogs' parsers take ``text`` for, as the answer files write it: yes / no / unclear, an
    option's number, an ISO date, HH:MM; ``none`` when they take nothing from it."""
    import content
    from handlers.common.answers import choose, yes_or_no
    from nlp.slots import extract_date, extract_time

    if kind == "yesno":
        return {True: "yes", False: "no", None: "unclear"}[yes_or_no(text)]
    if kind == "option":
        picked = choose(text, [content.text(key) for key in OPTIONS])
        return str(picked) if picked else "none"
    if kind == "date":
        day = extract_date(text, today)
        return day.isoformat() if day else "none"
    if kind == "time":
        at = extract_time(text)
        return at.strftime("%H:%M") if at else "none"
    raise ValueError(f"unknown kind of answer {kind!r}")


def _answers(path: Path, today: dt.date, worst: int) -> int:
    """Each answer read as the dialogs read it. An answer not taken (``none`` / unclear) is asked again,
    which costs the resident a turn; a wrong one (another option, date or time, or a yes for a no) is
    worse: the bot goes on with what the resident did not say."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    outcome: dict[str, Counter[str]] = {}
    mistakes: list[str] = []
    for kind, expected, text in rows:
        got = read_answer(kind, text, today)
        missed = got in ("none", "unclear")
        verdict = "right" if got == expected else "asked again" if missed else "wrong"
        outcome.setdefault(kind, Counter())[verdict] += 1
        if verdict != "right":
            mistakes.append(f"  {verdict:<11} {kind:<6} {expected:>10} got {got:<10} {text}")
    print(f"== answers in {path.name} (today {today.isoformat()})")
    print(f"{'kind':<8}{'n':>5}{'right':>8}{'asked again':>13}{'wrong':>7}")
    for kind, counts in outcome.items():
        n = sum(counts.values())
        print(
            f"{kind:<8}{n:>5}{counts['right'] / n:>8.1%}{counts['asked again'] / n:>13.1%}"
            f"{counts['wrong'] / n:>7.1%}"
        )
    every = sum((c for c in outcome.values()), Counter())
    n = sum(every.values())
    shares = f"{every['right'] / n:>8.1%}{every['asked again'] / n:>13.1%}{every['wrong'] / n:>7.1%}"
    print(f"{'all':<8}{n:>5}{shares}")
    print("not right (wrong first):")
    mistakes.sort(key=lambda line: not line.startswith("  wrong"))
    print("\n".join(mistakes[:worst]))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlp = sub.add_parser("nlp", help="train, evaluate and explain the intent model")
    nlp.add_argument("action", choices=["train", "eval", "why", "answers", "conversations"])
    nlp.add_argument("text", nargs="*", help="why: the message")
    nlp.add_argument("--out", help="train: where to write the weights (default: the shipped model)")
    nlp.add_argument("--model", help="eval / why: a weights file other than the shipped one")
    nlp.add_argument(
        "--file",
        help="eval: a label<TAB>message file (default: nlp/corpus/heldout.tsv); answers: a "
        "kind<TAB>expected<TAB>answer file (default: nlp/corpus/blind_answers_2611.tsv); conversations: "
        "a file of whole conversations (default: nlp/corpus/blind_conversations.txt)",
    )
    nlp.add_argument("--today", help="answers: the day the answers were written for (YYYY-MM-DD)")
    nlp.add_argument("--worst", type=int, default=25, help="eval / answers / conversations: mistakes listed")
    nlp.set_defaults(func=cmd_nlp)
