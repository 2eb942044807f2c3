from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

# the enums as they were when this migration was written (frozen here, not imported from the models)
class Audience(StrEnum):
    RESIDENTS = "residents"
    VOLUNTEERS = "volunteers"
    PARTY_MEMBERS = "party_members"
    BUILDINGS = "buildings"


class ActivityStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class SurveyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Who(StrEnum):
    RESIDENTS = "residents"
    OWNERS = "owners"


class Per(StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"


class Migration(migrations.Migration):
    dependencies = [('models', '0012_notices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=64)),
                ('description', fields.TextField(default='', unique=False)),
                ('place', fields.CharField(max_length=128)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('capacity', fields.IntField(description='places, the waiting list beyond')),
                ('audience', fields.CharEnumField(default=Audience.RESIDENTS, description='RESIDENTS: residents\nVOLUNTEERS: volunteers\nPARTY_MEMBERS: party_members\nBUILDINGS: buildings', enum_type=Audience, max_length=16)),
                ('buildings', fields.JSONField(default=list, description='building numbers, for a buildings audience', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('signup_deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('volunteer_service', fields.BooleanField(default=False, description='attendance enters the service record')),
                ('hours', fields.FloatField(default=0, description='service hours of an attendance')),
                ('points', fields.IntField(default=0, description='service points of an attendance')),
                ('status', fields.CharEnumField(default=ActivityStatus.OPEN, description='OPEN: open\nCANCELLED: cancelled', enum_type=ActivityStatus, max_length=10)),
                ('status_note', fields.TextField(default='', description='why it was cancelled', unique=False)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='activities_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, description='when those signed up were reminded', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'activity', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Signup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('models.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='signups', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='activity_signups', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='CONFIRMED: confirmed\nWAITING: waiting\nCANCELLED: cancelled', enum_type=SignupStatus, max_length=10)),
                ('code', fields.CharField(description='shown or said at the venue to check in', max_length=8)),
                ('queued_at', fields.DatetimeField(description="signed up (again): the waiting list's order", auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_by', fields.ForeignKeyField('models.Person', source_field='checked_in_by_id', null=True, db_constraint=True, to_field='id', related_name='activity_checkins', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'activity_signup', 'app': 'models', 'unique_together': (('activity', 'person'), ('activity', 'code')), 'pk_attr': 'id', 'table_description': "One person's sign-up. Whether it has a place is decided with the activity's row locked, so that"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Survey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=64)),
                ('intro', fields.TextField(default='', unique=False)),
                ('questions', fields.JSONField(description='[{kind, text, options, topic}], in order', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('buildings', fields.JSONField(default=list, description='building numbers, empty for the community', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('who', fields.CharEnumField(default=Who.RESIDENTS, description='RESIDENTS: residents\nOWNERS: owners', enum_type=Who, max_length=10)),
                ('per', fields.CharEnumField(default=Per.PERSON, description='PERSON: person\nHOUSEHOLD: household', enum_type=Per, max_length=10)),
                ('anonymous', fields.BooleanField(default=True, description='answers are kept apart from who gave them')),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=SurveyStatus.OPEN, description='OPEN: open\nCLOSED: closed\nCANCELLED: cancelled', enum_type=SurveyStatus, max_length=10)),
                ('standing_key', fields.CharField(null=True, unique=True, description='quarterly:2026Q4:<community> for the standing one', max_length=48)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='surveys_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result', fields.JSONField(null=True, description='the published result, written once at the close', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'survey', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('models.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.SET_NULL)),
                ('answers', fields.JSONField(description='per question: 1-5, an option index, indexes, or text', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('submitted_on', fields.DateField()),
            ],
            options={'table': 'survey_response', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One set of answers, in the order of the questions. Of an anonymous survey neither the person nor'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveySlot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('models.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(description='p:<person id>, hh:<household id> or h:<home id>', max_length=24)),
                ('holder', fields.ForeignKeyField('models.Person', source_field='holder_id', db_constraint=True, to_field='id', related_name='survey_slots', on_delete=OnDelete.CASCADE)),
                ('source_key', fields.CharField(description='the message or request that answered', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_slot', 'app': 'models', 'unique_together': (('survey', 'key'),), 'pk_attr': 'id', 'table_description': 'The one answer a person (or a household) has in a survey, held by whoever answered first: its'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='ServiceRecord',
            name='confirmed_as',
            field=fields.CharField(description='resident, committee or checkin', max_length=16),
        ),
        ops.AlterField(
            model_name='ServiceRecord',
            name='wish',
            field=fields.ForeignKeyField('models.Wish', source_field='wish_id', null=True, db_constraint=True, to_field='id', related_name='service_records', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='ServiceRecord',
            name='activity_ref',
            field=fields.IntField(null=True, description='the community activity attended, when not a wish'),
        ),
        ops.AddField(
            model_name='ServiceRecord',
            name='reference',
            field=fields.CharField(default='', description="the wish's or activity's number", max_length=16),
        ),
        ops.AddConstraint(
            model_name='ServiceRecord',
            constraint=UniqueConstraint(fields=('activity_ref', 'volunteer'), name=None),
        ),
    ]
