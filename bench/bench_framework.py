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
import time

from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from national import FRAMEWORK, client_for, median_ms, member, synthetic_tenant, time_it, todays_casework
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

    from outcomes import charts

    drawing: list[float] = []

    def cold_page(url=url):
        # The charts are cached by their arguments too, and drawn again after a write that changes a figure:
        # their drawing time is measured apart (wrapping the view's chart calls) so figures and charts separate.
        cache.clear()
        spent = [0.0]
        originals = charts.trend_svg, charts.bars_svg

        def timed(fn):
            def wrapper(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - start
            return wrapper

        charts.trend_svg, charts.bars_svg = (timed(f) for f in originals)
        try:
            response = client.get(url)
        finally:
            charts.trend_svg, charts.bars_svg = originals
        assert response.status_code == 200, response.status_code
        drawing.append(spent[0])
        return response

    cold = time_it(cold_page, repeats, warm=0)
    cold_charts = list(drawing)
    from earlyhelp.models import Locality
    from earlyhelp.tenancy import tenant_context as _tenant_context

    with _tenant_context(tenant):
        locality = Locality.objects.order_by("pk").first()
    drawing.clear()
    cold_locality = time_it(lambda: cold_page(f"{url}&locality={locality.pk}"), repeats, warm=0)
    locality_charts = list(drawing)
    page()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        page()
    measured = time_it(page, repeats)
    after_today = []
    for _ in range(repeats):  # a day's casework committed just before each view: closed quarters stay cached
        undo = todays_casework(tenant)
        try:
            after_today.extend(time_it(page, 1, warm=0))
        finally:
            undo()
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
              f"unchanged since the last view); {median_ms(after_today)} just after a day's casework was committed "
              f"(a referral, a reading, a feedback form, dated today); cold cache {median_ms(cold)}, "
              f"of which drawing the charts {median_ms(cold_charts)}; cold, one locality ({locality}) "
              f"{median_ms(cold_locality)}",
        extra={"queries": len(queries),
               "just after a day's casework (dated today) was committed": ", ".join(f"{s:.3f}" for s in after_today),
               "cold cache (emptied before each run)": ", ".join(f"{s:.3f}" for s in cold),
               "of which drawing the two charts": ", ".join(f"{s:.3f}" for s in cold_charts),
               f"cold cache, one locality ({locality})": ", ".join(f"{s:.3f}" for s in cold_locality),
               "of which drawing the charts (locality)": ", ".join(f"{s:.3f}" for s in locality_charts)},
    ))
    return results
