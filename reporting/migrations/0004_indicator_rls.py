from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_indicators_and_unit_costs")]

    operations = [
        EnableRowLevelSecurity("quarterlyindicator"),
        EnableRowLevelSecurity("unitcost"),
    ]
