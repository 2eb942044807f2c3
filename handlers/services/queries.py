"""What the services' chat and API read: which community's catalog a resident (or a path) is answered from."""

from __future__ import annotations

from storage.db import first_by
from storage.models import Community, Person

DEFAULT = "_default"  # the catalog of a resident not bound to a community yet


async def catalog_code(person: Person) -> str:
    """The code of the resident's community, whose catalog answers them; DEFAULT when unbound."""
    if person.community_id is None:
        return DEFAULT
    community = await first_by(Community, "id", person.community_id)
    return community.code if community is not None else DEFAULT
