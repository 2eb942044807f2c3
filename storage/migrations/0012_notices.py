from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from enum import StrEnum
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Audience(StrEnum):
    COMMUNITY = "community"
    BUILDINGS = "buildings"
    GRIDS = "grids"
    ROLES = "roles"
    CARE = "care"


class NoticeStatus(StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


# The outbox's new columns get database defaults: the rows already there take them.
class Migration(migrations.Migration):
    dependencies = [('models', '0011_audit_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('link', fields.CharField(default='', description='an image or an attachment, as a URL', max_length=500)),
                ('audience', fields.CharEnumField(default=Audience.COMMUNITY, description='COMMUNITY: community\nBUILDINGS: buildings\nGRIDS: grids\nROLES: roles\nCARE: care', enum_type=Audience, max_length=12)),
                ('targets', fields.JSONField(default=list, description='buildings, grid ids, roles or care needs', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('urgent', fields.BooleanField(default=False, description='sent before everything else waiting')),
                ('public', fields.BooleanField(default=False, description="on the community's public page")),
                ('receipt', fields.BooleanField(default=False, description='residents are asked to reply 1 (收到)')),
                ('receipt_hours', fields.FloatField(default=0, description='then the grid workers get who of those with care needs has not confirmed')),
                ('publish_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=NoticeStatus.SCHEDULED, description='SCHEDULED: scheduled\nPUBLISHED: published', enum_type=NoticeStatus, max_length=12)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recipients', fields.IntField(default=0, description='how many residents it was sent to')),
                ('followed_up_at', fields.DatetimeField(null=True, description='when the grid workers were given the list', auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='notices_written', on_delete=OnDelete.SET_NULL)),
                ('source_key', fields.CharField(unique=True, description='one notice per message or key', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status', 'published_at'])], 'pk_attr': 'id', 'table_description': 'A notice written by the committee or the street office.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeReceipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.ForeignKeyField('models.Notice', source_field='notice_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='notice_receipts', on_delete=OnDelete.CASCADE)),
                ('said', fields.CharField(default='', description='as they said it: 1, 收到, or api', max_length=16)),
                ('confirmed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice_receipt', 'app': 'models', 'unique_together': (('notice', 'person'),), 'pk_attr': 'id', 'table_description': 'A resident said they received a notice (收到, 1).'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Notification',
            name=None,
            fields=['status', 'next_attempt_at'],
        ),
        ops.AddField(
            model_name='Notification',
            name='priority',
            field=fields.SmallIntField(default=5, description='lower goes first: 0 urgent notices, 5 everything else, 9 routine notices', db_default=5),
        ),
        ops.AddField(
            model_name='Notification',
            name='topic',
            field=fields.CharField(default='', description='what a mass sending belongs to (notice:12)', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Notification',
            name='worker',
            field=fields.CharField(default='', description='the worker that reserved or claimed it last', db_default='', max_length=32),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['status', 'priority', 'next_attempt_at']),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['topic']),
        ),
    ]
