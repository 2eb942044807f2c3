from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_role_unique_on_sqlite')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(description="the page's name: tickets.accept, signin.qr ...", max_length=48)),
                ('target', fields.CharField(default='', description='what it acted on: R2611-0012 ...', max_length=64)),
                ('outcome', fields.CharField(default='ok', description='ok, refused or forbidden', max_length=16)),
                ('detail', fields.CharField(default='', description='a short note: the refusal key ...', max_length=255)),
                ('address', fields.CharField(default='', description="the client's address", max_length=64)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['community_id', 'at'])], 'pk_attr': 'id', 'table_description': 'A staff action in the console (and its sign-ins): who, what, on what, when and from where.'},
            bases=['Model'],
        ),
    ]
