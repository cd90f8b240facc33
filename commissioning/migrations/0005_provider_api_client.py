import django.db.models.deletion
import django.db.models.manager
import uuid
from django.db import migrations, models

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):

    dependencies = [
        ('commissioning', '0004_returnimportjob_row_level_security'),
        ('earlyhelp', '0005_audit_hash_chain'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProviderApiClient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='earlyhelp.apiclient')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='api_clients', to='commissioning.provider')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='earlyhelp.tenant')),
            ],
            options={
                'abstract': False,
                'base_manager_name': 'all_tenants',
                'constraints': [models.UniqueConstraint(fields=('tenant', 'public_id'), name='commissioning_providerapiclient_public_id'), models.UniqueConstraint(fields=('tenant', 'client'), name='commissioning_providerapiclient_one')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('all_tenants', django.db.models.manager.Manager()),
            ],
        ),
        EnableRowLevelSecurity("providerapiclient"),
    ]
