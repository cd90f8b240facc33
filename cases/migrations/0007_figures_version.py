from django.db import migrations, models

from cases.migrations._frozen_figures_0007_0011 import SOURCE_TABLES, RenewFiguresTokenOnWrite


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_retention"),
        ("commissioning", "0004_returnimportjob_row_level_security"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                ("tenant_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("token", models.UUIDField()),
            ],
            options={"db_table": "cases_figuresversion"},
        ),
        *[RenewFiguresTokenOnWrite(name) for name in SOURCE_TABLES["cases"]],
        *[RenewFiguresTokenOnWrite(f"commissioning.{name}") for name in SOURCE_TABLES["commissioning"]],
    ]
