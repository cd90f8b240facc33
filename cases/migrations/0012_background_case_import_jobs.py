
import django.db.models.deletion
import django.db.models.manager
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_figures_changes_by_date'),
        ('earlyhelp', '0007_tenant_foreign_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('filename', models.CharField(max_length=255)),
                ('data', models.BinaryField()),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Importing'), ('done', 'Imported'), ('rejected', 'Refused (see the problems)'), ('failed', 'Failed (the import worker stopped)')], default='queued', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('progress', models.PositiveSmallIntegerField(default=0)),
                ('problems', models.JSONField(blank=True, default=list, help_text='Each problem as {row, column, message}, as the import page lists them.')),
                ('rows', models.PositiveIntegerField(default=0)),
                ('summary', models.JSONField(blank=True, help_text='What the import created (ImportSummary).', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('queued_at', models.DateTimeField(blank=True, null=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, help_text='Last sign of life of its worker.', null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='earlyhelp.tenant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'abstract': False,
                'base_manager_name': 'all_tenants',
                'constraints': [models.UniqueConstraint(fields=('tenant', 'public_id'), name='cases_caseimportjob_public_id')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('all_tenants', django.db.models.manager.Manager()),
            ],
        ),
    ]
