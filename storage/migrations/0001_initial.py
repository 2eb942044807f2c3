from enum import StrEnum
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops



# The enums as they were when this migration was written: a migration must not change meaning when
# the code's enums do (a later migration records a later change).

class RoleName(StrEnum):
    RESIDENT = 'resident'
    VOLUNTEER = 'volunteer'
    PARTY_MEMBER = 'party_member'
    COMMITTEE = 'committee'
    GRID_WORKER = 'grid_worker'
    PROPERTY_STAFF = 'property_staff'

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Community',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, description='short slug for QR scenes, CLI and URLs', max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('district', fields.CharField(default='', max_length=64)),
                ('phone', fields.CharField(default='', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'community', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Building',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='buildings', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('units', fields.IntField(default=1, description='number of 单元, 0 when the building has none')),
            ],
            options={'table': 'building', 'app': 'models', 'unique_together': (('community', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Home',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='homes', on_delete=OnDelete.CASCADE)),
                ('building', fields.ForeignKeyField('models.Building', source_field='building_id', db_constraint=True, to_field='id', related_name='homes', on_delete=OnDelete.CASCADE)),
                ('unit', fields.IntField(default=0, description='0 when the building has no units')),
                ('room', fields.CharField(max_length=8)),
            ],
            options={'table': 'home', 'app': 'models', 'unique_together': (('building', 'unit', 'room'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, description='Official Account openid, or cli:<name>', max_length=64)),
                ('unionid', fields.CharField(null=True, db_index=True, max_length=64)),
                ('name', fields.CharField(default='', max_length=32)),
                ('phone', fields.CharField(null=True, max_length=20)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.SET_NULL)),
                ('home', fields.ForeignKeyField('models.Home', source_field='home_id', null=True, db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.SET_NULL)),
                ('following', fields.BooleanField(default=True)),
                ('last_message_at', fields.DatetimeField(null=True, description="opens WeChat's 48-hour service window", auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'person', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InviteCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=12)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff', enum_type=RoleName, max_length=20)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', db_constraint=True, to_field='id', related_name='invites_created', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_by', fields.ForeignKeyField('models.Person', source_field='used_by_id', null=True, db_constraint=True, to_field='id', related_name='invites_used', on_delete=OnDelete.SET_NULL)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invite_code', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time code a committee member hands to a new staff member or volunteer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Role',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff', enum_type=RoleName, max_length=20)),
                ('granted_by', fields.ForeignKeyField('models.Person', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name='granted_roles', on_delete=OnDelete.SET_NULL)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'role', 'app': 'models', 'unique_together': (('person', 'community', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='staff_messages', on_delete=OnDelete.CASCADE)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='staff_messages', on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharField(default='open', max_length=16)),
                ('answer', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_message', 'app': 'models', 'pk_attr': 'id', 'table_description': "A resident's message for a person (人工): kept until a staff member answers it."},
            bases=['Model'],
        ),
    ]
