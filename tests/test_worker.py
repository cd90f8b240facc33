"""A real Celery worker against Redis renders a report run (the production path, not eager execution)."""

import datetime as dt
import os
import re
import socket
import time

import pytest

from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("WORKER_TEST_BROKER", "redis://127.0.0.1:6379/15")


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
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu's global producer pools would hand a later test the pool closed above


def test_a_worker_renders_a_report_run_queued_on_commit(worker, tenant_a, member):
    from reporting import services
    from reporting.models import ReportRun

    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant_a):
        report = services.report_create(
            by=acting(officer), title="Worker test", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=1,
            executive_summary="Rendered by a real worker.",
        )
        run = services.report_run_request(report=report, by=acting(officer))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.attempts == 1 and run.pdf_sha256


def test_a_20000_row_upload_in_the_browser_is_imported_by_the_worker_with_progress(worker, tenant_a, member,
                                                                                 sign_in):
    """The upload answers at once with the progress page; the page shows the worker's progress while it imports
    (the import is one transaction: the progress comes from the job's heartbeat), then the imported return."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from commissioning.models import CommissionedService, Kpi, KpiKind, KpiReturn, KpiVersion, Provider

    rows = 20_000
    commissioner = member(tenant_a, role=Role.COMMISSIONER)
    with tenant_context(tenant_a):
        provider = Provider.objects.create(name="Bench Provider")
        service = CommissionedService.objects.create(name="Large Service", provider=provider)
        kpis = Kpi.objects.bulk_create(
            [Kpi(tenant=tenant_a, service=service, code=f"kpi-{i:05d}", position=i) for i in range(rows)],
            batch_size=5000)
        KpiVersion.objects.bulk_create(
            [KpiVersion(tenant=tenant_a, kpi=k, number=1, label=f"KPI {i}", kind=KpiKind.OUTPUT_COUNT,
                        valid_from_year=2014, valid_from_quarter=1) for i, k in enumerate(kpis)], batch_size=5000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["service", "quarter", "kpi_code", "kpi_label", "value", "numerator", "base", "note"])
    writer.writerows(["Large Service", "2014/15 Q1", f"kpi-{i:05d}", "", i % 50, "", "", ""] for i in range(rows))
    client = sign_in(commissioner)
    started = time.monotonic()
    response = client.post(reverse("commissioning:return-upload", args=[service.public_id, "2014-q1"]),
                           {"file": SimpleUploadedFile("large.csv", out.getvalue().encode())})
    answered = time.monotonic() - started
    assert response.status_code == 302 and "/commissioning/imports/" in response.url
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        page = client.get(response.url).content.decode()
        if "The return was imported" in page:
            break
        seen += [int(p) for p in re.findall(r"Progress: (\d+)%", page)]
        time.sleep(0.05)
    assert "The return was imported" in page and "Version 1" in page
    assert any(0 < p < 100 for p in seen), seen  # the page showed the import part-way
    assert seen == sorted(seen)
    with tenant_context(tenant_a):
        assert KpiReturn.objects.get().values.count() == rows
    # The request's time here includes sharing this process with the in-process worker, which starts the
    # import as soon as the request commits; a worker of its own (production) leaves the request its ~0.5 s.
    print(f"20,000-row upload: answered in {answered:.2f} s beside the in-process worker; progress seen "
          f"{sorted(set(seen))}")
