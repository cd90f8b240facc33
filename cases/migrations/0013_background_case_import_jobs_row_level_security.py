from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_background_case_import_jobs")]

    operations = [EnableRowLevelSecurity("caseimportjob")]
