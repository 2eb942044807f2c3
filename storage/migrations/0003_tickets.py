from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The enums as they were when this migration was written: a migration must not change meaning when
# the code's enums do (a later migration records a later change).

class TicketStatus(StrEnum):
    SUBMITTED = 'submitted'
    ACCEPTED = 'accepted'
    IN_PROGRESS = 'in_progress'
    RESOLVED = 'resolved'
    CLOSED = 'closed'
    REOPENED = 'reopened'
    REJECTED = 'rejected'
    DUPLICATE = 'duplicate'
    CANCELLED = 'cancelled'


class RoleName(StrEnum):
    RESIDENT = 'resident'
    VOLUNTEER = 'volunteer'
    PARTY_MEMBER = 'party_member'
    COMMITTEE = 'committee'
    GRID_WORKER = 'grid_worker'
    PROPERTY_STAFF = 'property_staff'
    MEDIATOR = 'mediator'

class Migration(migrations.Migration):
    dependencies = [('models', '0002_outbox_and_mini_program')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.CASCADE)),
                ('reporter', fields.ForeignKeyField('models.Person', source_field='reporter_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(description='repair, complaint or dispute', max_length=16)),
                ('category', fields.CharField(description='content/repair_categories.yaml key', max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('building', fields.ForeignKeyField('models.Building', source_field='building_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('unit', fields.IntField(default=0)),
                ('place', fields.CharField(default='', description='where, as the resident said it', max_length=128)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('status', fields.CharEnumField(default=TicketStatus.SUBMITTED, db_index=True, description='SUBMITTED: submitted\nACCEPTED: accepted\nIN_PROGRESS: in_progress\nRESOLVED: resolved\nCLOSED: closed\nREOPENED: reopened\nREJECTED: rejected\nDUPLICATE: duplicate\nCANCELLED: cancelled', enum_type=TicketStatus, max_length=16)),
                ('handler_role', fields.CharField(description='the role whose pool it is in', max_length=20)),
                ('assignee', fields.ForeignKeyField('models.Person', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_tickets', on_delete=OnDelete.SET_NULL)),
                ('source_key', fields.CharField(unique=True, description='the message that filed it, once', max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('respond_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolve_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('urged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rating', fields.IntField(null=True)),
                ('rating_comment', fields.TextField(default='', unique=False)),
                ('reopen_count', fields.IntField(default=0)),
                ('outcome_note', fields.TextField(default='', description='what the resident is told on resolve or reject', unique=False)),
            ],
            options={'table': 'ticket', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status', 'category'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='ticket_events', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=24)),
                ('from_status', fields.CharField(default='', max_length=16)),
                ('to_status', fields.CharField(default='', max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Every change: who, when, from what to what, and a note.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketFollower',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='followed_tickets', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'ticket_follower', 'app': 'models', 'unique_together': (('ticket', 'person'),), 'pk_attr': 'id', 'table_description': 'A neighbour who reported the same problem follows this ticket instead of filing another.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('media_id', fields.CharField(default='', max_length=128)),
                ('content_type', fields.CharField(default='', max_length=64)),
                ('data', fields.BinaryField(null=True)),
                ('by_staff', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_photo', 'app': 'models', 'pk_attr': 'id', 'table_description': "A photo kept with its ticket (WeChat's temporary media expire after 3 days)."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='InviteCode',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator', enum_type=RoleName, max_length=20),
        ),
        ops.AlterField(
            model_name='Role',
            name='role',
            field=fields.CharEnumField(description='RESIDENT: resident\nVOLUNTEER: volunteer\nPARTY_MEMBER: party_member\nCOMMITTEE: committee\nGRID_WORKER: grid_worker\nPROPERTY_STAFF: property_staff\nMEDIATOR: mediator', enum_type=RoleName, max_length=20),
        ),
    ]
