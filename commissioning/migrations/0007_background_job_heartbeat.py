
from django.db import migrations, models


def problems_as_rows(apps, schema_editor):
    """Earlier jobs kept each problem as text; the progress page lists them as {row, column, message}."""
    job_model = apps.get_model("commissioning", "ReturnImportJob")
    for job in job_model._base_manager.exclude(problems=[]):  # a plain manager: migrations run as the owner
        if any(isinstance(p, str) for p in job.problems):
            job.problems = [{"row": 0, "column": "", "message": p} if isinstance(p, str) else p
                            for p in job.problems]
            job.save(update_fields=["problems"])


class Migration(migrations.Migration):

    dependencies = [
        ('commissioning', '0006_provider_api_client'),
    ]

    operations = [
        migrations.AddField(
            model_name='returnimportjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, help_text='Last sign of life of its worker.', null=True),
        ),
        migrations.AddField(
            model_name='returnimportjob',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='returnimportjob',
            name='queued_at',
            field=models.DateTimeField(blank=True, help_text='When the job was last put on the queue.', null=True),
        ),
        migrations.AddField(
            model_name='returnimportjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='returnimportjob',
            name='problems',
            field=models.JSONField(blank=True, default=list, help_text='Each problem as {row, column, message}, as the upload page lists them.'),
        ),
        migrations.AlterField(
            model_name='returnimportjob',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Importing'), ('done', 'Imported'), ('rejected', 'Refused (see the problems)'), ('failed', 'Failed (the import worker stopped)')], default='queued', max_length=10),
        ),
        migrations.RunPython(problems_as_rows, migrations.RunPython.noop),
    ]
