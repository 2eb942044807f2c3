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
