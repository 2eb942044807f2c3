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

class ConsultationStatus(StrEnum):
    OPEN = 'open'
    CLOSED = 'closed'
    CANCELLED = 'cancelled'


class PassRule(StrEnum):
    MAJORITY = 'majority'
    TWO_THIRDS = 'two_thirds'
    THREE_QUARTERS = 'three_quarters'
    PLURALITY = 'plurality'


class Per(StrEnum):
    PERSON = 'person'
    HOUSEHOLD = 'household'


class Who(StrEnum):
    RESIDENTS = 'residents'
    OWNERS = 'owners'


class RoleName(StrEnum):
    RESIDENT = 'resident'
    VOLUNTEER = 'volunteer'
    PARTY_MEMBER = 'party_member'
    COMMITTEE = 'committee'
    GRID_WORKER = 'grid_worker'
    PROPERTY_STAFF = 'property_staff'
    MEDIATOR = 'mediator'
    OWNER = 'owner'

class Migration(migrations.Migration):
    dependencies = [('models', '0004_wishes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Consultation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='consultations', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=64)),
                ('background', fields.TextField(default='', unique=False)),
                ('options', fields.JSONField(description='the option labels, in order', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('max_choices', fields.IntField(default=1, description='1: single choice')),
                ('buildings', fields.JSONField(default=list, description='building numbers, empty for the community', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('who', fields.CharEnumField(default=Who.RESIDENTS, description='RESIDENTS: residents\nOWNERS: owners', enum_type=Who, max_length=10)),
                ('per', fields.CharEnumField(default=Per.PERSON, description='PERSON: person\nHOUSEHOLD: household', enum_type=Per, max_length=10)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('quorum', fields.FloatField(default=0.0, description='share of the eligible who must take part')),
                ('rule', fields.CharEnumField(default=PassRule.MAJORITY, description='MAJORITY: majority\nTWO_THIRDS: two_thirds\nTHREE_QUARTERS: three_quarters\nPLURALITY: plurality', enum_type=PassRule, max_length=16)),
                ('approve_option', fields.IntField(null=True, description='the option meaning yes, none to choose a plan')),
                ('status', fields.CharEnumField(default=ConsultationStatus.OPEN, description='OPEN: open\nCLOSED: closed\nCANCELLED: cancelled', enum_type=ConsultationStatus, max_length=10)),
                ('status_note', fields.TextField(default='', description='the reason of the last extension or the cancel', unique=False)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='consultations_created', on_delete=OnDelete.SET_NULL)),
                ('proposal_id', fields.IntField(null=True, description='the resident proposal it came from')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result', fields.JSONField(null=True, description='the published result, written once at the close', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'consultation', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('models.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='consultation_comments', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consultation_comment', 'app': 'models', 'pk_attr': 'id', 'table_description': "A resident's opinion on a consultation, published at the close without a name."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Proposal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharField(default='new', description='new, adopted or dismissed', max_length=12)),
                ('source_key', fields.CharField(unique=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'proposal', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A topic a resident suggests ("我建议..."), which the committee may turn into a consultation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoteSlot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('models.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(description='p:<person id> or h:<home id>', max_length=24)),
                ('holder', fields.ForeignKeyField('models.Person', source_field='holder_id', db_constraint=True, to_field='id', related_name='vote_slots', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'vote_slot', 'app': 'models', 'unique_together': (('consultation', 'key'),), 'pk_attr': 'id', 'table_description': 'The one vote a person (or a household) has in a consultation, held by whoever cast it first. Its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('models.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('slot', fields.ForeignKeyField('models.VoteSlot', source_field='slot_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('voter', fields.ForeignKeyField('models.Person', source_field='voter_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('proxy_by', fields.ForeignKeyField('models.Person', source_field='proxy_by_id', null=True, db_constraint=True, to_field='id', related_name='proxy_ballots', on_delete=OnDelete.SET_NULL)),
                ('choices', fields.JSONField(description='option indexes, 0-based, ascending', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('source_key', fields.CharField(unique=True, description='the message or request, once', max_length=128)),
                ('cast_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ballot', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The append-only log. A ballot is never changed: a changed vote is a newer ballot of the same slot,'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='InviteCode',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator\nOWNER: owner', enum_type=RoleName, max_length=20),
        ),
        ops.AlterField(
            model_name='Role',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator\nOWNER: owner', enum_type=RoleName, max_length=20),
        ),
    ]
