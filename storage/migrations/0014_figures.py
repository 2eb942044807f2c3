from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_activities_and_surveys')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ServiceRecord',
            index=Index(fields=['community_id', 'served_on']),
        ),
        ops.AddField(
            model_name='StaffMessage',
            name='answered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='StaffMessage',
            index=Index(fields=['community_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['community_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Wish',
            index=Index(fields=['community_id', 'created_at']),
        ),
    ]
