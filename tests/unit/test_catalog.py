"""The catalog's layers: the default, a community's shipped changes, the deployment's own; reload keeps the
catalog in use when the new one has errors; a broken file at start falls back to the shipped catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.services import catalog


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "services"
    folder.mkdir()
    catalog.configure(tmp_path)
    yield folder
    catalog.configure(None)


def test_layers_apply_in_order(local: Path) -> None:
    (local / "xingfuli.yaml").write_text(
        "office: {phone: 0871-65559999}\nentries:\n  legal_aid: {when: 每周三下午}\nremove: [utilities]\n",
        encoding="utf-8",
    )
    found = catalog.catalog("xingfuli")
    assert found.office.phone == "0871-65559999"  # the deployment's own, over the shipped 0871-65550000
    assert found.office.hours["saturday"]  # the shipped change kept where not overridden
    assert found.entries["legal_aid"].when == "每周三下午" and found.entries["legal_aid"].phone == "12348"
    assert "utilities" not in found.entries and "lift_retrofit" in found.entries
    assert "lift_retrofit" not in catalog.catalog("hepingcun").entries


def test_reload_keeps_the_catalog_in_use_when_the_new_one_is_broken(local: Path) -> None:
    before = catalog.catalog("xingfuli")
    (local / "xingfuli.yaml").write_text("entries:\n  legal_aid: {phone: 'not a phone'}\n", encoding="utf-8")
    problems = catalog.reload(["xingfuli"])
    assert any(p.error and "not a phone number" in p.message for p in problems)
    assert catalog.catalog("xingfuli") is before
    (local / "xingfuli.yaml").write_text("entries:\n  legal_aid: {phone: '12348'}\n", encoding="utf-8")
    assert not [p for p in catalog.reload(["xingfuli"]) if p.error]
    assert catalog.catalog("xingfuli") is not before


def test_a_broken_file_at_start_falls_back_to_the_shipped_catalog(local: Path) -> None:
    (local / "xingfuli.yaml").write_text("entries:\n  broken: {name: 半截}\n", encoding="utf-8")
    found = catalog.catalog("xingfuli")
    assert "broken" not in found.entries and found.office.phone == "0871-65550000"
