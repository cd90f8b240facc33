from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity

TABLES = [
    "consent", "informationshare", "casenote", "casenoteaddendum", "supervision", "allocation", "intervention",
    "casedocument",
]


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_practice_records")]

    operations = [EnableRowLevelSecurity(name) for name in TABLES]
