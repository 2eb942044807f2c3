from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_register')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ballot',
            name='review',
            field=fields.BooleanField(default=False, description='a proxy ballot for someone no register vouches for: the committee checks'),
        ),
    ]
