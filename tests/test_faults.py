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

The whole worker (main process too) dying, with the default settings: the message then stays unacknowledged in
Redis until the broker's visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, two hours) passes. Recovery does not
wait for it: the running job stops writing its heartbeat, and the stalled-job check (beat, every minute) queues it
again once no heartbeat came for ``RUNNING_JOB_STALL_MINUTES`` (2). The tests below kill the whole worker, drive
that check themselves with its clock moved forward (rather than wait minutes), start a new worker, and finally
bring the original message back as the broker would after the visibility timeout: the job is done once.
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
from tests.factories import acting

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
            by=acting(officer), title="Fault test", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2024, period_quarter=1)
    lock = table_lock("cases_case")
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(officer))
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
        assert ReturnImportJob.objects.get(pk=job.pk).status == ReturnImportJob.Status.RUNNING
        assert not KpiReturn.objects.exists()

    def finished():
        with tenant_context(tenant_a):
            current = ReturnImportJob.objects.get(pk=job.pk)
        return current if current.is_finished else None

    job = _wait(finished, "the import to finish after the restart", second.log)
    assert job.status == ReturnImportJob.Status.DONE, job.problems
    assert job.attempts >= 2
    with tenant_context(tenant_a):
        kpi_return = KpiReturn.objects.get()
        assert kpi_return.version == 1 and job.kpi_return_id == kpi_return.pk
        assert KpiReturnRevision.objects.count() == 1 and KpiValue.objects.count() == 2
        assert AuditEvent.objects.filter(action="return.imported").count() == 1
    print(f"return import: killed and completed in {time.monotonic() - started:.1f} s, attempts {job.attempts}")


def _kill_whole_worker_mid_task(worker, lock: TableLock) -> None:
    """Start a worker, wait until it is inside the task (waiting for the lock), SIGKILL its whole process group
    (main process and pool), terminate its orphaned database session and free the lock."""
    running = worker()
    waiting = _wait(lock.waiting_pids, f"the worker to reach {lock.table}", running.log)
    running.kill()
    lock.release(terminate=waiting)


def _check_default_recovery_settings(broker) -> None:
    from django.conf import settings

    assert broker.connection_for_write().default_channel.visibility_timeout == 7200
    assert settings.RUNNING_JOB_STALL_MINUTES == 2 and settings.JOB_HEARTBEAT_SECONDS == 30
    assert settings.REPORT_RUN_STALL_MINUTES == 10
    assert all(entry["schedule"].minute == set(range(60)) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if "requeue-stalled" in name)  # the check runs every minute


def _bring_back_unacknowledged_messages(broker) -> int:
    """What the broker does once the visibility timeout has passed: the dead worker's unacknowledged message is
    put back on its queue (kombu's ``restore_visible``), here with the clock of its index moved back."""
    channel = broker.connection_for_write().default_channel
    client = channel.client
    entries = client.zrange(channel.unacked_index_key, 0, -1, withscores=True)
    for tag, score in entries:
        client.zadd(channel.unacked_index_key, {tag: score - channel.visibility_timeout - 1})
    channel.qos.restore_visible(num=100, interval=1)
    return len(entries)


def _broker_is_idle(broker) -> bool:
    client = broker.connection_for_write().default_channel.client
    return not any(client.llen(queue) for queue in ("celery", "reports")) and not client.hlen("unacked")


def test_a_report_run_whose_whole_worker_is_killed_recovers_within_the_stall_bound_once(
        broker, worker, table_lock, tenant_a, member):
    from django.conf import settings

    from cases.tests import helpers
    from reporting import services
    from reporting.models import ReportRun

    _check_default_recovery_settings(broker)
    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER)
    lead = member(tenant_a, role=Role.PRACTITIONER)
    team = helpers.team_for(tenant_a, lead)
    with tenant_context(tenant_a):
        helpers.open_case(lead=lead, team=team)
        report = services.report_create(
            by=acting(officer), title="Fault test", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2024, period_quarter=1)
    lock = table_lock("cases_case")
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(officer))
    _kill_whole_worker_mid_task(worker, lock)
    with tenant_context(tenant_a):
        run = ReportRun.objects.get(pk=run.pk)
    assert run.status == ReportRun.Status.RUNNING and run.attempts == 1 and run.heartbeat_at

    stall = dt.timedelta(minutes=settings.RUNNING_JOB_STALL_MINUTES)
    with tenant_context(tenant_a):  # a minute after its last heartbeat it may still be alive: left alone
        assert services.report_runs_requeue_stalled(now=run.heartbeat_at + dt.timedelta(minutes=1)) == {
            "requeued": 0, "failed": 0}
    with tenant_context(tenant_a):  # the first check after the stall threshold queues it again
        assert services.report_runs_requeue_stalled(now=run.heartbeat_at + stall + dt.timedelta(seconds=1)) == {
            "requeued": 1, "failed": 0}
    requeued = time.monotonic()
    second = worker()

    def finished():
        with tenant_context(tenant_a):
            current = ReportRun.objects.get(pk=run.pk)
        return current if current.is_finished else None

    run = _wait(finished, "the requeued run to finish", second.log)
    took = time.monotonic() - requeued
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.attempts == 2
    assert _bring_back_unacknowledged_messages(broker) == 1  # the dead worker's message, two hours later
    _wait(lambda: _broker_is_idle(broker), "the original message to be delivered", second.log)
    with tenant_context(tenant_a):
        run = ReportRun.objects.get(pk=run.pk)
        assert run.status == ReportRun.Status.DONE and run.attempts == 2  # the late delivery did nothing
        rendered = AuditEvent.objects.filter(action="report_run.rendered", object_public_id=str(run.public_id))
        assert rendered.count() == 1
        assert AuditEvent.objects.filter(action="report_run.requeued").count() == 1
    print(f"report run: whole worker killed; queued again {stall} + at most 1 min after its last heartbeat, "
          f"then rendered in {took:.1f} s")


def test_an_import_whose_whole_worker_is_killed_recovers_within_the_stall_bound_once(
        broker, worker, table_lock, tenant_a, member):
    from django.conf import settings

    from commissioning.import_jobs import return_import_jobs_requeue_stalled, return_import_request
    from commissioning.models import KpiReturn, KpiReturnRevision, KpiValue, ReturnImportJob
    from earlyhelp.models import Membership
    from tests.api import makers

    _check_default_recovery_settings(broker)
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
    _kill_whole_worker_mid_task(worker, lock)
    with tenant_context(tenant_a):  # the dead worker's transaction left nothing
        job = ReturnImportJob.objects.get(pk=job.pk)
        assert not KpiReturn.objects.exists()
    assert job.status == ReturnImportJob.Status.RUNNING and job.attempts == 1 and job.heartbeat_at

    stall = dt.timedelta(minutes=settings.RUNNING_JOB_STALL_MINUTES)
    with tenant_context(tenant_a):
        assert return_import_jobs_requeue_stalled(now=job.heartbeat_at + dt.timedelta(minutes=1)) == {
            "requeued": 0, "failed": 0}
    with tenant_context(tenant_a):
        assert return_import_jobs_requeue_stalled(now=job.heartbeat_at + stall + dt.timedelta(seconds=1)) == {
            "requeued": 1, "failed": 0}
    requeued = time.monotonic()
    second = worker()

    def finished():
        with tenant_context(tenant_a):
            current = ReturnImportJob.objects.get(pk=job.pk)
        return current if current.is_finished else None

    job = _wait(finished, "the requeued import to finish", second.log)
    took = time.monotonic() - requeued
    assert job.status == ReturnImportJob.Status.DONE, job.problems
    assert job.attempts == 2
    assert _bring_back_unacknowledged_messages(broker) == 1
    _wait(lambda: _broker_is_idle(broker), "the original message to be delivered", second.log)
    with tenant_context(tenant_a):
        job = ReturnImportJob.objects.get(pk=job.pk)
        assert job.status == ReturnImportJob.Status.DONE and job.attempts == 2
        kpi_return = KpiReturn.objects.get()
        assert kpi_return.version == 1 and job.kpi_return_id == kpi_return.pk
        assert KpiReturnRevision.objects.count() == 1 and KpiValue.objects.count() == 2
        assert AuditEvent.objects.filter(action="return.imported").count() == 1
    print(f"return import: whole worker killed; queued again {stall} + at most 1 min after its last heartbeat, "
          f"then imported in {took:.1f} s")
