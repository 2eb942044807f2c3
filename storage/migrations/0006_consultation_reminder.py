from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_consultations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Consultation',
            name='reminded_at',
            field=fields.DatetimeField(null=True, description='when those yet to vote were reminded', auto_now=False, auto_now_add=False),
        ),
    ]
