"""The caseload page and the casework statistics for a large council (30,000 referrals a year, about 5,000 open
cases), against raw SQL over the same rows in the same run. Query counts are recorded here and asserted in the
tests (cases/tests/test_demo_and_queries.py, outcomes/tests/test_reading_stats.py)."""

from __future__ import annotations

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from national import LARGE, client_for, median_ms, member, synthetic_tenant, time_it
from run import Result

from earlyhelp.periods import FinancialYear


def _raw(sql: str, params: list):
    def go():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return go


CASELOAD_SQL = """
SELECT c.id, c.public_id, c.opened_on, f.name, f.postcode, l.rank
FROM cases_case c JOIN cases_family f ON f.id = c.family_id JOIN cases_levelofneed l ON l.id = c.level_of_need_id
WHERE c.tenant_id = %s AND {who} AND c.closed_on IS NULL ORDER BY c.opened_on, c.id
"""

STATS_SQL = """
SELECT
 (SELECT count(*) FROM cases_referral WHERE tenant_id = %(t)s AND received_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_case WHERE tenant_id = %(t)s AND opened_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_case WHERE tenant_id = %(t)s AND opened_on <= %(e)s
    AND (closed_on IS NULL OR closed_on > %(e)s)),
 (SELECT count(*) FROM cases_closure WHERE tenant_id = %(t)s AND closed_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_assessment WHERE tenant_id = %(t)s AND completed_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_feedback WHERE tenant_id = %(t)s AND received_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_intervention WHERE tenant_id = %(t)s AND started_on BETWEEN %(s)s AND %(e)s)
"""


def run(repeats: int) -> list[Result]:
    from cases.stats import case_stats
    from earlyhelp.tenancy import tenant_context

    tenant = synthetic_tenant(LARGE)
    worker = member(tenant, "practitioner", most_cases=True)
    manager = member(tenant, "team_manager", most_cases=True)
    results = []
    for label, membership, url, who, who_params in (
        ("caseload page (practitioner)", worker, "/cases/", "c.lead_professional_id = %s", [worker.user_id]),
        ("caseload page (team manager, team scope)", manager, "/cases/?scope=team",
         "c.team_id IN (SELECT team_id FROM earlyhelp_membership_teams WHERE membership_id = %s)", [manager.pk]),
    ):
        client = client_for(membership.user)

        def page(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        reset_queries()  # the query log is bounded (9,000): a full one would count nothing
        with CaptureQueriesContext(connection) as queries:
            response = page()
        rows = response.content.count(b'href="/cases/') - 1
        measured = time_it(page, repeats)
        baseline = time_it(_raw(CASELOAD_SQL.format(who=who), [tenant.pk, *who_params]), repeats)
        results.append(Result(
            benchmark=label, measure=f"GET {url} through the test client (middleware, session, template)",
            baseline="raw SQL: the same open cases with family and level", measure_seconds=measured,
            baseline_seconds=baseline, target="fixed queries; < 100 ms",
            notes=f"{len(queries)} queries; page {median_ms(measured)}",
            extra={"queries": len(queries), "open cases of the tenant": None, "links on the page": rows},
        ))
    year = FinancialYear(2025, tenant.financial_year_start_month)

    def stats():
        # Counted each time: the figures cache would otherwise answer from memory after the first call.
        with override_settings(FIGURES_CACHE=False), tenant_context(tenant):
            return case_stats(period=year)

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        s = stats()
    measured = time_it(stats, repeats)
    baseline = time_it(_raw(STATS_SQL, {"t": tenant.pk, "s": year.start, "e": year.end}), repeats)
    results.append(Result(
        benchmark="case statistics (a financial year)",
        measure=f"cases.stats.case_stats for {year}, counted (figures cache off)",
        baseline="one raw SQL statement of the headline counts over the same tables", measure_seconds=measured,
        baseline_seconds=baseline, target="fixed queries; < 100 ms",
        notes=f"{len(queries)} queries; {s.referrals:,} referrals, {s.open_at_period_end:,} open at year end",
        extra={"queries": len(queries), "referrals in the year": s.referrals,
               "open at the year end": s.open_at_period_end},
    ))
    from cases.models import Case

    open_now = Case.all_tenants.filter(tenant=tenant, closed_on__isnull=True).count()
    for r in results:
        if "open cases of the tenant" in r.extra:
            r.extra["open cases of the tenant"] = open_now
    return results
