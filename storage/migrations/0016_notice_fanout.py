from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_figures')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NoticeFanout',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.OneToOneField('models.Notice', source_field='notice_id', db_constraint=True, to_field='id', related_name='fanout', on_delete=OnDelete.CASCADE)),
                ('priority', fields.SmallIntField(description="the outbox's: urgent notices are expanded first")),
                ('after_person', fields.IntField(default=0, description='the last person given a row so far')),
                ('recorded', fields.IntField(default=0, description='outbox rows offered so far')),
                ('batches', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice_fanout', 'app': 'models', 'indexes': [Index(fields=['finished_at', 'priority', 'id'])], 'pk_attr': 'id', 'table_description': "A published notice's audience, still to be turned into outbox rows: the outbox workers take it a"},
            bases=['Model'],
        ),
    ]
