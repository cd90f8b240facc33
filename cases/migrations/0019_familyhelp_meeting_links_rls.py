# Row-level security for the family meetings' network link table (no tenant column: a link row is visible when
# its meeting is, and written only when meeting and person are both the tenant's).

import earlyhelp.rls
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_familyhelp_section17_meetings'),
    ]

    operations = [
        earlyhelp.rls.EnableLinkTableSecurity('familymeeting', 'network_members'),
    ]
