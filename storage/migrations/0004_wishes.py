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

class Beneficiary(StrEnum):
    SELF = 'self'
    FAMILY = 'family'


class ClaimStatus(StrEnum):
    ACTIVE = 'active'
    LAPSED = 'lapsed'
    RELEASED = 'released'
    ENDED = 'ended'
    DONE = 'done'


class WishStatus(StrEnum):
    SUBMITTED = 'submitted'
    CHANGES = 'changes'
    DECLINED = 'declined'
    OPEN = 'open'
    CLAIMED = 'claimed'
    FULFILLED = 'fulfilled'
    CONFIRMED = 'confirmed'
    WITHDRAWN = 'withdrawn'

class Migration(migrations.Migration):
    dependencies = [('models', '0003_tickets')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Wish',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='wishes', on_delete=OnDelete.CASCADE)),
                ('resident', fields.ForeignKeyField('models.Person', source_field='resident_id', db_constraint=True, to_field='id', related_name='wishes', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(description='content/wishes.yaml key', max_length=16)),
                ('description', fields.TextField(description='as the resident wrote it: never shown on the board', unique=False)),
                ('public_text', fields.TextField(description='what the board shows: personal data masked, edited by review', unique=False)),
                ('beneficiary', fields.CharEnumField(default=Beneficiary.SELF, description='SELF: self\nFAMILY: family', enum_type=Beneficiary, max_length=8)),
                ('relation', fields.CharField(default='', description='the family member, as said', max_length=16)),
                ('wanted_by', fields.DateField(null=True)),
                ('display_name', fields.CharField(default='', description='empty: anonymous on the board', max_length=16)),
                ('flags', fields.JSONField(default=list, description='personal data kinds and sensitive words found', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=WishStatus.SUBMITTED, db_index=True, description='SUBMITTED: submitted\nCHANGES: changes\nDECLINED: declined\nOPEN: open\nCLAIMED: claimed\nFULFILLED: fulfilled\nCONFIRMED: confirmed\nWITHDRAWN: withdrawn', enum_type=WishStatus, max_length=12)),
                ('priority', fields.BooleanField(default=False, description='back on the board after a lapsed claim')),
                ('review_note', fields.TextField(default='', unique=False)),
                ('source_key', fields.CharField(unique=True, description='the message that filed it, once', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fulfilled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirm_reminded', fields.BooleanField(default=False)),
                ('rating', fields.IntField(null=True)),
                ('thanks', fields.TextField(default='', unique=False)),
                ('story_consent', fields.BooleanField(default=False, description='the resident lets the story be published')),
            ],
            options={'table': 'wish', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status', 'category'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.CASCADE)),
                ('volunteer', fields.ForeignKeyField('models.Person', source_field='volunteer_id', null=True, db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.SET_NULL)),
                ('volunteer_name', fields.CharField(description='kept as it was when served', max_length=32)),
                ('team', fields.CharField(default='', max_length=32)),
                ('wish', fields.ForeignKeyField('models.Wish', source_field='wish_id', db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.CASCADE)),
                ('activity', fields.CharField(max_length=128)),
                ('served_on', fields.DateField()),
                ('hours', fields.FloatField()),
                ('points', fields.IntField()),
                ('confirmed_by', fields.ForeignKeyField('models.Person', source_field='confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name='confirmed_services', on_delete=OnDelete.SET_NULL)),
                ('confirmed_as', fields.CharField(description='resident or committee', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'service_record', 'app': 'models', 'unique_together': (('wish', 'volunteer'),), 'pk_attr': 'id', 'table_description': '志愿服务记录: who served, what, when, how long, the points, and who confirmed it. Written once per'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WishClaim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('wish', fields.ForeignKeyField('models.Wish', source_field='wish_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.CASCADE)),
                ('claimer', fields.ForeignKeyField('models.Person', source_field='claimer_id', db_constraint=True, to_field='id', related_name='wish_claims', on_delete=OnDelete.CASCADE)),
                ('team', fields.CharField(default='', description='the group claiming, if any', max_length=32)),
                ('status', fields.CharEnumField(default=ClaimStatus.ACTIVE, db_index=True, description='ACTIVE: active\nLAPSED: lapsed\nRELEASED: released\nENDED: ended\nDONE: done', enum_type=ClaimStatus, max_length=10)),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('contact_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('contacted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminders', fields.IntField(default=0)),
                ('fulfilled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', description="what was done, in the claimer's words", unique=False)),
                ('hours', fields.FloatField(default=0)),
                ('served_by', fields.JSONField(default=list, description='ids of the people who served (group claims)', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wish_claim', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One claim of a wish by a volunteer or party member, alone or for a group (a party branch, a team).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WishEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('wish', fields.ForeignKeyField('models.Wish', source_field='wish_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='wish_events', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=16)),
                ('from_status', fields.CharField(default='', max_length=12)),
                ('to_status', fields.CharField(default='', max_length=12)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wish_event', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WishPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('wish', fields.ForeignKeyField('models.Wish', source_field='wish_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('media_id', fields.CharField(default='', max_length=128)),
                ('content_type', fields.CharField(default='', max_length=64)),
                ('data', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wish_photo', 'app': 'models', 'pk_attr': 'id', 'table_description': "The volunteer's photo of the service done."},
            bases=['Model'],
        ),
    ]
