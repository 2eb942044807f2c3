from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The enums as they were when this migration was written: a migration must not change meaning when
# the code's enums do (a later migration records a later change).

class NotificationStatus(StrEnum):
    PENDING = 'pending'
    SENDING = 'sending'
    SENT = 'sent'
    FAILED = 'failed'
    UNDELIVERABLE = 'undeliverable'
    UNKNOWN = 'unknown'

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, description='the same notification is recorded once', max_length=128)),
                ('text', fields.TextField(description='the customer-service message', unique=False)),
                ('template', fields.CharField(default='', description='content/notifications.yaml key', max_length=64)),
                ('template_data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=NotificationStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed\nUNDELIVERABLE: undeliverable\nUNKNOWN: unknown', enum_type=NotificationStatus, max_length=16)),
                ('channel', fields.CharField(default='', description='custom or template, once sent', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'The outbox, delivered by ``bot.outbox``, written in the same transaction as the change it tells of.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Person',
            name='openid',
            field=fields.CharField(null=True, unique=True, description='Official Account openid (none: mini-program only)', max_length=64),
        ),
        ops.AddField(
            model_name='Person',
            name='mp_openid',
            field=fields.CharField(null=True, unique=True, description='mini-program openid', max_length=64),
        ),
    ]
