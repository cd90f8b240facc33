from django.db import migrations

from cases.migrations._frozen_figures_0007_0011 import DatedFiguresChanges


class Migration(migrations.Migration):
    """A write notes the earliest date it can change a figure from, so that closed periods' figures stay cached
    (cases.figures_cache). PostgreSQL only."""

    dependencies = [
        ("cases", "0010_scope_statistics"),
        ("outcomes", "0005_tenant_foreign_keys"),
        ("commissioning", "0006_provider_api_client"),
    ]

    operations = [DatedFiguresChanges()]
