"""The API's cases list against a bare Django view, both served by gunicorn and loaded over loopback.

Measured: ``GET /api/v1/cases/`` (50 per page) with an API client's bearer token — authentication, the
tenant's context, scope and throttle checks, the filter set, cursor pagination, the serializer and the audit
row of the call. Baseline: ``/api/bench/bare-cases/`` (``bench/api_site/urls.py``, not in the product's URLs): the
same 50 rows with ``values()`` and ``JsonResponse``; a second row compares the API with a bare view reading
the rows the API's own way (``/api/bench/bare-cases-split/``: the rows, then one statement for what they refer
to, through ``cases.api.case_rows_representation``), i.e. the framework's overhead alone.
One gunicorn (DEBUG off) serves all three, connected as the application role (``settings.DATABASE_APP_ROLE``:
neither owner, superuser nor BYPASSRLS), so row-level security applies to the API and to the bare views alike;
the bare views enter the tenant's context the way the API does (``app.tenant_id`` sent with the first statement).
They are loaded in interleaved rounds (the order rotates each round) of a fixed number of requests by a few
concurrent clients on the same machine, so all see the same machine state. The tenant has about 100,000 cases
(``national.API``, generated on first use).
After the run every API call must have left its audit row (read rows, outside the chain, ``record_read``), and
the tenant's audit log is verified (``verify_audit_log``, which first seals the unsealed reads): intact or the
benchmark fails.
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
# 2 sync workers and 4 clients by default (the figures kept since the first run); BENCH_API_WORKERS=5 is
# gunicorn's advice for 2 cores (2 × cores + 1), with twice as many clients as workers unless BENCH_API_CLIENTS.
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "2"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", str(2 * WORKERS)))
REQUESTS = 400  # per round and path
API_PATH = "/api/v1/cases/"
BARE_PATH = "/api/bench/bare-cases/"
SPLIT_PATH = "/api/bench/bare-cases-split/"


def _request_bytes(path: str, token: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json", "Connection: close",
             "X-Forwarded-Proto: https"]  # as behind the TLS proxy of production (SECURE_SSL_REDIRECT stays on)
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


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (Linux /proc), vanished ones left out."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _TICK


def _server_pids(server: subprocess.Popen, database: str) -> tuple[list[int], list[int]]:
    """The gunicorn workers' processes and the PostgreSQL backends serving this database (as the superuser)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        backends = [row[0] for row in cursor.fetchall()]
    connection.close()
    return workers, backends


def _cpu_note(cpu: dict[str, list[float]], baseline: str) -> str:
    api, bare = statistics.median(cpu["api"]), statistics.median(cpu[baseline])
    return (f"API {api * 1000:.2f}, bare {bare * 1000:.2f}, ratio bare/API {bare / api:.3f} (what the throughput "
            "ratio would be where the server's processes had the cores to themselves)")


def _app_role_url() -> str:
    """The database URL of the application role (no password: the benchmark's server trusts local roles, or the
    role's password comes from ``DATABASE_APP_PASSWORD``), after checking that RLS applies to that role."""
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection, transaction

    from earlyhelp.rls import app_role_exists, grant_app_role

    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        if not app_role_exists(cursor, role):
            raise RuntimeError(f"no role {role} on this server: the API benchmark measures as the application role")
    grant_app_role()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is False, f"{role} is superuser or BYPASSRLS"
        cursor.execute("SELECT count(*) FROM cases_case")  # no tenant set: RLS must show nothing
        assert cursor.fetchone()[0] == 0, f"row-level security does not apply to {role}"
    db = settings.DATABASES["default"]
    password = os.environ.get("DATABASE_APP_PASSWORD", "")
    auth = quote(role) + (f":{quote(password)}" if password else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _serve(tenant_id: int, tmp: Path, url: str) -> subprocess.Popen:
    from django.conf import settings

    # The server signs its audit rows with the key this process verifies them with after the run (run()).
    env = {**os.environ, "AUDIT_KEY": settings.AUDIT_KEY, "DATABASE_URL": url, "DEBUG": "off",
           "SECRET_KEY": "bench-api-" + "k" * 50,
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
    from earlyhelp.models import Membership, User
    from earlyhelp.permissions import Role
    from earlyhelp.tenancy import tenant_context

    with tenant_context(tenant):
        admin = Membership.objects.filter(role=Role.TENANT_ADMIN, is_active=True).order_by("pk").first()
        if admin is None:  # bench/generate.py makes no administrator: the benchmark's own, who issues the token
            user, _ = User.objects.get_or_create(username=f"{tenant.slug}.bench-admin",
                                                 defaults={"first_name": "Bench", "last_name": "Administrator",
                                                           "password": "!"})
            admin = Membership.objects.create(tenant=tenant, user=user, role=Role.TENANT_ADMIN)
        _, token = api_client_create(by=admin, name=f"Benchmark {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
                                     scopes=["cases:read"], expires_at=timezone.now() + dt.timedelta(hours=2))
    return token


def run(repeats: int) -> list[Result]:
    from django.conf import settings
    from django.test.utils import override_settings

    # One audit key for this process and the server's workers (the installation's AUDIT_KEY when set), so that
    # the log verifies after the run; keys derived from this process's SECRET_KEY, and the benchmark's own key
    # (rows of earlier runs), still verify the older rows.
    bench_key = "bench-api-audit-key-" + "a" * 40
    with override_settings(AUDIT_KEY=settings.AUDIT_KEY or bench_key,
                           AUDIT_RETIRED_KEYS=[*settings.AUDIT_RETIRED_KEYS, bench_key]):
        return _run(repeats)


def _run(repeats: int) -> list[Result]:
    import json

    from django.conf import settings
    from django.db import connection

    from cases.models import Case
    from earlyhelp.audit_verify import verify_audit_log
    from earlyhelp.models import AuditEvent
    from earlyhelp.tenancy import tenant_context

    tenant = synthetic_tenant(API)
    cases = Case.all_tenants.filter(tenant=tenant).count()
    token = _client_token(tenant)
    url = _app_role_url()
    first_event = AuditEvent.all_tenants.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()  # the server's workers get the database to themselves
    raws = {"api": _request_bytes(API_PATH, token), "bare": _request_bytes(BARE_PATH, None),
            "split": _request_bytes(SPLIT_PATH, None)}
    tmp = Path(tempfile.mkdtemp(prefix="eh-bench-api-"))
    server = _serve(tenant.pk, tmp, url)
    times: dict[str, list[float]] = {name: [] for name in raws}
    cpu: dict[str, list[float]] = {name: [] for name in raws}  # server CPU seconds per request (workers + backends)
    cpu_database: dict[str, list[float]] = {name: [] for name in raws}  # of which the PostgreSQL backends
    errors = 0
    api_calls = 0
    try:
        _wait_for(server)
        bodies = {}
        for name, raw in raws.items():  # all answer, with the same cases in the same order
            status, data = _fetch(raw)
            api_calls += name == "api"
            assert status == 200, data[:500]
            bodies[name] = json.loads(data.split(b"\r\n\r\n", 1)[1])["results"]
        ids = [row["id"] for row in bodies["api"]]
        assert len(ids) == 50
        assert ids == [row["public_id"] for row in bodies["bare"]] == [row["id"] for row in bodies["split"]]
        for raw in raws.values():  # warm every path in every worker
            _round(raw, 20 * WORKERS, CLIENTS)
        api_calls += 20 * WORKERS
        names = list(raws)
        workers, backends = _server_pids(server, settings.DATABASES["default"]["NAME"])
        for i in range(repeats):
            for name in names[i % 3:] + names[: i % 3]:
                before = _cpu_seconds(workers), _cpu_seconds(backends)
                seconds, failed = _round(raws[name], REQUESTS, CLIENTS)
                python, database = _cpu_seconds(workers) - before[0], _cpu_seconds(backends) - before[1]
                cpu[name].append((python + database) / REQUESTS)
                cpu_database[name].append(database / REQUESTS)
                errors += failed
                times[name].append(seconds / REQUESTS)
                api_calls += REQUESTS if name == "api" else 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    # Every API call left its read row; then the whole log (chain, reads, seals) verifies intact.
    reads = AuditEvent.all_tenants.filter(tenant=tenant, pk__gt=first_event, action="api.request", chained=False,
                                          detail__method="GET").count()
    assert reads == api_calls, f"{api_calls} API calls but {reads} audit rows"
    with tenant_context(tenant):
        verified = verify_audit_log(tenant)
    assert verified.intact, f"audit log not intact after the benchmark: {verified.breaks[:5]}"
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
                   "non-200 responses (all paths)": errors,
                   "server CPU per request (gunicorn workers + PostgreSQL backends, ms)": _cpu_note(cpu, baseline),
                   "of which PostgreSQL's backends (ms)":
                       f"API {statistics.median(cpu_database['api']) * 1000:.2f}, "
                       f"bare {statistics.median(cpu_database[baseline]) * 1000:.2f}",
                   "database role of the server": f"{url.split('://', 1)[1].split('@', 1)[0].split(':', 1)[0]} "
                                                  "(not owner, superuser or BYPASSRLS: RLS on every path)",
                   "audit after the run": f"{api_calls} API calls, {reads} read rows; verify_audit_log: "
                                          f"{verified.checked} events checked ({verified.reads} reads, "
                                          f"{verified.unsealed} unsealed), {len(verified.breaks)} breaks"},
        ))
    return results
