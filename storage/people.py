"""One person's rows handed to another (two identities of one resident merged): every feature's foreign
keys to ``person`` are found from the registered models, so a new feature's tables are covered too."""

from __future__ import annotations

from tortoise import Tortoise
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
