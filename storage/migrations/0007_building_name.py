from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_consultation_reminder')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Building',
            name='name',
            field=fields.CharField(default='', description="its name when it is not '{number}栋': A座 (lettered), 3组 (a village)", max_length=16),
        ),
    ]
