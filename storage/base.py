"""The base of every table: tortoise's Model without reading each class's source at import.

Tortoise reads a model's source (``inspect.getsource``) to find ``#:`` field comments unless the class
says ``_no_comments``; our models document their fields in plain comments, so that read only cost every
process about 0.3 s at start (a worker, each CLI command, each test's subprocess).
"""

from __future__ import annotations

from typing import Any

from tortoise.models import Model as _TortoiseModel
from tortoise.models import ModelMeta


class _Meta(ModelMeta):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        attrs.setdefault("_no_comments", True)
        return super().__new__(mcs, name, bases, attrs)


class Model(_TortoiseModel, metaclass=_Meta):
    class Meta:
        abstract = True
