"""A real Celery worker against Redis renders a report run (the production path, not eager execution)."""

import datetime as dt
import socket
import time

import pytest

from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def worker():
    if not _redis_answers():
        pytest.skip("needs a Redis server on 127.0.0.1:6379 (the Celery broker)")
    from celery.contrib.testing.worker import start_worker

    from earlyhelp.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=BROKER, task_always_eager=False, result_backend=None)
    _forget_connections(app)  # earlier eager tests may have built pools for the default broker
    app.connection_for_write().default_channel.client.flushdb()
    # Both queues: short tasks ("celery") and PDF rendering ("reports", see CELERY_TASK_ROUTES).
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=["celery", "reports"]):
        yield app
    app.conf.update(saved)
    _forget_connections(app)


def _forget_connections(app):
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def test_a_worker_renders_a_report_run_queued_on_commit(worker, tenant_a, member):
    from reporting import services
    from reporting.models import ReportRun

    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant_a):
        report = services.report_create(
            created_by=officer, title="Worker test", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=1,
            executive_summary="Rendered by a real worker.",
        )
        run = services.report_run_request(report=report, requested_by=officer)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.attempts == 1 and run.pdf_sha256
