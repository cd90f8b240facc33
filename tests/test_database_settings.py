"""The application's database sessions: PostgreSQL's JIT off unless asked for (its compiling cost more than the
page queries it would speed up), and the caseload's "is there one?" annotations planned per case, not as a hash
over the council's whole tables."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from cases import selectors
from earlyhelp.tenancy import tenant_context
from tests.api import makers


def test_the_applications_sessions_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_drift_annotations_are_scalar_lookups_with_the_same_answers(tenant_a):
    from cases.models import Assessment

    with tenant_context(tenant_a):
        assessed = makers.case(tenant_a, opened_on=dt.date(2026, 1, 5))
        waiting = makers.case(tenant_a, opened_on=dt.date(2026, 1, 5))
        Assessment.objects.create(tenant=tenant_a, case=assessed, started_on=dt.date(2026, 1, 6),
                                  completed_on=dt.date(2026, 1, 20))
        cases = selectors.cases_with_drift(today=dt.date(2026, 6, 1), assessment_limit_days=45,
                                           supervision_interval_days=42)
        sql = str(cases.query)
        found = {c.pk: c for c in cases.filter(pk__in=[assessed.pk, waiting.pk])}
    assert "EXISTS" not in sql
    assert found[assessed.pk].has_completed_assessment is True and found[assessed.pk].assessment_drift is False
    assert found[waiting.pk].has_completed_assessment is False and found[waiting.pk].assessment_drift is True
    assert found[waiting.pk].has_review is False
