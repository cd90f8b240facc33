"""The performance framework (outcomes.stats.performance_framework) for a council with five years of data
(about 100,000 referrals and 200,000 readings), against one raw SQL aggregate over the same tables in the same
run; and the dashboard page (five quarters of the framework, charts, Supporting Families) as a performance
officer sees it.

The framework rows measure the figures *computed* (the figures cache off: what a first reading after a write
costs); the warm figure (read from the cache, records unchanged) is in the notes. The dashboard row measures the
page as served (warm cache: the records unchanged since the last view); the cold page (cache emptied before
each run) is in the notes."""

from __future__ import annotations

import statistics

from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from national import FRAMEWORK, client_for, median_ms, member, synthetic_tenant, time_it
from run import Result

from earlyhelp.periods import FinancialYear, Quarter

RAW_SQL = """
SELECT
 (SELECT count(*) FROM cases_referral WHERE tenant_id = %(t)s AND received_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM cases_case WHERE tenant_id = %(t)s AND opened_on <= %(e)s
    AND (closed_on IS NULL OR closed_on > %(e)s)),
 (SELECT count(*) FROM cases_closure WHERE tenant_id = %(t)s AND closed_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM outcomes_reading WHERE tenant_id = %(t)s AND taken_on BETWEEN %(s)s AND %(e)s),
 (SELECT sum(s.score) FROM outcomes_readingscore s JOIN outcomes_reading r ON r.id = s.reading_id
    WHERE r.tenant_id = %(t)s AND r.stage = 'end' AND r.taken_on BETWEEN %(s)s AND %(e)s),
 (SELECT count(*) FROM outcomes_casefamilyoutcome o JOIN cases_closure c ON c.case_id = o.case_id
    WHERE c.tenant_id = %(t)s AND c.closed_on BETWEEN %(s)s AND %(e)s AND o.progress = 'improved')
"""


def run(repeats: int) -> list[Result]:
    from cases.models import Referral
    from earlyhelp.tenancy import tenant_context
    from outcomes.models import Reading
    from outcomes.stats import performance_framework

    tenant = synthetic_tenant(FRAMEWORK)
    referrals = Referral.all_tenants.filter(tenant=tenant).count()
    readings = Reading.all_tenants.filter(tenant=tenant).count()
    size = f"{referrals:,} referrals, {readings:,} readings in the tenant"
    results = []
    fy = tenant.financial_year_start_month
    for label, period in (("a financial year", FinancialYear(2025, fy)), ("a quarter", Quarter(2025, 4, fy))):
        def framework(period=period):
            with tenant_context(tenant):
                return performance_framework(period=period)

        def computed(period=period):
            with override_settings(FIGURES_CACHE=False):
                return framework(period)

        reset_queries()  # the query log is bounded (9,000): a full one would count nothing
        with CaptureQueriesContext(connection) as queries:
            computed()
        measured = time_it(computed, repeats)
        warm = time_it(framework, repeats)

        def raw(period=period):
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, {"t": tenant.pk, "s": period.start, "e": period.end})
                return cursor.fetchall()

        baseline = time_it(raw, repeats)
        results.append(Result(
            benchmark=f"performance framework ({label})", measure=f"performance_framework for {period}",
            baseline="one raw SQL aggregate over the same tables", measure_seconds=measured,
            baseline_seconds=baseline, target="fixed queries",
            notes=f"{len(queries)} queries; {median_ms(measured)} computed, "
                  f"{statistics.median(warm) * 1000:.1f} ms from the figures cache (1 query); {size}",
            extra={"queries": len(queries), "tenant size": size,
                   "from the figures cache (records unchanged)": ", ".join(f"{s:.4f}" for s in warm)},
        ))
    officer = member(tenant, "performance_officer")
    client = client_for(officer.user)
    url = f"/outcomes/?quarter={Quarter(2025, 4, fy).start.isoformat()}"  # one of the last twelve quarters

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def cold_page():
        cache.clear()
        return page()

    cold = time_it(cold_page, repeats, warm=0)
    page()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        page()
    measured = time_it(page, repeats)
    quarters = [Quarter(2025, 4, fy).shifted(-i) for i in range(4, -1, -1)]

    def raw_five():
        with connection.cursor() as cursor:
            for q in quarters:
                cursor.execute(RAW_SQL, {"t": tenant.pk, "s": q.start, "e": q.end})
                cursor.fetchall()

    baseline = time_it(raw_five, repeats)
    results.append(Result(
        benchmark="outcomes dashboard page", measure="GET /outcomes/ (five quarters of the framework, charts)",
        baseline="the raw SQL aggregate for the same five quarters", measure_seconds=measured,
        baseline_seconds=baseline, target="< 100 ms server time",
        notes=f"{len(queries)} queries; page {median_ms(measured)} (figures and charts cache warm: records "
              f"unchanged since the last view); cold cache {median_ms(cold)}",
        extra={"queries": len(queries), "cold cache (emptied before each run)": ", ".join(f"{s:.3f}" for s in cold)},
    ))
    return results
