"""The one way a workflow refuses: a broken rule, named by the sentence that explains it to a person.

Workflows raise ``Refusal``; nobody translates it per call. The chat runtime (``bot.runtime``) answers
it with its sentence and clears the dialog, or keeps it when the refusal says ``keep=True`` (the person
may simply answer again); the API (``bot.api.server``) answers it with the status the route's slice
declares for its key (``Routes(refusals=...)``, which also feeds the OpenAPI error list), 422 otherwise.
"""

from __future__ import annotations

import content


class Refusal(Exception):
    """``key`` names the sentence in content/messages.yaml; ``values`` fill it in."""

    def __init__(self, key: str, /, *, keep: bool = False, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.keep = keep
        self.values = values

    def text(self) -> str:
        return content.text(self.key, **self.values)
