"""The community code a resident's catalog is read from, kept per process: right after a community is made
(even under an id a test's fresh tables gave before), and DEFAULT for the unbound."""

from __future__ import annotations

from handlers.services.queries import DEFAULT, catalog_code
from storage.models import Community, Person


async def test_the_code_follows_the_community_saved_under_an_id(database: str) -> None:
    first = await Community.create(code="first", name="第一社区")
    resident = await Person.create(openid="o-code-1", community_id=first.id)
    assert await catalog_code(resident) == "first"
    assert await catalog_code(await Person.create(openid="o-code-2")) == DEFAULT
    await Person.filter(id=resident.id).update(community_id=None)
    await Community.filter(id=first.id).delete()
    second = await Community.create(id=first.id, code="second", name="第二社区")  # the id given again
    resident = await Person.create(openid="o-code-3", community_id=second.id)
    assert await catalog_code(resident) == "second"
