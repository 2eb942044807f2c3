"""The one way a workflow refuses: a broken rule, named by the sentence that explains it to a person."""

from __future__ import annotations

import content


class RuleBroken(Exception):
    """``key`` names the sentence in content/messages.yaml; ``values`` fill it in."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self) -> str:
        return content.text(self.key, **self.values)
