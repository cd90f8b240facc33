"""Fresh planner statistics after bulk loads (issue #21): onboarding a council analyses its seeded lists, and the
application role — which owns no table and so cannot ANALYZE one itself — can have the owner do it through
``earlyhelp_analyze``, for the owner's tables only. Imports are covered beside their own tests
(cases/tests/test_import.py, commissioning/tests/test_return_import.py)."""

from __future__ import annotations

from django.db import connection

from cases.models import PresentingNeed, ReferralSource
from earlyhelp.models import Tenant
from earlyhelp.planner_statistics import analyze_tables
from tests.planner_statistics import analyze_count


def test_onboarding_a_council_analyses_its_seeded_lists(db, django_capture_on_commit_callbacks):
    tables = [ReferralSource._meta.db_table, PresentingNeed._meta.db_table]
    before = [analyze_count(table) for table in tables]
    with django_capture_on_commit_callbacks(execute=True):
        tenant = Tenant.objects.create(name="Westvale District Council", slug="westvale")
    assert ReferralSource.all_tenants.filter(tenant=tenant).exists()
    assert [analyze_count(table) for table in tables] == [n + 1 for n in before]


def test_the_app_role_cannot_analyze_itself_but_can_through_the_owners_function(app_role):
    table = ReferralSource._meta.db_table
    before = analyze_count(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
        try:
            cursor.execute(f"ANALYZE {table}")  # not the owner: PostgreSQL skips it with a warning
            assert analyze_count(table) == before
            assert analyze_tables([table, "pg_class", "no_such_table"]) == 1  # only the owner's public tables
        finally:
            cursor.execute("RESET ROLE")
    assert analyze_count(table) == before + 1
