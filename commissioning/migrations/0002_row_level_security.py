from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("provider"),
        EnableRowLevelSecurity("providermembership"),
        EnableRowLevelSecurity("commissionedservice"),
        EnableRowLevelSecurity("kpi"),
        EnableRowLevelSecurity("kpiversion"),
        EnableRowLevelSecurity("kpireturn"),
        EnableRowLevelSecurity("kpivalue"),
        EnableRowLevelSecurity("kpireturnrevision"),
        EnableRowLevelSecurity("servicereview"),
    ]
