"""Data, not code: every user-facing sentence, intent keywords, the jieba dictionary, demo data.

Sentences are keyed templates in ``messages.yaml``; ``text("key", name=...)`` renders one with
``str.format``. A missing key or placeholder raises at once: it is a bug, not something to show a resident.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_PACKAGE = "content"


def path(name: str) -> Path:
    """The file ``name`` inside the content package (installed or in the source tree)."""
    return Path(str(resources.files(_PACKAGE).joinpath(name)))


# libyaml's safe loader where PyYAML was built with it: the content loads in a tenth of the time, which
# every process (a worker, a CLI command, a test's subprocess) pays once at start
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(stream: Any) -> Any:
    """YAML text or an open file, read safely (tags of plain data only)."""
    return yaml.load(stream, Loader=_LOADER)


@functools.cache
def load_yaml(name: str) -> Any:
    with path(name).open(encoding="utf-8") as fh:
        return read_yaml(fh)


def messages() -> dict[str, str]:
    data = load_yaml("messages.yaml")
    assert isinstance(data, dict)
    return data


def text(key: str, /, **values: Any) -> str:
    """Render the template ``key`` with ``values``."""
    template = messages()[key]
    return template.format(**values).strip("\n") if values else template.strip("\n")


def numbered(options: list[str]) -> str:
    """``1 A  2 B`` on one line when short, one per line when long."""
    items = [f"{i} {label}" for i, label in enumerate(options, start=1)]
    one_line = "  ".join(items)
    return one_line if len(one_line) <= 28 else "\n".join(items)
