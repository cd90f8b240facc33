from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0003_returnimportjob")]

    operations = [EnableRowLevelSecurity("returnimportjob")]
