from tortoise import migrations
from tortoise.migrations import operations as ops


# SQLite rebuilds a table to alter a column, and the rebuild of "role" (its enum grew in 0003 and 0008)
# dropped the unique (person, community, role): one person could hold a role twice there. Duplicates are
# removed (the oldest kept) and the uniqueness restored as an index; PostgreSQL kept its constraint.
async def restore(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    await client.execute_script(
        'DELETE FROM "role" WHERE "id" NOT IN '
        '(SELECT MIN("id") FROM "role" GROUP BY "person_id", "community_id", "role")'
    )
    await client.execute_script(
        'CREATE UNIQUE INDEX IF NOT EXISTS "uid_role_person_community_role" '
        'ON "role" ("person_id", "community_id", "role")'
    )


class Migration(migrations.Migration):
    dependencies = [('models', '0009_ballot_review')]

    initial = False

    operations = [ops.RunPython(restore, ops.RunPython.noop)]
