"""Load test: N signed-in users work through the main pages and the API for D seconds against gunicorn on loopback.

    .venv/bin/python bench/load.py                      # 50 users, 60 s, PostgreSQL database eh_load (re-created)
    .venv/bin/python bench/load.py --users 10 --duration 15 --database-url postgres://postgres@127.0.0.1/eh_load

It creates (drops first) the database, migrates it, seeds the demo (two councils), adds load-test users
(practitioners, team managers, performance officers, commissioners), collects static files, starts gunicorn with
production settings (DEBUG off) and then runs one thread per user: sign in through the login form, then request
the role's pages and API endpoints in turn, without think time, until the time is up. Every response other than
200 — and any exception — counts as an error. Prints the figures and writes them to the ``## Load test`` section
of docs/benchmarks.md (replacing only that section). Not run in CI: it takes minutes. Only the Python standard
library is used on the client side.

Two-factor sign-in is switched off for the run (``TWO_FACTOR_ENFORCED=off``): the users have no TOTP devices.
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


def prepare(database_url: str, users: int, static_root: Path) -> list[tuple[str, str]]:
    """Create, migrate and seed the database; return (username, role) for the load users."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "earlyhelp.settings",
           "STATIC_ROOT": str(static_root)}
    env.pop("CELERY_BROKER_URL", None)
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--password", PASSWORD], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env={**env, "DEBUG": "off"}, check=True)
    script = f"""
import json
from earlyhelp.models import Membership, Tenant, User
from earlyhelp.tenancy import platform_context
mix = {json.dumps(MIX)}
made = []
with platform_context():
    tenants = list(Tenant.objects.order_by("slug"))
    n = 0
    for role, count in mix.items():
        for i in range(count * {users} // 50 or 1):
            tenant = tenants[n % len(tenants)]
            n += 1
            user, _ = User.objects.get_or_create(username=f"load.{{role}}.{{i}}")
            user.set_password({PASSWORD!r}); user.save()
            m, _ = Membership.all_tenants.get_or_create(tenant=tenant, user=user, defaults={{"role": role}})
            model = Membership.all_tenants.filter(tenant=tenant, role=role).exclude(user=user).first()
            if model is not None:
                m.teams.set(model.teams.all())
            made.append((user.username, role))
print(json.dumps(made))
"""
    out = subprocess.run([*manage, "shell", "-c", script], env=env, check=True, capture_output=True, text=True)
    return [tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])]


class User(threading.Thread):
    def __init__(self, base: str, username: str, role: str, until: float, results: list, errors: Counter):
        super().__init__(daemon=True)
        self.base, self.username, self.role, self.until = base, username, role, until
        self.results, self.errors = results, errors
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def fetch(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + "/"})
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

    def targets(self) -> list[str]:
        found = {}
        if any("{case}" in p for p in PAGES[self.role]):
            # A case of the user's caseload; a new load-test practitioner has none: a referral of their council.
            _, page = self.fetch("/cases/")
            match = re.search(r'href="(/cases/[0-9a-f-]{36}/)"', page)
            if match is None:
                _, page = self.fetch("/cases/referrals/")
                match = re.search(r'href="(/cases/referrals/[0-9a-f-]{36}/)"', page)
            found["case"] = match.group(1) if match else "/cases/"
        if any("{service}" in p for p in PAGES[self.role]):
            _, page = self.fetch("/commissioning/")
            match = re.search(r'href="(/commissioning/services/[0-9a-f-]{36}/)"', page)
            found["service"] = match.group(1) if match else "/commissioning/"
        paths = [p.format(**found) for p in PAGES[self.role]]
        return [p for p in paths if "/referrals/" not in p or not p.endswith("notes/")]

    def run(self) -> None:
        try:
            self.sign_in()
            paths = self.targets()
        except Exception as exc:  # noqa: BLE001 - counted, reported
            self.errors[f"sign-in: {exc}"] += 1
            return
        i = 0
        while time.monotonic() < self.until:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _ = self.fetch(path)
            except Exception as exc:  # noqa: BLE001
                status = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - started
            self.results.append((path.split("?")[0], elapsed, status))
            if status != 200:
                self.errors[f"{status} {path}"] += 1


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/eh_load")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="eh-load-"))
    print("preparing the database (migrate, seed the demo, add users)…", flush=True)
    accounts = prepare(args.database_url, args.users, tmp / "static")
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "off", "SECRET_KEY": "load-test-" + "k" * 50,
           "ALLOWED_HOSTS": "127.0.0.1", "TWO_FACTOR_ENFORCED": "off", "SECURE_COOKIES": "off",
           "STATIC_ROOT": str(tmp / "static"), "VAR_DIR": str(tmp), "LOG_LEVEL": "WARNING"}
    env.pop("CELERY_BROKER_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "earlyhelp.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
                               "--threads", str(args.threads), "--log-level", "warning"], cwd=ROOT, env=env,
                              start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        results: list = []
        errors: Counter = Counter()
        until = time.monotonic() + args.duration
        threads = [User(base, name, role, until, results, errors) for name, role in accounts[: args.users]]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + 120)
        wall = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    times = [r[1] for r in results]
    by_path = defaultdict(list)
    for path, elapsed, _ in results:
        by_path[re.sub(r"[0-9a-f-]{36}", "<id>", path)].append(elapsed)
    summary = {
        "users": len(threads), "duration_s": args.duration, "requests": len(results),
        "errors": sum(errors.values()), "throughput_rps": len(results) / wall if wall else 0,
        "p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * percentile(times, 0.95),
        "max_ms": 1000 * max(times), "error_kinds": dict(errors.most_common(10)),
        "roles": dict(Counter(role for _, role in accounts[: args.users])),
    }
    print(json.dumps(summary, indent=2))
    rows = "\n".join(f"| `{p}` | {len(v)} | {1000 * statistics.median(v):.0f} | {1000 * percentile(v, 0.95):.0f} |"
                     for p, v in sorted(by_path.items()))
    section = f"""## Load test

Written by `bench/load.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {platform.node()} ·
{os.cpu_count()} cores · Python {platform.python_version()}. gunicorn {args.workers} workers × {args.threads} threads on
loopback, DEBUG off, PostgreSQL (the demo's two councils), two-factor sign-in off. {summary['users']} signed-in
users ({', '.join(f'{n} {r}' for r, n in summary['roles'].items())}) request their role's pages and API endpoints
in turn with no think time for {args.duration:.0f} s. The client runs on the same machine. Not run in CI (too long).

**{summary['requests']} requests, {summary['errors']} errors, {summary['throughput_rps']:.1f} requests/s;
p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, max {summary['max_ms']:.0f} ms.**

| path | requests | p50 (ms) | p95 (ms) |
| --- | --- | --- | --- |
{rows}
"""
    output = Path(args.output)
    text = output.read_text() if output.exists() else "# Benchmarks\n"
    text = re.sub(r"\n## Load test\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n" + section
    output.write_text(text)
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
