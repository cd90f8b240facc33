"""Tagged PDF/UA-1 against an untagged PDF of the same finished HTML (the committee report with every section).

Both sides are WeasyPrint on one HTML document: ``rendering.render_pdf(html)`` (tagged, as every report run now
renders) and ``rendering.render_pdf(html, tagged=False)``. Target ≤ 1.1×: the structure tree (headings, tables
with their header cells, figures with alternative text) and PDF/UA metadata cost at most a tenth on top of
layout. The two sides alternate which goes first in each repeat."""

from __future__ import annotations

from run import Result, timed


def _report_html():
    """The finished HTML of a report with every section: a run of the generated national council when it is
    loaded (bench/generate.py), else of the demo's performance report (``manage.py seed_demo``)."""
    from bench_report import _bench_tenant

    from earlyhelp.models import Tenant
    from earlyhelp.tenancy import tenant_context
    from reporting import rendering, services
    from reporting.models import Report, ReportRun

    demo = Tenant.objects.filter(slug="northbridge").first()
    if not Tenant.objects.filter(slug="synthetic-002").exists() and demo is not None:
        with tenant_context(demo):
            run = (ReportRun.objects.filter(report__title="Early Help performance report", status="done")
                   .order_by("-finished_at").first())
            if run is not None:
                return rendering.render_html(run.snapshot), "demo performance report (Northbridge, seed_demo)"
    tenant, officer, label = _bench_tenant()
    import datetime as dt

    from earlyhelp.models import Membership

    with tenant_context(tenant):
        report = Report.objects.filter(title="Benchmark report").first() or services.report_create(
            by=Membership.objects.get(user=officer), title="Benchmark report", committee="Scrutiny",
            meeting_date=dt.date(2026, 5, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2025, period_quarter=4,
            executive_summary="Benchmark. " * 200, introduction="Background. " * 200)
        snapshot = rendering.build_snapshot(tenant, services._parameters(report))
    return rendering.render_html(snapshot), f"every section, 2025/26 Q4, {label}"


def run(repeats: int) -> list[Result]:
    import io

    import pikepdf

    from reporting import rendering

    html, label = _report_html()
    rendering.render_pdf(html)  # untimed: the process's first use of WeasyPrint and fontconfig
    tagged, untagged = [], []
    for repeat in range(repeats):
        order = [(tagged, True), (untagged, False)]
        for samples, is_tagged in order if repeat % 2 == 0 else order[::-1]:
            seconds, pdf = timed(rendering.render_pdf, html, tagged=is_tagged)
            samples.append(seconds)
            if is_tagged:
                tagged_bytes = len(pdf)
                with pikepdf.open(io.BytesIO(pdf)) as document:
                    pages = len(document.pages)
            else:
                untagged_bytes = len(pdf)
    return [Result(
        benchmark="tagged PDF/UA-1 vs untagged", measure="WeasyPrint, pdf_variant='pdf/ua-1' (tagged)",
        baseline="WeasyPrint, the same HTML untagged", measure_seconds=tagged, baseline_seconds=untagged,
        target="≤ 1.1×", notes=f"{label}; {pages} pages; tagged {tagged_bytes:,} bytes, untagged "
                               f"{untagged_bytes:,} bytes",
        extra={"pages": pages, "bytes (tagged, untagged)": f"{tagged_bytes}, {untagged_bytes}"})]
