
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0007_run_queued_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportrun',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, help_text='Last sign of life of its worker.', null=True),
        ),
    ]
