"""The outcomes dashboard cold and warm, for the whole council, a locality and a team, as the application role
(row-level security applies), against one raw SQL aggregate of the same measures for the same five quarters.

* **cold**: the shared cache emptied before each view (as after a restart or a new deployment); the closed
  quarters' figures come from the figures engine's stored summaries (earlyhelp_figuressummary) and the charts from
  the stored drawings — the state the background recount keeps a council in.
* **warm**: the view again, the cache holding the figures and charts.
* **fresh process**: the first view in a new Python process started as a WSGI server starts a worker
  (``earlyhelp.wsgi``: Django set up, the URL conf loaded and the worker warmed up — ``earlyhelp.warmup`` — before
  it accepts a request), one process per sample; the same with the warm-up switched off (``WARM_UP=off``), and
  the **worker start** itself (the import of ``earlyhelp.wsgi``, warm-up included) against the same start
  without the warm-up, so that what the warm-up moves out of the first request is shown where it goes.
* **nothing stored**: the store and cache emptied (a council's first view ever, or after a lookup write).

Measured and baseline alternate within each round; rounds rotate the scopes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_framework import RAW_SQL
from django.conf import settings
from django.db import connection
from national import FRAMEWORK, client_for, member, synthetic_tenant
from run import Result

FRESH = """
import json, os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
os.environ.pop("CELERY_BROKER_URL", None)
started = time.perf_counter()
import earlyhelp.wsgi  # as a WSGI server starts a worker: Django set up, the URL conf loaded, the warm-up
worker_start = time.perf_counter() - started
from django.db import connection
from django.test import Client
from earlyhelp.models import User
with connection.cursor() as cursor:
    cursor.execute("SET ROLE " + connection.ops.quote_name({role!r}))
client = Client()
client.force_login(User.objects.get(pk={user}))
start = time.perf_counter()
status = client.get({url!r}).status_code
first = time.perf_counter() - start
from django.core.cache import cache
cache.clear()  # the second view in the same process, cold as the first: what the first paid once is the difference
start = time.perf_counter()
status_again = client.get({url!r}).status_code
print(json.dumps([first, status, worker_start, time.perf_counter() - start, status_again]))
"""


def _set_role(app: bool) -> None:
    with connection.cursor() as cursor:
        if app:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")
        else:
            cursor.execute("RESET ROLE")


def _fresh_view(user_id: int, url: str, *, warm_up: bool = True) -> tuple[float, float, float]:
    """(the first view's seconds, the worker start's seconds, the second view's seconds — the cache emptied again
    between them) in a new process, with or without the warm-up."""
    root = str(Path(__file__).resolve().parent.parent)
    code = FRESH.format(root=root, role=settings.DATABASE_APP_ROLE, user=user_id, url=url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "WARM_UP": "on" if warm_up else "off"}, cwd=root)
    seconds, status, start, again, status_again = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == status_again == 200, (status, status_again)
    return seconds, start, again


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{s:.3f}" for s in seconds)


def _ratios(first: list[float], second: list[float]) -> str:
    import statistics

    ratios = [a / b for a, b in zip(first, second, strict=True)]
    return f"{statistics.median(ratios):.2f}× ({', '.join(f'{r:.2f}' for r in ratios)})"


def run(repeats: int) -> list[Result]:
    from django.core.cache import cache
    from django.urls import reverse

    from earlyhelp.models import FiguresDrawing, FiguresSummary, Locality, Team
    from earlyhelp.periods import Quarter
    from earlyhelp.rls import grant_app_role
    from earlyhelp.tenancy import tenant_context

    tenant = synthetic_tenant(FRAMEWORK)
    grant_app_role()
    officer = member(tenant, "performance_officer")
    client = client_for(officer.user)
    fy = tenant.financial_year_start_month
    quarter = Quarter(2025, 4, fy)  # the generated data's last quarter (January to March 2026): closed
    quarters = [quarter.shifted(-i) for i in range(4, -1, -1)]
    with tenant_context(tenant):
        locality = Locality.objects.order_by("pk").first()
        team = Team.objects.order_by("pk").first()
    base = reverse("outcomes:dashboard") + f"?quarter={quarter.start.isoformat()}"
    scopes = {"council": base, f"locality ({locality})": f"{base}&locality={locality.pk}",
              f"team ({team})": f"{base}&team={team.pk}"}

    def view(url):
        start = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - start
        assert response.status_code == 200, (response.status_code, response.content[:2000])
        return seconds

    def raw_five():
        start = time.perf_counter()
        with tenant_context(tenant), connection.cursor() as cursor:
            for q in quarters:
                cursor.execute(RAW_SQL, {"t": tenant.pk, "s": q.start, "e": q.end})
                cursor.fetchall()
        return time.perf_counter() - start

    from outcomes.stats import performance_framework

    def framework_stored():
        cache.clear()
        start = time.perf_counter()
        with tenant_context(tenant):
            performance_framework(period=quarter)
        return time.perf_counter() - start

    def raw_one():
        start = time.perf_counter()
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"t": tenant.pk, "s": quarter.start, "e": quarter.end})
            cursor.fetchall()
        return time.perf_counter() - start

    framework, framework_raw = [], []
    cold = {s: [] for s in scopes}
    warm = {s: [] for s in scopes}
    fresh = {s: [] for s in scopes}
    fresh_off = {s: [] for s in scopes}
    second = {s: [] for s in scopes}
    second_off = {s: [] for s in scopes}
    start_on, start_off = [], []
    raw = []
    never = {s: [] for s in scopes}
    _set_role(True)
    try:
        for url in scopes.values():  # the background recount's work: count and store once
            view(url)
        for r in range(repeats):
            names = list(scopes)
            names = names[r % len(names):] + names[:r % len(names)]
            for name in names:
                cache.clear()
                cold[name].append(view(scopes[name]))
                raw.append(raw_five())
                warm[name].append(view(scopes[name]))
            framework.append(framework_stored())
            framework_raw.append(raw_one())
        for r in range(max(1, repeats // 2 + 1)):
            for name, url in scopes.items():
                for warm_up in ((True, False) if r % 2 == 0 else (False, True)):  # alternate which goes first
                    seconds, start, again = _fresh_view(officer.user_id, url, warm_up=warm_up)
                    (fresh if warm_up else fresh_off)[name].append(seconds)
                    (second if warm_up else second_off)[name].append(again)
                    (start_on if warm_up else start_off).append(start)
        for name, url in scopes.items():
            for _ in range(max(1, repeats // 2)):
                with tenant_context(tenant):
                    FiguresSummary.objects.all().delete()
                    FiguresDrawing.objects.all().delete()
                cache.clear()
                never[name].append(view(url))
        with tenant_context(tenant):
            stored = FiguresSummary.objects.count()
    finally:
        _set_role(False)

    common = {"target": "< 100 ms server time", "baseline": "one raw SQL aggregate of the framework's headline "
              "measures, five quarters, council-wide (as the application role)"}
    size = (f"Synthetic Council {FRAMEWORK:03d} as generated (`bench/generate.py`); {stored} summary rows stored "
            f"after the views; quarters {quarters[0]} to {quarter}")
    results = [Result(
        "performance framework, a closed quarter, cache emptied", "performance_framework for the quarter as the "
        "application role, shared cache emptied first (the stored summaries)", "one raw SQL aggregate of the "
        "headline measures for the quarter (as the application role)", measure_seconds=framework,
        baseline_seconds=framework_raw, target="≤ 2× one raw SQL aggregate", notes=size)]
    for name in scopes:
        results.append(Result(
            f"outcomes dashboard, cold, {name}", "GET /outcomes/ as the application role (RLS on), shared cache "
            "emptied first: closed quarters from the stored summaries, charts from the stored drawings",
            measure_seconds=cold[name], baseline_seconds=raw, notes=size, **common))
        results.append(Result(
            f"outcomes dashboard, warm, {name}", "GET /outcomes/ as the application role (RLS on), cache warm",
            measure_seconds=warm[name], baseline_seconds=raw, notes=size, **common))
        results.append(Result(
            f"outcomes dashboard, first view in a fresh process, {name}", "the first GET /outcomes/ of a new "
            "Python process started as a WSGI server starts a worker (earlyhelp.wsgi: Django set up, URL conf "
            "loaded, worker warmed up by earlyhelp.warmup; the figures read by this request), application role",
            measure_seconds=fresh[name], baseline_seconds=raw, notes=size, **common,
            extra={"the second view in the same process (cache emptied again)": _runs(second[name]),
                   "first ÷ second, median of the processes": _ratios(fresh[name], second[name])}))
        results.append(Result(
            f"outcomes dashboard, first view in a fresh process, warm-up off, {name}", "the same first GET in a "
            "new process started with WARM_UP=off (URL conf loaded; reverse tables, templates, catalogs, lazy "
            "imports and the connection set up by this request)",
            measure_seconds=fresh_off[name], baseline_seconds=raw, notes=size, **common,
            extra={"the second view in the same process (cache emptied again)": _runs(second_off[name]),
                   "first ÷ second, median of the processes": _ratios(fresh_off[name], second_off[name])}))
        results.append(Result(
            f"outcomes dashboard, nothing stored, {name}", "GET /outcomes/ with the store and cache emptied "
            "(a council's first view ever, or after a write to a lookup table): every quarter counted",
            measure_seconds=never[name], baseline_seconds=raw, notes=size,
            target="counted once, then stored", baseline=common["baseline"]))
    results.append(Result(
        "worker start: import earlyhelp.wsgi with the warm-up", "import of earlyhelp.wsgi in a new process "
        "(Django set up, URL conf loaded, earlyhelp.warmup), the processes of the fresh-process rows",
        "the same import with WARM_UP=off, the processes of the warm-up-off rows", measure_seconds=start_on,
        baseline_seconds=start_off, target="reported: the warm-up's cost, paid once per worker before it serves",
        notes="measured with the first views above, interleaved"))
    return results
