"""A full committee report (data assembly, charts, HTML, PDF) against WeasyPrint rendering the same finished
HTML alone, in the same run. Target ≤ 1.25×: assembly and charts cost at most a quarter on top of layout.

The measured path is the real report run (request, snapshot, charts, HTML, PDF, storage), three times per repeat:
with the figures and charts cache emptied (cold, as on a new deployment or after a change to a lookup table);
just after a day's casework dated today was committed (the records changed, but not in the report's periods:
earlyhelp.figures_engine keeps closed periods' figures); and with the records unchanged since the figures were counted
(warm; outcomes.charts.remembered keeps the charts). Each is compared with WeasyPrint rendering its own finished
HTML in the same repeat.

**Fresh process** rows: the first report run of a new process started as a Celery worker starts one (Django set
up, the task modules imported, the worker warmed up by ``earlyhelp.warmup`` as ``earlyhelp.celery`` does in each
pool process; untimed, reported as the worker start), against WeasyPrint's first render of the same finished HTML
in a new process of its own (``import weasyprint`` untimed): plain; with the collector paused; and through the
product's own writer alone (``earlyhelp.pdf.write_pdf``: the collector paused and the frame stack's own room,
loaded without Django), the strongest and the headline. Measured and baseline processes alternate. The report
process runs as the application role (``SET ROLE``, row-level security on); the same with the warm-up off is a
separate row."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from run import Result, timed

ROOT = Path(__file__).resolve().parent.parent
# Fresh-process samples of each side (at least repeats // 2 + 1): one new process per sample, so more of them cost
# little next to the in-process repeats, and the first render's spread from process to process is wide.
FRESH_SAMPLES = int(os.environ.get("BENCH_REPORT_FRESH", "0"))

FRESH_REPORT = """
import json, os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run eagerly in this process: the run is rendered here
started = time.perf_counter()
import django
django.setup()
from earlyhelp.celery import app, warm_up_worker_process
app.loader.import_default_modules()  # as a worker starts: the tasks' modules
warm_up_worker_process()  # as earlyhelp.celery does on worker_process_init
worker_start = time.perf_counter() - started
from django.db import connection
from earlyhelp.models import Membership, Tenant
from earlyhelp.tenancy import tenant_context
from reporting import services
from reporting.models import Report, ReportRun
with connection.cursor() as cursor:
    cursor.execute("SET ROLE " + connection.ops.quote_name({role!r}))
tenant = Tenant.objects.get(pk={tenant})
with tenant_context(tenant):
    officer = Membership.objects.get(pk={officer})
    report = Report.objects.get(pk={report})
start = time.perf_counter()
with tenant_context(tenant):
    run = services.report_run_request(report=report, by=officer)
seconds = time.perf_counter() - start
with tenant_context(tenant):
    run = ReportRun.objects.get(pk=run.pk)
print(json.dumps([seconds, run.status, run.error, worker_start, "matplotlib" in sys.modules]))
"""

FRESH_WEASYPRINT = """
import gc, json, sys, time, types
from weasyprint import HTML
html = open({path!r}, encoding="utf-8").read()
if {mode!r} == "writer":
    # The product's own writer (earlyhelp.pdf.write_pdf: the collector paused, the frame stack's own room), loaded
    # from its files without the earlyhelp package's __init__ (which would import Celery): WeasyPrint alone, with
    # nothing of the product but those two Django-free modules.
    package = types.ModuleType("earlyhelp")
    package.__path__ = [{root!r} + "/earlyhelp"]
    sys.modules["earlyhelp"] = package
    from earlyhelp.pdf import write_pdf
    render = lambda: write_pdf(html, base_url=".", pdf_variant={variant!r})
else:
    if {mode!r} == "paused":
        gc.disable()  # the garbage collector off, as the product's writer has it
    render = lambda: HTML(string=html, base_url=".").write_pdf(pdf_variant={variant!r})
start = time.perf_counter()
render()
print(json.dumps(time.perf_counter() - start))
"""


def _fresh_report(tenant_id: int, officer_id: int, report_id: int, *, warm_up: bool) -> tuple[float, float, bool]:
    """(the first run's seconds, the worker start's seconds, whether matplotlib was imported) in a new process."""
    from django.conf import settings

    code = FRESH_REPORT.format(root=str(ROOT), role=settings.DATABASE_APP_ROLE, tenant=tenant_id,
                               officer=officer_id, report=report_id)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT,
                         env={**os.environ, "WARM_UP": "on" if warm_up else "off"})
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    seconds, status, error, start, matplotlib = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == "done", error
    return seconds, start, matplotlib


def _fresh_weasyprint(path: str, *, mode: str = "plain") -> float:
    """WeasyPrint's first render of the HTML at ``path`` in a new process: ``plain``; ``paused`` (the collector
    off); ``writer`` (through earlyhelp.pdf.write_pdf, as the product renders: the strongest)."""
    from reporting.rendering import PDF_VARIANT

    code = FRESH_WEASYPRINT.format(path=path, variant=PDF_VARIANT, mode=mode, root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    # the process's first use of WeasyPrint, fontconfig and matplotlib; then what the process holds is frozen out
    # of the garbage collector's sight, as a worker's pool process does after its warm-up (earlyhelp.celery).
    request_and_render()
    from earlyhelp.warmup import freeze_long_lived_objects

    freeze_long_lived_objects()
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
    # Fresh processes: the report's first run in a new worker against WeasyPrint's first render in a new process.
    from earlyhelp.rls import grant_app_role

    grant_app_role()
    fresh, fresh_off, start_on, start_off = [], [], [], []
    baselines: dict[str, list[float]] = {"plain": [], "paused": [], "writer": []}
    drew = set()
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8", delete=False) as handle:
        handle.write(html)
    try:
        for repeat in range(max(1, repeats // 2 + 1, FRESH_SAMPLES)):
            order = (("report", "off", "plain", "paused", "writer") if repeat % 2 == 0
                     else ("writer", "paused", "plain", "off", "report"))
            for side in order:
                if side in baselines:
                    baselines[side].append(_fresh_weasyprint(handle.name, mode=side))
                    continue
                seconds, start, matplotlib = _fresh_report(tenant.pk, officer.pk, report.pk,
                                                           warm_up=side == "report")
                (fresh if side == "report" else fresh_off).append(seconds)
                (start_on if side == "report" else start_off).append(start)
                drew.add(matplotlib)
    finally:
        os.unlink(handle.name)

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
        Result(benchmark="committee report, first run in a fresh process",
               measure="the first report run (request + snapshot + charts + HTML + PDF + storage) of a new worker "
                       "process (Django set up, task modules imported, earlyhelp.warmup), application role",
               baseline="WeasyPrint's first render of the same finished HTML in a new process (import untimed)",
               measure_seconds=fresh, baseline_seconds=baselines["plain"], target="≤ 1.25×",
               notes=f"every section, 2025/26 Q4, {label}; the process's cache empty (figures from the stored "
                     f"summaries, charts from the stored drawings); matplotlib imported by the run: "
                     f"{'yes' if True in drew else 'no'}"),
        Result(benchmark="committee report, first run in a fresh process, vs WeasyPrint with the collector paused",
               measure="the first report run of a new worker process (as above)",
               baseline="WeasyPrint's first render of the same HTML in a new process, the garbage collector off during "
                        "the render as the product's writer has it",
               measure_seconds=fresh, baseline_seconds=baselines["paused"], target="≤ 1.25×",
               notes=f"every section, 2025/26 Q4, {label}; the same report processes as the row above"),
        Result(benchmark="committee report, first run in a fresh process, vs WeasyPrint through the product's writer",
               measure="the first report run of a new worker process (as above)",
               baseline="WeasyPrint's first render of the same HTML in a new process through earlyhelp.pdf.write_pdf "
                        "alone (the collector paused and the frame stack's own room, as every product PDF is "
                        "written): the strongest WeasyPrint alone, the headline",
               measure_seconds=fresh, baseline_seconds=baselines["writer"], target="≤ 1.25×",
               notes=f"every section, 2025/26 Q4, {label}; the same report processes as the rows above"),
        Result(benchmark="committee report, first run in a fresh process, warm-up off",
               measure="the same first run in a new process started with WARM_UP=off",
               baseline="WeasyPrint's first render of the same finished HTML in a new process (import untimed)",
               measure_seconds=fresh_off, baseline_seconds=baselines["plain"], target="≤ 1.25×",
               notes=f"every section, 2025/26 Q4, {label}"),
        Result(benchmark="report worker start: Django, task modules and the warm-up",
               measure="a new process: django.setup(), the Celery app's task modules, earlyhelp.warmup",
               baseline="the same with WARM_UP=off", measure_seconds=start_on, baseline_seconds=start_off,
               target="reported: paid once per worker process before it takes a task",
               notes="the processes of the two rows above"),
    ]
