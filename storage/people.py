"""One person's rows handed to another (two identities of one resident merged): every feature's foreign
keys to ``person`` are found from the registered models, so a new feature's tables are covered too."""

from __future__ import annotations

import datetime as dt

from tortoise import Tortoise, connections, timezone
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from storage.models import Person


def person_references() -> list[tuple[type[Model], str]]:
    """(model, column) for every foreign key to Person, Person's own excepted."""
    found = []
    for model in Tortoise.apps["models"].values():
        if model is Person:
            continue
        for name in sorted(model._meta.fk_fields):
            if model._meta.fields_map[name].related_model is Person:
                found.append((model, f"{name}_id"))
    return found


async def reassign(source: Person, target: Person) -> None:
    """Point every row of ``source`` at ``target``. A row that would repeat one ``target`` already has
    (the same role twice, following the same ticket twice) is dropped instead. Call in a transaction."""
    for model, column in person_references():
        try:
            async with in_transaction():  # a savepoint: a unique clash undoes only this update
                await model.filter(**{column: source.id}).update(**{column: target.id})
            continue
        except IntegrityError:
            pass
        for row in await model.filter(**{column: source.id}):
            try:
                async with in_transaction():
                    await model.filter(pk=row.pk).update(**{column: target.id})
            except IntegrityError:
                await model.filter(pk=row.pk).delete()


# A resident's turn records when they last wrote (WeChat's 48-hour window) in one statement: the row comes
# back from the write itself, and first contact creates it in the same statement (no read, no transaction).
_UPSERT = (
    'INSERT INTO "person" ("openid", "name", "following", "last_message_at", "created_at") '
    "VALUES ({0}, {1}, {2}, {3}, {4}) "
    'ON CONFLICT ("openid") DO UPDATE SET "last_message_at" = excluded."last_message_at" RETURNING *'
)
_UPDATE = 'UPDATE "person" SET "last_message_at" = {0} WHERE "openid" = {1} RETURNING *'


async def _one_row(template: str, values: list[object]) -> Person | None:
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    marks = [f"${n}" if postgres else "?" for n in range(1, len(values) + 1)]
    # execute_query_dict: Tortoise's asyncpg execute_query drops what an INSERT or UPDATE returns
    rows = await conn.execute_query_dict(template.format(*marks), values)
    return Person._init_from_db(**rows[0]) if rows else None


async def touch(openid: str, now: dt.datetime, *, known: bool) -> Person:
    """The person behind ``openid`` with ``last_message_at = now``, created on first contact. ``known``:
    they have written before (an UPDATE, which leaves the id sequence alone); otherwise, or when the row is
    gone, an INSERT that updates on conflict. Either way one statement."""
    fields = Person._meta.fields_map
    when = fields["last_message_at"].to_db_value(now, Person)
    if known and (person := await _one_row(_UPDATE, [when, openid])) is not None:
        return person
    created = fields["created_at"].to_db_value(timezone.now(), Person)
    person = await _one_row(_UPSERT, [openid, "", True, when, created])
    assert person is not None  # RETURNING gives the inserted or updated row
    return person


def is_placeholder(person: Person) -> bool:
    """A person known only from the register or a grant by phone: nobody has written to us as them yet."""
    return person.openid is None and person.mp_openid is None


async def staff_by_phone(phone: str, name: str = "") -> Person:
    """The person a phone number stands for when the committee names staff by phone (the register's grid
    workers, ``staff grant --phone``): the one whose phone WeChat itself verified, else the placeholder kept
    for that number (created now). A phone a follower merely typed is never trusted: the placeholder is
    merged into whoever later proves the number (see handlers.register)."""
    verified = await Person.filter(phone=phone, phone_verified_at__not_isnull=True).first()
    if verified is not None:
        return verified
    placeholder = await Person.filter(phone=phone, openid=None, mp_openid=None).first()
    if placeholder is None:
        placeholder = await Person.create(openid=None, mp_openid=None, name=name, phone=phone)
    elif name and not placeholder.name:
        placeholder.name = name
        await placeholder.save(update_fields=["name"])
    return placeholder
