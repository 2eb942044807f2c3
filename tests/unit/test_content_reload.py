"""`community-bot content reload` (SIGHUP) reads every content file again: not only the sentences and the
catalog, but also the repair categories, the wish rules and the intent keywords (and the keywords the
features add to the intents)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import content
from bot.app import classifier
from bot.content_cli import reload_in_process
from handlers.repairs.categories import categories, category_in_text
from handlers.wishes.rules import rules


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped content the process reads from; the shipped content is read again after."""
    shipped = content.path("messages.yaml").parent
    copy = tmp_path / "content"
    shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(content, "path", lambda name: copy / name)
    yield copy
    monkeypatch.undo()
    assert not reload_in_process()


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_reload_reads_categories_wish_rules_and_intent_keywords(content_copy: Path) -> None:
    classifier()  # the classifier in use, as a running server has it
    categories()
    rules()

    def add_graffiti(data: dict[str, Any]) -> None:
        data["categories"]["graffiti"] = {
            "label": "乱涂乱画",
            "kind": "complaint",
            "handler": "grid",
            "response_hours": 24,
            "resolution_hours": 72,
            "keywords": ["小广告", "涂鸦"],
        }

    def wish_changes(data: dict[str, Any]) -> None:
        data["categories"]["elderly"]["keywords"].append("遛狗")
        data["points_per_hour"] = 25

    def intent_word(data: dict[str, Any]) -> None:
        data["intents"]["human"]["keywords"]["找书记"] = 4

    edit(content_copy / "repair_categories.yaml", add_graffiti)
    edit(content_copy / "wishes.yaml", wish_changes)
    edit(content_copy / "intents.yaml", intent_word)

    # not before the reload: the running process keeps what it loaded
    assert "graffiti" not in categories()
    assert category_in_text("楼道里贴满了小广告") is None
    assert rules().category_in_text("想找人帮我遛狗").key == "other"
    assert rules().points_per_hour != 25
    assert classifier().rules.classify("门口贴满了小广告").intent is None
    assert classifier().rules.classify("找书记").intent is None

    assert reload_in_process() == []

    found = category_in_text("楼道里贴满了小广告")
    assert found is not None and found.key == "graffiti" and found.label == "乱涂乱画"
    assert rules().category_in_text("想找人帮我遛狗").key == "elderly"
    assert rules().points_per_hour == 25
    # a complaint category's word, via the feature; an intent word, from intents.yaml
    assert classifier().rules.classify("门口贴满了小广告").intent == "complaint"
    assert classifier().classify("找书记").intent == "human"
