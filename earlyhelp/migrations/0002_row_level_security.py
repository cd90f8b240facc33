from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity, RefuseUpdateAndDelete


class Migration(migrations.Migration):
    dependencies = [("earlyhelp", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("locality"),
        EnableRowLevelSecurity("team"),
        EnableRowLevelSecurity("membership", user_field="user"),
        EnableRowLevelSecurity("auditevent"),
        RefuseUpdateAndDelete("auditevent"),
    ]
