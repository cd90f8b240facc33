"""A full committee report (data assembly, charts, HTML, PDF) against WeasyPrint rendering the same finished
HTML alone, in the same run. Target ≤ 1.25×: assembly and charts cost at most a quarter on top of layout.

The measured path is the real report run (request, snapshot, charts, HTML, PDF, storage), three times per repeat:
with the figures and charts cache emptied (cold, as on a new deployment or after a change to a lookup table);
just after a day's casework dated today was committed (the records changed, but not in the report's periods:
earlyhelp.figures_engine keeps closed periods' figures); and with the records unchanged since the figures were counted
(warm; outcomes.charts.remembered keeps the charts). Each is compared with WeasyPrint rendering its own finished
HTML in the same repeat."""

from __future__ import annotations

import datetime as dt

from run import Result, timed


def _bench_tenant():
    """The generated five-year, framework-sized council when the national data set is loaded (bench/generate.py),
    else an empty demo council (a lower bound on the data-assembly cost)."""
    from earlyhelp.demo import seed_platform
    from earlyhelp.models import Tenant, User
    from earlyhelp.tenancy import platform_context

    generated = Tenant.objects.filter(slug="synthetic-002").first()
    if generated is not None:
        return generated, User.objects.get(username="s002.performance"), "Synthetic Council 002 (5 years)"
    with platform_context():
        seed_platform(password="bench-only-password")
    return Tenant.objects.get(slug="northbridge"), User.objects.get(username="nb.officer"), "empty demo council"


def run(repeats: int) -> list[Result]:
    from earlyhelp.tenancy import tenant_context
    from reporting import rendering, services

    tenant, officer, label = _bench_tenant()
    from earlyhelp.models import Membership

    with tenant_context(tenant):
        officer = Membership.objects.get(user=officer)  # the services act as the officer's membership
        report = services.report_create(
            by=officer, title="Benchmark report", committee="Scrutiny", meeting_date=dt.date(2026, 5, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2025, period_quarter=4,
            executive_summary="Benchmark. " * 200, introduction="Background. " * 200,
        )
    def request_and_render():
        # Tasks run eagerly here: the render job runs when the request's transaction commits.
        with tenant_context(tenant):
            return services.report_run_request(report=report, by=officer)

    from django.core.cache import cache

    # A worker renders many reports in one process: one untimed run first, so that neither side is charged for
    # the process's first use of WeasyPrint, fontconfig and matplotlib.
    request_and_render()
    from national import todays_casework

    cold, warm, today, baseline_cold, baseline_warm, baseline_today = [], [], [], [], [], []
    html = None
    for repeat in range(repeats):
        for measured, baseline, clear in ((cold, baseline_cold, "all"), (today, baseline_today, "today"),
                                          (warm, baseline_warm, None)):
            # Alternate which side goes first, so that neither always renders into the other's warm caches.
            baseline_first = repeat % 2 == 1 and html is not None
            if baseline_first:
                seconds, _ = timed(rendering.render_pdf, html)
            undo = None
            if clear == "all":
                cache.clear()  # as on a new deployment: no figures or charts cached
            elif clear == "today":
                undo = todays_casework(tenant)  # records changed today, after the report's periods
            try:
                run_seconds, run_ = timed(request_and_render)
            finally:
                if undo is not None:
                    undo()
            measured.append(run_seconds)
            with tenant_context(tenant):
                run_.refresh_from_db()
            assert run_.status == "done", run_.error
            html = rendering.render_html(run_.snapshot)  # the same document every time (same records)
            if not baseline_first:
                seconds, _ = timed(rendering.render_pdf, html)
            baseline.append(seconds)
    common = {"measure": "report run: snapshot + charts + HTML + PDF + storage",
              "baseline": "WeasyPrint on the same finished HTML", "target": "≤ 1.25×"}
    return [
        Result(benchmark="committee report (cold: figures cache empty)",
               measure_seconds=cold, baseline_seconds=baseline_cold,
               notes=f"every section, 2025/26 Q4, {label}; figures and charts cache emptied before each run (as on "
                     f"a new deployment, or after a write to a lookup table such as a tool's areas)",
               **common),
        Result(benchmark="committee report (records changed today)",
               measure_seconds=today, baseline_seconds=baseline_today,
               notes=f"every section, 2025/26 Q4, {label}; a day's casework (a referral, a reading, a feedback "
                     f"form, dated today) committed just before each run: the closed periods' figures stay cached "
                     f"(earlyhelp.figures_engine)",
               **common),
        Result(benchmark="committee report (warm: records unchanged)",
               measure_seconds=warm, baseline_seconds=baseline_warm,
               notes=f"every section, 2025/26 Q4, {label}; figures and charts from the cache "
                     "(earlyhelp.figures_engine)", **common),
    ]
