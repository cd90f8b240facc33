from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_reports")]

    operations = [
        EnableRowLevelSecurity("report"),
        EnableRowLevelSecurity("reportrun"),
    ]
