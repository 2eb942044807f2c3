"""A resident's turn records when they last wrote, creating them on first contact, in one statement."""

from __future__ import annotations

import datetime as dt

from storage.models import Person
from storage.people import touch

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


async def test_first_contact_creates_the_person_as_the_model_would(database: str) -> None:
    person = await touch("o-new", NOW, known=False)
    stored = await Person.get(openid="o-new")
    assert person.id == stored.id
    assert (stored.name, stored.following, stored.community_id, stored.home_id) == ("", True, None, None)
    assert stored.last_message_at == NOW and stored.created_at is not None
    assert person.last_message_at == NOW


async def test_a_known_person_is_touched_and_keeps_everything_else(database: str) -> None:
    first = await touch("o-1", NOW, known=False)
    await Person.filter(id=first.id).update(name="王阿姨", phone="13800000000")
    later = NOW + dt.timedelta(hours=2)
    for known in (True, False):  # False: the turn store forgot them; the row is updated, not doubled
        person = await touch("o-1", later, known=known)
        assert (person.id, person.name, person.phone) == (first.id, "王阿姨", "13800000000")
        assert person.last_message_at == later
        later += dt.timedelta(hours=1)
    assert await Person.filter(openid="o-1").count() == 1
    assert (await Person.get(openid="o-1")).last_message_at == NOW + dt.timedelta(hours=3)


async def test_a_person_known_to_the_turn_store_but_gone_is_created_again(database: str) -> None:
    gone = await touch("o-2", NOW, known=False)
    await Person.filter(id=gone.id).delete()
    person = await touch("o-2", NOW, known=True)
    assert person.id != gone.id
    assert await Person.filter(openid="o-2").count() == 1
