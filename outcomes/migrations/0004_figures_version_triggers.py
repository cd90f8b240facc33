from django.db import migrations

from cases.migrations._frozen_figures_0007_0011 import SOURCE_TABLES, RenewFiguresTokenOnWrite


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_figures_version"),
        ("outcomes", "0003_indexes_for_scale"),
    ]

    operations = [RenewFiguresTokenOnWrite(name) for name in SOURCE_TABLES["outcomes"]]
