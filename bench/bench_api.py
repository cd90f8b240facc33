"""The API's cases list against a bare Django view, both served by gunicorn and loaded over loopback.

Measured: ``GET /api/v1/cases/`` (50 per page) with an API client's bearer token — authentication, the
tenant's context, scope and throttle checks, the filter set, cursor pagination, the serializer and the audit
row of the call. Baseline: ``/api/bench/bare-cases/`` (``bench/api_site/urls.py``, not in the product's URLs): the
same 50 rows with ``values()`` and ``JsonResponse``; a second row compares the API with a bare view reading
the rows the API's own way (``/api/bench/bare-cases-split/``: the rows, then one statement for what they refer
to, through ``cases.api.case_rows_representation``), i.e. the framework's overhead alone.
One gunicorn (DEBUG off) serves all three; they are loaded in rotating rounds of a fixed number of requests by
a few concurrent clients on the same machine, so all see the same machine state. The tenant has about 100,000
cases (``national.API``, generated on first use).
Figures are seconds per request (the inverse of throughput): the ratio is the API's time over the bare view's,
and the target, at most 1.25×, is a throughput of at least 0.8 of the bare view's.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from national import API, synthetic_tenant
from run import ROOT, Result

PORT = 8791
WORKERS = 2
CLIENTS = 4
REQUESTS = 400  # per round and path
API_PATH = "/api/v1/cases/"
BARE_PATH = "/api/bench/bare-cases/"
SPLIT_PATH = "/api/bench/bare-cases-split/"


def _request_bytes(path: str, token: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _fetch(raw: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", PORT), timeout=60) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    return int(data[9:12]), data


def _round(raw: bytes, requests: int, clients: int) -> tuple[float, int]:
    """Send ``requests`` requests from ``clients`` threads; (seconds, errors)."""
    remaining = iter(range(requests))
    lock = threading.Lock()
    errors = [0]

    def client():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            status, _ = _fetch(raw)
            if status != 200:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, errors[0]


def _serve(tenant_id: int, tmp: Path) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = os.environ.get("DATABASE_URL") or f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "off", "SECRET_KEY": "bench-api-" + "k" * 50,
           "ALLOWED_HOSTS": "127.0.0.1", "TWO_FACTOR_ENFORCED": "off", "SECURE_COOKIES": "off",
           "VAR_DIR": str(tmp), "STATIC_ROOT": str(tmp), "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "bench.api_site.settings", "API_THROTTLE_RATE": "1000000/min",
           "BENCH_TENANT_ID": str(tenant_id)}
    env.pop("CELERY_BROKER_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), "earlyhelp.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(WORKERS),
                             "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)


def _wait_for(server: subprocess.Popen) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if _fetch(_request_bytes("/healthz", None))[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _client_token(tenant) -> str:
    from django.utils import timezone

    from earlyhelp.api.services import api_client_create
    from earlyhelp.models import Membership
    from earlyhelp.permissions import Role
    from earlyhelp.tenancy import tenant_context

    with tenant_context(tenant):
        admin = Membership.objects.filter(role=Role.TENANT_ADMIN, is_active=True).order_by("pk").first()
        _, token = api_client_create(by=admin, name=f"Benchmark {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
                                     scopes=["cases:read"], expires_at=timezone.now() + dt.timedelta(hours=2))
    return token


def run(repeats: int) -> list[Result]:
    import json

    from django.db import connection

    from cases.models import Case

    tenant = synthetic_tenant(API)
    cases = Case.all_tenants.filter(tenant=tenant).count()
    token = _client_token(tenant)
    connection.close()  # the server's workers get the database to themselves
    raws = {"api": _request_bytes(API_PATH, token), "bare": _request_bytes(BARE_PATH, None),
            "split": _request_bytes(SPLIT_PATH, None)}
    tmp = Path(tempfile.mkdtemp(prefix="eh-bench-api-"))
    server = _serve(tenant.pk, tmp)
    times: dict[str, list[float]] = {name: [] for name in raws}
    errors = 0
    try:
        _wait_for(server)
        bodies = {}
        for name, raw in raws.items():  # all answer, with the same cases in the same order
            status, data = _fetch(raw)
            assert status == 200, data[:500]
            bodies[name] = json.loads(data.split(b"\r\n\r\n", 1)[1])["results"]
        ids = [row["id"] for row in bodies["api"]]
        assert len(ids) == 50
        assert ids == [row["public_id"] for row in bodies["bare"]] == [row["id"] for row in bodies["split"]]
        for raw in raws.values():  # warm every path in every worker
            _round(raw, 20 * WORKERS, CLIENTS)
        names = list(raws)
        for i in range(repeats):
            for name in names[i % 3:] + names[: i % 3]:
                seconds, failed = _round(raws[name], REQUESTS, CLIENTS)
                errors += failed
                times[name].append(seconds / REQUESTS)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    rps = {name: 1 / statistics.median(seconds) for name, seconds in times.items()}
    served = (f"gunicorn {WORKERS} sync workers, DEBUG off, {CLIENTS} clients on loopback, {REQUESTS} requests "
              f"per round; {cases:,} cases in {tenant.name}")
    measure = ("GET /api/v1/cases/ with an API client's token: tenant context, scope, throttle, cursor page, "
               "rows, audit row")
    results = []
    for baseline, label in (("bare", "bare Django view: the same 50 rows with values() (one join) and JsonResponse"),
                            ("split", "bare Django view reading the rows the API's way (rows, then one "
                                      "statement for the related rows), JsonResponse")):
        results.append(Result(
            benchmark="API cases list (50 per page)" + (" vs split-query bare view" if baseline == "split" else ""),
            measure=measure, baseline=label, measure_seconds=times["api"], baseline_seconds=times[baseline],
            target="≤ 1.25× (throughput ≥ 0.8 of the bare view)",
            notes=f"{rps['api']:.0f} req/s vs {rps[baseline]:.0f} req/s: **{rps['api'] / rps[baseline]:.2f}** of the "
                  f"bare view's throughput; {served}",
            extra={"seconds are per request": "median over the rounds; rounds rotate which path goes first",
                   "throughput (req/s)": f"API {rps['api']:.1f}, bare {rps[baseline]:.1f}, "
                                         f"ratio {rps['api'] / rps[baseline]:.3f}",
                   "non-200 responses (all paths)": errors},
        ))
    return results
