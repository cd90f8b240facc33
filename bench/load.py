"""Load test: N signed-in users work through the main pages and the API for D seconds against gunicorn on loopback.

    .venv/bin/python bench/load.py                      # 50 users, 60 s, the demo in database eh_load (re-created)
    .venv/bin/python bench/load.py --users 10 --duration 15 --database-url postgres://postgres@127.0.0.1/eh_load
    .venv/bin/python bench/load.py --national postgres://postgres@127.0.0.1/eh_national   # a generated database

Two kinds of database:

* the demo (default): the database of ``--database-url`` is dropped, created, migrated and seeded with the demo's
  two councils;
* ``--national URL``: an existing database of ``bench/generate.py`` (national size), never dropped nor migrated
  (pending migrations stop the run). Its councils get the load-test users; nothing else of it is changed except
  what serving pages writes (sessions, audit rows of the pages read).

The URLs are the owner's (migrations, seeding and the users are written as the owner). The users, idempotently:
per role, the councils' own members first — practitioners with the most open cases they lead, team managers
with the most open cases in their teams, then the others — and, when a council has fewer members in the role than
the run needs, new ``load.<council>.<role>.<n>`` users with the teams of the role's first member. All get the
password below. Each user's ``{case}`` is an open case of their own caseload, else of their teams, else of their
council; ``{service}`` a commissioned service of their council (a council without one stops the run).

gunicorn (production settings, DEBUG off) connects as the application role (``settings.DATABASE_APP_ROLE``,
``earlyhelp_app``), not as the owner: before serving, the script connects as that role and checks it is neither
superuser, BYPASSRLS nor owner of the case table, and that a SELECT without a council sees no case, so row-level
security applies to every request. Then one thread per user signs in through the login form (before the clock
starts) and requests the role's pages and API endpoints in turn, without think time, until the time is up.
Every response other than 200 — and any exception — counts as an error. Prints the figures and writes them to the
``## Load test`` section of docs/benchmarks.md (replacing only that section), with the database's size, the load
average before and after and the niceness of the run. Not run in CI: it takes minutes. Only the Python standard
library is used on the client side; the preparation uses Django.

Two-factor sign-in is switched off for the run (``TWO_FACTOR_ENFORCED=off``): the users have no TOTP devices.
Requests carry ``X-Forwarded-Proto: https`` as behind the TLS proxy of production (HTTPS redirect stays on).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-passphrase-4821"
SECRET_KEY = "load-test-" + "k" * 50  # production settings (DEBUG off) refuse to start without one

PAGES = {
    "practitioner": ["/", "/cases/", "/cases/tasks/", "/cases/referrals/", "{case}", "{case}notes/", "/outcomes/cases/",
                     "/api/v1/cases/?status=open", "/api/v1/families/", "/api/v1/people/"],
    "team_manager": ["/", "/cases/team/", "/cases/", "{case}", "/outcomes/", "/api/v1/cases/",
                     "/api/v1/stats/cases/?period=2024/25%20Q1"],
    "performance_officer": ["/", "/outcomes/", "/reports/", "/commissioning/", "/reports/indicators/",
                            "/api/v1/stats/cases/?period=2024/25%20Q1"],
    "commissioner": ["/", "/commissioning/", "{service}", "/api/v1/stats/cases/?period=2024/25%20Q1"],
}
MIX = {"practitioner": 25, "team_manager": 10, "performance_officer": 10, "commissioner": 5}


def _manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, **kwargs)


def _env(database_url: str, static_root: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "earlyhelp.settings",
           "STATIC_ROOT": str(static_root)}
    env.pop("CELERY_BROKER_URL", None)
    return env


def prepare_demo(database_url: str, static_root: Path) -> None:
    """Drop, create, migrate and seed the demo database."""
    env = _env(database_url, static_root)
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--password", PASSWORD, stdout=subprocess.DEVNULL)


def check_national(database_url: str, static_root: Path) -> None:
    """The generated database exists and has no pending migration (it is not migrated here)."""
    env = _env(database_url, static_root)
    pending = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--check", "--plan"], env=env,
                             capture_output=True, text=True)
    if pending.returncode != 0:
        raise SystemExit(f"{database_url}: pending migrations (migrate it first, as its owner):\n{pending.stdout}"
                         f"{pending.stderr}")


def collect_static(database_url: str, static_root: Path) -> None:
    env = {**_env(database_url, static_root), "DEBUG": "off", "SECRET_KEY": SECRET_KEY}
    _manage(env, "collectstatic", "--noinput", "-v0")


def _setup_django(database_url: str, static_root: Path) -> None:
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "earlyhelp.settings",
                       "STATIC_ROOT": str(static_root)})
    os.environ.pop("CELERY_BROKER_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _ranked_members(tenant, role: str) -> list:
    """The council's active members in ``role``, the busiest first (open cases led; for managers, in their teams)."""
    from django.db.models import Count, Q

    from cases.models import Case
    from earlyhelp.models import Membership

    members = Membership.all_tenants.filter(tenant=tenant, role=role, is_active=True).select_related("user")
    if role == "practitioner":
        led = dict(Case.all_tenants.filter(tenant=tenant, closed_on__isnull=True, lead_professional__isnull=False)
                   .values_list("lead_professional").annotate(n=Count("pk")))
        return sorted(members, key=lambda m: (-led.get(m.user_id, 0), m.pk))
    if role == "team_manager":
        members = members.annotate(n=Count("teams__cases", filter=Q(teams__cases__closed_on__isnull=True)))
        return list(members.order_by("-n", "pk"))
    return list(members.order_by("pk"))


def add_users(users: int, tenant_slugs: list[str] | None) -> list[dict]:
    """The load-test users (idempotent): see the module's docstring. Returns for each user its username, role,
    council and the ids its pages need."""
    from django.contrib.auth.hashers import check_password, make_password
    from django.db import transaction

    from cases.models import Case
    from commissioning.models import CommissionedService
    from earlyhelp.models import Membership, Tenant, User
    from earlyhelp.tenancy import platform_context

    accounts = []
    with platform_context(), transaction.atomic():
        tenants = list(Tenant.objects.order_by("slug"))
        if tenant_slugs is not None:
            tenants = [t for t in tenants if t.slug in tenant_slugs]
        if not tenants:
            raise SystemExit("no council to load-test in this database")
        wanted = {role: max(1, count * users // 50) for role, count in MIX.items()}
        picked = []  # (tenant, membership, role)
        for role, count in wanted.items():
            ranked = {t.pk: _ranked_members(t, role) for t in tenants}
            for i in range(count):
                tenant = tenants[i % len(tenants)]
                k = i // len(tenants)
                members = ranked[tenant.pk]
                if k < len(members):
                    picked.append((tenant, members[k], role))
                    continue
                user, _ = User.objects.get_or_create(username=f"load.{tenant.slug}.{role}.{k}",
                                                     defaults={"first_name": "Load", "last_name": f"{role} {k}"})
                membership, made = Membership.all_tenants.get_or_create(tenant=tenant, user=user,
                                                                        defaults={"role": role})
                if made and members:
                    membership.teams.set(members[0].teams.all())
                picked.append((tenant, membership, role))
        # One hash for all (hashing is slow on purpose); kept when it already matches the password.
        current = [m.user.password for _, m, _ in picked]
        hashed = next((h for h in current if h and check_password(PASSWORD, h)), None) or make_password(PASSWORD)
        User.objects.filter(pk__in=[m.user_id for _, m, _ in picked]).exclude(password=hashed).update(password=hashed)
        services = {}
        for tenant in tenants:
            first = CommissionedService.all_tenants.filter(tenant=tenant).order_by("pk").first()
            services[tenant.pk] = first.public_id if first else None
        for tenant, membership, role in picked:
            found = {}
            if any("{case}" in p for p in PAGES[role]):
                open_cases = Case.all_tenants.filter(tenant=tenant, closed_on__isnull=True).order_by("-opened_on", "pk")
                case = (open_cases.filter(lead_professional=membership.user_id).first()
                        or open_cases.filter(team__in=membership.teams.values("pk")).first() or open_cases.first())
                if case is None:
                    raise SystemExit(f"{tenant.name} has no open case for the {role} pages")
                found["case"] = f"/cases/{case.public_id}/"
            if any("{service}" in p for p in PAGES[role]):
                if services[tenant.pk] is None:
                    raise SystemExit(f"{tenant.name} has no commissioned service for the {role} pages")
                found["service"] = f"/commissioning/services/{services[tenant.pk]}/"
            accounts.append({"username": membership.user.username, "role": role, "council": tenant.name,
                             "paths": [p.format(**found) for p in PAGES[role]]})
    return accounts


def database_size(tenant_slugs: list[str] | None) -> dict:
    """Councils and cases (counted), rows (estimated over the public tables) and bytes on disk."""
    from django.db import connection

    from cases.models import Case
    from earlyhelp.models import Tenant
    from earlyhelp.tenancy import platform_context

    with platform_context():
        tenants = Tenant.objects.all() if tenant_slugs is None else Tenant.objects.filter(slug__in=tenant_slugs)
        councils = list(tenants.order_by("slug").values_list("name", flat=True))
        cases = Case.all_tenants.filter(tenant__in=tenants).count()
        open_cases = Case.all_tenants.filter(tenant__in=tenants, closed_on__isnull=True).count()
    with connection.cursor() as cursor:
        # The statistics collector's live rows (kept on every write), or the planner's estimate when larger.
        cursor.execute("SELECT coalesce(sum(greatest(c.reltuples, s.n_live_tup, 0)), 0)::bigint "
                       "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = 'public'")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database()), current_database()")
        size, name = cursor.fetchone()
    return {"database": name, "councils": councils, "cases": cases, "open_cases": open_cases, "rows": rows,
            "bytes": size}


def app_role_url(owner_url: str) -> tuple[str, str]:
    """Grant the application role its rights, then check as that role that RLS applies; (its URL, its name).

    No password in the URL: the local server trusts local roles, or the role's password comes from
    ``DATABASE_APP_PASSWORD``."""
    from django.conf import settings
    from django.db import connection

    from earlyhelp.rls import app_role_exists, grant_app_role

    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        if not app_role_exists(cursor, role):
            raise SystemExit(f"no role {role} on this server: the load test serves as the application role")
    grant_app_role()
    connection.close()
    parts = urllib.parse.urlsplit(owner_url)
    password = os.environ.get("DATABASE_APP_PASSWORD", "")
    auth = urllib.parse.quote(role) + (f":{urllib.parse.quote(password)}" if password else "")
    url = urllib.parse.urlunsplit((parts.scheme, f"{auth}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}",
                                   parts.path, parts.query, ""))
    checks = subprocess.run(
        ["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1",
         "-c", "SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
         "-c", "SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE oid = 'cases_case'::regclass",
         "-c", "SELECT count(*) FROM cases_case"],  # no council set: row-level security must show nothing
        capture_output=True, text=True, check=True).stdout.split()
    assert checks[0] == f"{role}|f", f"the server's role is not {role} or is superuser or BYPASSRLS: {checks}"
    assert checks[1] == "f", f"{role} owns cases_case: row-level security would not apply"
    assert checks[2] == "0", f"row-level security does not apply to {role}: {checks[2]} cases seen with no council"
    return url, role


class User(threading.Thread):
    def __init__(self, base: str, account: dict, signed_in: threading.Barrier, clock: dict, results: list,
                 errors: Counter):
        super().__init__(daemon=True)
        self.base, self.username, self.role, self.paths = base, account["username"], account["role"], account["paths"]
        self.signed_in, self.clock, self.results, self.errors = signed_in, clock, results, errors
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def fetch(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        # As behind production's TLS proxy: HTTPS redirect and the CSRF referer check stay on.
        origin = "https://" + self.base.split("://", 1)[1]
        request = urllib.request.Request(self.base + path, data=data,
                                         headers={"Referer": origin + "/", "X-Forwarded-Proto": "https"})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def sign_in(self) -> None:
        _, page = self.fetch("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": self.username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        status, page = self.fetch("/accounts/login/", body)
        if status != 200 or 'name="password"' in page:
            raise RuntimeError(f"{self.username} could not sign in ({status})")

    def run(self) -> None:
        try:
            self.sign_in()
        except Exception as exc:  # noqa: BLE001 - counted, reported
            self.errors[f"sign-in: {exc}"] += 1
            return
        finally:
            self.signed_in.wait()  # the clock starts when every user has signed in (or failed to)
        i = 0
        while time.monotonic() < self.clock["until"]:
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _ = self.fetch(path)
            except Exception as exc:  # noqa: BLE001
                status = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - started
            self.results.append((path.split("?")[0], elapsed, status, self.role))
            if status != 200:
                self.errors[f"{status} {path}"] += 1


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def serve(args, url: str, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "off", "SECRET_KEY": SECRET_KEY,
           "ALLOWED_HOSTS": "127.0.0.1", "TWO_FACTOR_ENFORCED": "off", "SECURE_COOKIES": "off",
           "STATIC_ROOT": str(tmp / "static"), "VAR_DIR": str(tmp), "LOG_LEVEL": "WARNING"}
    env.pop("CELERY_BROKER_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), "earlyhelp.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
                             "--threads", str(args.threads), "--log-level", "warning"], cwd=ROOT, env=env,
                            start_new_session=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/eh_load",
                        help="the demo's database (dropped and re-created), as its owner")
    parser.add_argument("--national", metavar="URL",
                        help="an existing database of bench/generate.py, as its owner (not dropped, not migrated)")
    parser.add_argument("--councils", help="comma-separated council slugs to load-test (default: all)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="eh-load-"))
    owner_url = args.national or args.database_url
    slugs = args.councils.split(",") if args.councils else None
    if args.national:
        print(f"checking {owner_url} (not dropped, not migrated)…", flush=True)
        check_national(owner_url, tmp / "static")
    else:
        print("preparing the demo database (re-create, migrate, seed)…", flush=True)
        prepare_demo(owner_url, tmp / "static")
    collect_static(owner_url, tmp / "static")
    _setup_django(owner_url, tmp / "static")
    print("adding the load-test users…", flush=True)
    accounts = add_users(args.users, slugs)[: args.users]
    size = database_size(slugs)
    from django.db import connection

    connection.close()
    url, role = app_role_url(owner_url)
    print(f"serving as {role} (RLS checked): {size['database']}, {size['rows']:,} rows, {size['cases']:,} cases",
          flush=True)

    load_before = os.getloadavg()
    server = serve(args, url, tmp)
    base = f"http://127.0.0.1:{args.port}"
    results: list = []
    errors: Counter = Counter()
    try:
        for _ in range(200):
            if server.poll() is not None:
                raise SystemExit("gunicorn exited")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        clock = {"until": float("inf")}
        signed_in = threading.Barrier(len(accounts) + 1)
        threads = [User(base, account, signed_in, clock, results, errors) for account in accounts]
        sign_in_started = time.monotonic()
        for t in threads:
            t.start()
        signed_in.wait()
        sign_in_seconds = time.monotonic() - sign_in_started
        started = time.monotonic()
        clock["until"] = started + args.duration
        for t in threads:
            t.join(args.duration + 120)
        wall = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    load_after = os.getloadavg()

    times = [r[1] for r in results]
    by_path = defaultdict(list)
    errors_by_path = Counter()
    for path, elapsed, status, user_role in results:
        key = re.sub(r"[0-9a-f-]{36}", "<id>", path)
        by_path[key].append(elapsed)
        errors_by_path[key] += status != 200
        by_path[f"{user_role}: all pages"].append(elapsed)
        errors_by_path[f"{user_role}: all pages"] += status != 200
        if key == "/":  # each role has its own home page
            by_path[f"{user_role}: /"].append(elapsed)
            errors_by_path[f"{user_role}: /"] += status != 200
    summary = {
        "database": size["database"], "database_bytes": size["bytes"], "rows_estimated": size["rows"],
        "councils": size["councils"], "cases": size["cases"], "open_cases": size["open_cases"], "role": role,
        "workers": args.workers, "threads": args.threads, "users": len(threads), "duration_s": args.duration,
        "wall_s": wall, "sign_in_s": sign_in_seconds, "requests": len(results), "errors": sum(errors.values()),
        "throughput_rps": len(results) / wall if wall else 0,
        "p50_ms": 1000 * statistics.median(times) if times else 0,
        "p95_ms": 1000 * percentile(times, 0.95) if times else 0, "max_ms": 1000 * max(times, default=0),
        "error_kinds": dict(errors.most_common(10)),
        "roles": dict(Counter(account["role"] for account in accounts)),
        "added_users": sum(account["username"].startswith("load.") for account in accounts),
        "load_before": load_before, "load_after": load_after, "nice": os.nice(0),
    }
    print(json.dumps(summary, indent=2))
    text = section(args, summary, by_path, errors_by_path)
    print(text[text.index("| path"):])
    if args.no_write:
        return 1 if summary["errors"] else 0
    output = Path(args.output)
    document = output.read_text() if output.exists() else "# Benchmarks\n"
    # Only the section is replaced, in its place (appended when missing).
    if re.search(r"^## Load test\n", document, flags=re.M):
        document = re.sub(r"^## Load test\n.*?(?=^## |\Z)", lambda _: text.rstrip() + "\n\n", document,
                          count=1, flags=re.S | re.M)
    else:
        document = document.rstrip() + "\n\n" + text
    output.write_text(document.rstrip() + "\n")
    return 1 if summary["errors"] else 0


def section(args, summary: dict, by_path: dict, errors_by_path: Counter) -> str:
    rows = "\n".join(
        f"| {p if ':' in p else f'`{p}`'} | {len(v)} | {errors_by_path[p]} | {1000 * statistics.median(v):.0f} | "
        f"{1000 * percentile(v, 0.95):.0f} | {1000 * max(v):.0f} |"
        for p, v in sorted(by_path.items(), key=lambda item: (":" in item[0], item[0])))
    kind = ("a generated national-size database (`bench/generate.py`), not dropped" if args.national
            else "the demo's database, re-created and seeded")
    councils = ", ".join(summary["councils"])
    load = "/".join(f"{x:.2f}" for x in summary["load_before"]), "/".join(f"{x:.2f}" for x in summary["load_after"])
    command = "bench/load.py" + (" --national …" if args.national else "")
    return f"""## Load test

Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.
Machine: {platform.node()} · {os.cpu_count()} cores shared with other engineers' work · Python
{platform.python_version()}; the client (one thread per user, Python's standard library) runs on the same machine
as gunicorn and PostgreSQL, so it takes CPU from the server. Load average (1/5/15 min) {load[0]} before the server
started, {load[1]} after the run; the script and its gunicorn ran at niceness {summary['nice']} (PostgreSQL's
backends at the server's own).

Database: `{summary['database']}`, {kind}: {summary['database_bytes'] / 2**30:.1f} GiB, about
{summary['rows_estimated']:,} rows (PostgreSQL's statistics), {len(summary['councils'])} councils
({councils}), {summary['cases']:,} cases ({summary['open_cases']:,} open). Server: gunicorn {summary['workers']}
workers × {summary['threads']} threads on loopback, DEBUG off, two-factor sign-in off, connected as
`{summary['role']}` (neither owner, superuser nor BYPASSRLS; checked before serving that a SELECT with no
council sees no case), so row-level security applies to every request. {summary['users']} signed-in users
({', '.join(f'{n} {r}' for r, n in summary['roles'].items())}; per role the councils' own members first, the
practitioners and managers with the most open cases, then `load.…` users where a council has too few:
{summary['added_users']}) request their role's pages and API endpoints in turn with no think time for
{summary['duration_s']:.0f} s (signing in, {summary['sign_in_s']:.1f} s, happens before the clock starts).
Every response other than 200 is an error. Not run in CI (too long).

**{summary['requests']} requests, {summary['errors']} errors, {summary['throughput_rps']:.1f} requests/s;
p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, max {summary['max_ms']:.0f} ms.**

| path | requests | errors | p50 (ms) | p95 (ms) | max (ms) |
| --- | --- | --- | --- | --- | --- |
{rows}

The last rows split the same requests by role: all the role's pages, and its own home page (`/`).
"""


if __name__ == "__main__":
    sys.exit(main())
