"""A full committee report (data assembly, charts, HTML, PDF) against WeasyPrint rendering the same finished
HTML alone, in the same run. Target ≤ 1.25×: assembly and charts cost at most a quarter on top of layout.

The measured path is the real report run (request, snapshot, charts, HTML, PDF, storage). The first run starts
with an empty figures and charts cache (as after a write to the records); later runs find the figures and
charts of unchanged records in the cache (cases.figures_cache, outcomes.charts.remembered). The median of three
or more runs is therefore a warm run; the first (cold) run is reported beside it."""

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
    with tenant_context(tenant):
        report = services.report_create(
            created_by=officer, title="Benchmark report", committee="Scrutiny", meeting_date=dt.date(2026, 5, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2025, period_quarter=4,
            executive_summary="Benchmark. " * 200, introduction="Background. " * 200,
        )
    def request_and_render():
        # Tasks run eagerly here: the render job runs when the request's transaction commits.
        with tenant_context(tenant):
            return services.report_run_request(report=report, requested_by=officer)

    from django.core.cache import cache

    cache.clear()
    measured, baseline = [], []
    for _ in range(repeats):
        seconds, run_ = timed(request_and_render)
        measured.append(seconds)
        with tenant_context(tenant):
            run_.refresh_from_db()
        assert run_.status == "done", run_.error
        html = rendering.render_html(run_.snapshot)
        seconds, _ = timed(rendering.render_pdf, html)
        baseline.append(seconds)
    return [Result(
        benchmark="committee report",
        measure="report run: snapshot + charts + HTML + PDF + storage",
        baseline="WeasyPrint on the same finished HTML",
        measure_seconds=measured,
        baseline_seconds=baseline,
        target="≤ 1.25×",
        notes=f"every section, 2025/26 Q4, {label}; median is a warm run (figures and charts cached, records "
              f"unchanged); first run, cold cache: {measured[0]:.2f} s ({measured[0] / baseline[0]:.2f}×)",
        extra={"first run (cold cache)": f"{measured[0]:.3f} s against {baseline[0]:.3f} s"},
    )]
