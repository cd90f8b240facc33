from django.db import migrations

from earlyhelp.rls import EnableRowLevelSecurity

TABLES = [
    "referralsource", "presentingneed", "closurereason", "levelofneed", "casesettings",
    "family", "person", "referral", "case", "teamaroundfamilymember", "assessment", "plan", "planaction",
    "review", "stepchange", "paneldecision", "closure", "closureneedprogress", "feedback", "casefileaudit",
]


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [EnableRowLevelSecurity(name) for name in TABLES]
