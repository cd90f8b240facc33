from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity

TABLES = [
    "distancetool", "toolversion", "toolarea", "reading", "readingscore",
    "familyoutcome", "casefamilyoutcome",
    "programmeframework", "programmeoutcome", "enrolment", "enrolmentneed", "needevidence", "claim",
]


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [EnableRowLevelSecurity(name) for name in TABLES]
