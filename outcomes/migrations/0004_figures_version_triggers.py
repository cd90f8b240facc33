from django.db import migrations

from cases.figures_cache import SOURCE_TABLES, RenewFiguresTokenOnWrite


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_figures_version"),
        ("outcomes", "0003_indexes_for_scale"),
    ]

    operations = [RenewFiguresTokenOnWrite(name) for name in SOURCE_TABLES["outcomes"]]
