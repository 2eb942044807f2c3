from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from enum import StrEnum
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The enums as they were when this migration was written: a migration must not change meaning when
# the code's enums do (a later migration records a later change).

class RoleName(StrEnum):
    RESIDENT = 'resident'
    VOLUNTEER = 'volunteer'
    PARTY_MEMBER = 'party_member'
    COMMITTEE = 'committee'
    GRID_WORKER = 'grid_worker'
    PROPERTY_STAFF = 'property_staff'
    MEDIATOR = 'mediator'
    OWNER = 'owner'
    STREET_OFFICE = 'street_office'


class CommunityKind(StrEnum):
    URBAN = 'urban'
    RURAL = 'rural'


class Residence(StrEnum):
    PERMANENT = 'permanent'
    REGISTERED = 'registered'
    FLOATING = 'floating'


class BindingStatus(StrEnum):
    PENDING = 'pending'
    VERIFIED = 'verified'
    REJECTED = 'rejected'
    ENDED = 'ended'


class BindingMethod(StrEnum):
    PHONE = 'phone'
    NAME = 'name'
    CONFIRMED = 'confirmed'
    UNCHECKED = 'unchecked'


class Migration(migrations.Migration):
    dependencies = [('models', '0007_building_name')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Grid',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='grids', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(description='网格编号 or name as the register writes it', max_length=32)),
                ('name', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'grid', 'app': 'models', 'unique_together': (('community', 'code'),), 'pk_attr': 'id', 'table_description': '网格: a set of buildings with its grid worker (and deputies).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GridBuilding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('grid', fields.ForeignKeyField('models.Grid', source_field='grid_id', db_constraint=True, to_field='id', related_name='buildings', on_delete=OnDelete.CASCADE)),
                ('building', fields.OneToOneField('models.Building', source_field='building_id', db_constraint=True, to_field='id', related_name='grid_link', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'grid_building', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A building belongs to one grid.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GridStaff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('grid', fields.ForeignKeyField('models.Grid', source_field='grid_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='grids', on_delete=OnDelete.CASCADE)),
                ('deputy', fields.BooleanField(default=False)),
                ('duty_hours', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'grid_staff', 'app': 'models', 'unique_together': (('grid', 'person'),), 'pk_attr': 'id', 'table_description': "A grid's worker (网格员) or deputy, with the hours residents may call them."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Household',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='households', on_delete=OnDelete.CASCADE)),
                ('home', fields.ForeignKeyField('models.Home', source_field='home_id', db_constraint=True, to_field='id', related_name='households', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(default='', description="户号 from the register, empty when one per home", max_length=32)),
                ('active', fields.BooleanField(default=True, description='false once no member is left on the register')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'household', 'app': 'models', 'unique_together': (('home', 'code'),), 'pk_attr': 'id', 'table_description': '户: a household at a home (a home can hold more than one: 合租, 一房两户).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhoneGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phone', fields.CharField(db_index=True, max_length=20)),
                ('name', fields.CharField(default='', max_length=32)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='phone_grants', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator\nOWNER: owner\nSTREET_OFFICE: street_office', enum_type=RoleName, max_length=20)),
                ('invite', fields.ForeignKeyField('models.InviteCode', source_field='invite_id', null=True, db_constraint=True, to_field='id', related_name='phone_grants', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('claimed_by', fields.ForeignKeyField('models.Person', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name='phone_grants', on_delete=OnDelete.SET_NULL)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'phone_grant', 'app': 'models', 'unique_together': (('phone', 'community', 'role'),), 'pk_attr': 'id', 'table_description': 'A role granted to a phone number before its holder has written to the account (``staff grant'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Resident',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='register', on_delete=OnDelete.CASCADE)),
                ('household', fields.ForeignKeyField('models.Household', source_field='household_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('home', fields.ForeignKeyField('models.Home', source_field='home_id', db_constraint=True, to_field='id', related_name='register', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=32)),
                ('phone', fields.CharField(null=True, db_index=True, description='11 digits, as normalised', max_length=20)),
                ('relation', fields.CharField(default='', description='与户主关系: 本人, 配偶, 子女, 租户...', max_length=16)),
                ('is_head', fields.BooleanField(default=False, description='户主')),
                ('is_owner', fields.BooleanField(default=False, description='业主')),
                ('residence', fields.CharEnumField(default=Residence.PERMANENT, description='PERMANENT: permanent\nREGISTERED: registered\nFLOATING: floating', enum_type=Residence, max_length=12)),
                ('care', fields.JSONField(default=list, description='Care values, never shown to other residents', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.CharField(default='', max_length=200)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='register_entries', on_delete=OnDelete.SET_NULL)),
                ('active', fields.BooleanField(default=True, description='false once a re-import no longer lists them')),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'register_resident', 'app': 'models', 'unique_together': (('household', 'name'),), 'indexes': [Index(fields=['community_id', 'active'])], 'pk_attr': 'id', 'table_description': 'A person on the register: who actually lives (or is registered) at a home.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Binding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='bindings', on_delete=OnDelete.CASCADE)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='bindings', on_delete=OnDelete.CASCADE)),
                ('home', fields.ForeignKeyField('models.Home', source_field='home_id', db_constraint=True, to_field='id', related_name='bindings', on_delete=OnDelete.CASCADE)),
                ('resident', fields.ForeignKeyField('models.Resident', source_field='resident_id', null=True, db_constraint=True, to_field='id', related_name='bindings', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=BindingStatus.PENDING, db_index=True, description='PENDING: pending\nVERIFIED: verified\nREJECTED: rejected\nENDED: ended', enum_type=BindingStatus, max_length=12)),
                ('method', fields.CharEnumField(default=BindingMethod.UNCHECKED, description='PHONE: phone\nNAME: name\nCONFIRMED: confirmed\nUNCHECKED: unchecked', enum_type=BindingMethod, max_length=12)),
                ('said_name', fields.CharField(default='', max_length=32)),
                ('said_phone', fields.CharField(default='', max_length=20)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.Person', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='bindings_decided', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'binding', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status']), Index(fields=['person_id', 'status'])], 'pk_attr': 'id', 'table_description': "A person's claim to live at a home, and how it was checked. ``Person.home`` is the home in use, a"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BuildingHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('building', fields.OneToOneField('models.Building', source_field='building_id', db_constraint=True, to_field='id', related_name='head', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=32)),
                ('phone', fields.CharField(default='', max_length=20)),
                ('resident', fields.ForeignKeyField('models.Resident', source_field='resident_id', null=True, db_constraint=True, to_field='id', related_name='heads', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'building_head', 'app': 'models', 'pk_attr': 'id', 'table_description': '楼栋长 of a building: a resident on the register, or just a name and a phone.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StreetOffice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('district', fields.CharField(default='', max_length=64)),
                ('phone', fields.CharField(default='', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'street_office', 'app': 'models', 'pk_attr': 'id', 'table_description': '街道 (or 乡镇): the level above communities, its staff see and act across its communities.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Visit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.CASCADE)),
                ('by', fields.ForeignKeyField('models.Person', source_field='by_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.CASCADE)),
                ('home', fields.ForeignKeyField('models.Home', source_field='home_id', null=True, db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.SET_NULL)),
                ('resident', fields.ForeignKeyField('models.Resident', source_field='resident_id', null=True, db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.SET_NULL)),
                ('whom', fields.CharField(default='', description='as the grid worker wrote it', max_length=64)),
                ('visited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('found', fields.TextField(default='', unique=False)),
                ('follow_up', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'visit', 'app': 'models', 'indexes': [Index(fields=['community_id', 'visited_at'])], 'pk_attr': 'id', 'table_description': "走访: a grid worker's visit to a household or a resident, what was found and what follows."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Community',
            name='hours',
            field=fields.CharField(default='', description='office hours as written to residents', max_length=128),
        ),
        ops.AddField(
            model_name='Community',
            name='kind',
            field=fields.CharEnumField(default=CommunityKind.URBAN, description='URBAN: urban\nRURAL: rural', enum_type=CommunityKind, max_length=8),
        ),
        ops.AddField(
            model_name='Community',
            name='office',
            field=fields.CharField(default='', description='where the office is (党群服务中心...)', max_length=128),
        ),
        ops.AddField(
            model_name='Community',
            name='register_at',
            field=fields.DatetimeField(null=True, description='when its household register was first imported: from then on it is in force', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Community',
            name='street_office',
            field=fields.ForeignKeyField('models.StreetOffice', source_field='street_office_id', null=True, db_constraint=True, to_field='id', related_name='communities', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Community',
            name='verify_household_votes',
            field=fields.BooleanField(default=True, description='one vote per household'),
        ),
        ops.AddField(
            model_name='Community',
            name='verify_owner_votes',
            field=fields.BooleanField(default=True, description='consultations for owners (业主) only'),
        ),
        ops.AddField(
            model_name='Community',
            name='verify_wishes',
            field=fields.BooleanField(default=False, description='making a micro-wish'),
        ),
        ops.AlterField(
            model_name='InviteCode',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator\nOWNER: owner\nSTREET_OFFICE: street_office', enum_type=RoleName, max_length=20),
        ),
        ops.AddField(
            model_name='Person',
            name='phone_verified_at',
            field=fields.DatetimeField(null=True, description="when WeChat itself confirmed the phone (the mini-program's getPhoneNumber)", auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Role',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator\nOWNER: owner\nSTREET_OFFICE: street_office', enum_type=RoleName, max_length=20),
        ),
        ops.AddField(
            model_name='Ticket',
            name='filed_for',
            field=fields.CharField(default='', description='whom a grid worker filed it for (a resident without a phone)', max_length=64),
        ),
        ops.AddField(
            model_name='Ticket',
            name='filed_for_resident',
            field=fields.ForeignKeyField('models.Resident', source_field='filed_for_resident_id', null=True, db_constraint=True, to_field='id', related_name='tickets_filed_for', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Ticket',
            name='street_escalated_at',
            field=fields.DatetimeField(null=True, description='overdue past the committee: 街道 told', auto_now=False, auto_now_add=False),
        ),
    ]
