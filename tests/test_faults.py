"""Fault tests: the process of a real ``celery -A earlyhelp worker`` (prefork pool) that is executing a task is
killed with SIGKILL in the middle of rendering a report and in the middle of importing a return — as the kernel's
OOM killer would; the worker starts a new process and the run completes exactly once.

How the worker is caught in the middle, without changing the code under test: a second database connection holds
an ACCESS EXCLUSIVE lock on a table the task reads half-way (``cases_case`` while the report's figures are built,
``commissioning_kpivalue`` while the return's values are written). The test waits until the worker's query is
waiting on that lock (``pg_locks``), kills the pool process, terminates its orphaned database session (as
PostgreSQL does when it next writes to the dead client), and releases the lock. The task is acknowledged late and
rejected when its worker process is lost (``CELERY_TASK_ACKS_LATE``, ``CELERY_TASK_REJECT_ON_WORKER_LOST``), so the
message goes back to the queue and the restarted process takes it again.

Not covered here: the whole worker (main process too) dying. The message then stays unacknowledged in Redis until
the broker's visibility timeout passes and kombu's periodic restore (every 10th check, about every 100 s) puts it
back — too slow for CI, and the same idempotent code path runs when it does.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from earlyhelp import embedded_db
from earlyhelp.models import AuditEvent
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("FAULT_TEST_BROKER", "redis://127.0.0.1:6379/12")
DEADLINE = 90


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    if s["HOST"].startswith("/"):  # a Unix socket's directory (the embedded server)
        return embedded_db.database_url(Path(s["HOST"]), user=s["USER"], name=s["NAME"])
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """``celery -A earlyhelp worker`` in its own process group, against the test database and a Redis DB of ours."""

    def __init__(self, tmp_path: Path):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "earlyhelp.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": BROKER,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "VAR_DIR": str(tmp_path),
            "CONN_MAX_AGE": "0",
        }
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        celery = Path(sys.executable).with_name("celery")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(celery), "-A", "earlyhelp", "worker", "--pool=prefork", "--concurrency=1",
                 "--queues=celery,reports", "--loglevel=INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"fault-{os.getpid()}@%h"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def pool_processes(self) -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        return [int(pid) for pid in found]

    def kill_pool_process(self) -> None:
        """SIGKILL the pool's child processes (the one executing the task among them)."""
        for pid in self.pool_processes():
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def broker():
    if not _redis_answers():
        pytest.skip("needs a Redis server on 127.0.0.1:6379 (the Celery broker)")
    from earlyhelp.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=BROKER, task_always_eager=False, result_backend=None)
    _forget_connections(app)
    app.connection_for_write().default_channel.client.flushdb()
    yield app
    app.connection_for_write().default_channel.client.flushdb()
    app.conf.update(saved)
    _forget_connections(app)


def _forget_connections(app):
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def table_lock():
    """``table_lock(name)`` → a held TableLock, always released at the end (or the test database's flush waits)."""
    locks: list[TableLock] = []

    def make(table: str) -> TableLock:
        locks.append(TableLock(table))
        return locks[-1]

    yield make
    for lock in locks:
        lock.release()


@pytest.fixture
def worker(broker, tmp_path):
    workers: list[Worker] = []

    def make() -> Worker:
        w = Worker(tmp_path)
        w.start()
        workers.append(w)
        return w

    yield make
    for w in workers:
        w.kill()


class TableLock:
    """An ACCESS EXCLUSIVE lock on one table, held by a connection of its own until released."""

    def __init__(self, table: str):
        self.table = table
        self.conn = psycopg2.connect(_database_url())
        self.conn.autocommit = False
        with self.conn.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')

    def waiting_pids(self) -> list[int]:
        """Database sessions (other than ours) waiting for this table."""
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                           "WHERE c.relname = %s AND NOT l.granted", [self.table])
            return [row[0] for row in cursor.fetchall()]

    def release(self, terminate: list[int] = ()) -> None:
        if self.conn.closed:
            return
        with self.conn.cursor() as cursor:
            for pid in terminate:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        self.conn.rollback()
        self.conn.close()


def _wait(predicate, what: str, worker_log: Path, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker_log.read_text()[-4000:]}")


def _kill_mid_task(worker, lock: TableLock) -> Worker:
    """Start a worker, wait until its pool process is inside the task (waiting for the lock), kill that process,
    free the lock; return the worker, whose new pool process will take the task again."""
    running = worker()
    waiting = _wait(lock.waiting_pids, f"the worker to reach {lock.table}", running.log)
    children = running.pool_processes()
    assert children, "the prefork worker has no pool process"
    running.kill_pool_process()
    _wait(lambda: set(running.pool_processes()) - set(children), "the worker to start a new pool process",
          running.log)
    lock.release(terminate=waiting)
    assert running.process.poll() is None  # the worker itself lives on
    return running


def test_a_report_run_killed_mid_render_completes_once_after_the_restart(worker, table_lock, tenant_a, member):
    from cases.tests import helpers
    from reporting import services
    from reporting.models import ReportRun

    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER)
    lead = member(tenant_a, role=Role.PRACTITIONER)
    team = helpers.team_for(tenant_a, lead)
    with tenant_context(tenant_a):
        helpers.open_case(lead=lead, team=team)
        report = services.report_create(
            created_by=officer, title="Fault test", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2024, period_quarter=1)
    lock = table_lock("cases_case")
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, requested_by=officer)
    started = time.monotonic()
    second = _kill_mid_task(worker, lock)
    with tenant_context(tenant_a):
        assert ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.RUNNING  # left behind by the dead worker

    def finished():
        with tenant_context(tenant_a):
            current = ReportRun.objects.get(pk=run.pk)
        return current if current.is_finished else None

    run = _wait(finished, "the run to finish after the restart", second.log)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.attempts >= 2 and run.pdf_sha256  # started twice ...
    with tenant_context(tenant_a):  # ... rendered once
        rendered = AuditEvent.objects.filter(action="report_run.rendered", object_public_id=str(run.public_id))
        assert rendered.count() == 1
    print(f"report run: killed and completed in {time.monotonic() - started:.1f} s, attempts {run.attempts}")


def test_a_return_import_killed_mid_import_completes_once_after_the_restart(worker, table_lock, tenant_a, member):
    from commissioning.import_jobs import return_import_request
    from commissioning.models import KpiReturn, KpiReturnRevision, KpiValue, ReturnImportJob
    from earlyhelp.models import Membership
    from tests.api import makers

    service = makers.service(tenant_a)
    with tenant_context(tenant_a):
        commissioner = Membership.objects.filter(role=Role.COMMISSIONER).first()
    data = ("service,quarter,kpi_code,kpi_label,value,numerator,base,note\n"
            f"{service.name},2014/15 Q1,referrals,,12,,,\n"
            f"{service.name},2014/15 Q1,feeling-safer,,,14,15,\n").encode()
    lock = table_lock("commissioning_kpivalue")
    with tenant_context(tenant_a):
        job = return_import_request(by=commissioner, service=service, quarter=Quarter(2014, 1), data=data,
                                    filename="q1.csv")
    started = time.monotonic()
    second = _kill_mid_task(worker, lock)
    with tenant_context(tenant_a):  # the dead worker's transaction left nothing
        assert ReturnImportJob.objects.get(pk=job.pk).status == ReturnImportJob.Status.QUEUED
        assert not KpiReturn.objects.exists()

    def finished():
        with tenant_context(tenant_a):
            current = ReturnImportJob.objects.get(pk=job.pk)
        return current if current.status != ReturnImportJob.Status.QUEUED else None

    job = _wait(finished, "the import to finish after the restart", second.log)
    assert job.status == ReturnImportJob.Status.DONE, job.problems
    assert job.attempts >= 2
    with tenant_context(tenant_a):
        kpi_return = KpiReturn.objects.get()
        assert kpi_return.version == 1 and job.kpi_return_id == kpi_return.pk
        assert KpiReturnRevision.objects.count() == 1 and KpiValue.objects.count() == 2
        assert AuditEvent.objects.filter(action="return.imported").count() == 1
    print(f"return import: killed and completed in {time.monotonic() - started:.1f} s, attempts {job.attempts}")
