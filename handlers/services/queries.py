"""What the services' chat and API read: which community's catalog a resident (or a path) is answered from."""

from __future__ import annotations

from typing import Any

from tortoise.signals import post_save

from storage.db import first_by
from storage.models import Community, Person

DEFAULT = "_default"  # the catalog of a resident not bound to a community yet

# community id -> code, read once per process: a community's code never changes and an id is never given
# to another community (PostgreSQL's sequences, SQLite's AUTOINCREMENT); forgotten whenever a community is
# saved, so that tests restarting the ids (and any future rename) are read anew
_codes: dict[int, str] = {}


@post_save(Community)
async def _forget_codes(*_: Any) -> None:
    _codes.clear()


async def catalog_code(person: Person) -> str:
    """The code of the resident's community, whose catalog answers them; DEFAULT when unbound."""
    if person.community_id is None:
        return DEFAULT
    code = _codes.get(person.community_id)
    if code is None:
        community = await first_by(Community, "id", person.community_id)
        if community is None:
            return DEFAULT
        code = _codes[person.community_id] = community.code
    return code
