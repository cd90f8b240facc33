"""A large return file uploaded in the browser is imported by a worker: the person is sent to a progress page that
refreshes itself (a meta refresh: no script), then sees the return or every problem by row and column, as the
upload page shows them. A job whose worker died is queued again by the stalled-job check, never twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from commissioning import import_jobs
from commissioning.models import KpiReturn, ReturnImportJob
from commissioning.tests.conftest import csv_file, good_rows
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


def _upload(client, service, data: bytes):
    url = reverse("commissioning:return-upload", args=[service.public_id, "2014-q1"])
    return client.post(url, {"file": SimpleUploadedFile("q1.csv", data)})


def _job(tenant):
    with tenant_context(tenant):
        return ReturnImportJob.objects.get()


@override_settings(IMPORT_BACKGROUND_BYTES=100)
def test_a_large_upload_goes_to_the_worker_and_its_page_shows_progress_then_the_return(
        tenant_a, commissioner, steps, sign_in):
    client = sign_in(commissioner.user)
    response = _upload(client, steps, csv_file(good_rows()))
    job = _job(tenant_a)
    assert response.status_code == 302
    assert response.url == reverse("commissioning:import-job", args=[job.public_id])
    assert job.status == ReturnImportJob.Status.QUEUED and not KpiReturn.all_tenants.exists()

    page = client.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "<script" not in page.split("</head>")[0]
    assert 'id="import-progress" max="100" value="0"' in page and "Queued" in page

    job = import_jobs.return_import_job_execute(tenant=tenant_a, job_id=job.pk)  # what the worker does
    page = client.get(response.url).content.decode()
    assert job.status == ReturnImportJob.Status.DONE and job.progress == 100
    assert "The return was imported" in page and "Version 1" in page and 'http-equiv="refresh"' not in page
    with tenant_context(tenant_a):
        assert KpiReturn.objects.get().values.count() == 3


@override_settings(IMPORT_BACKGROUND_BYTES=100)
def test_a_large_upload_with_problems_lists_them_as_the_upload_page_does_and_saves_nothing(
        tenant_a, commissioner, steps, sign_in):
    rows = good_rows()
    rows[2][5] = "99"
    client = sign_in(commissioner.user)
    response = _upload(client, steps, csv_file(rows))
    import_jobs.return_import_job_execute(tenant=tenant_a, job_id=_job(tenant_a).pk)
    page = client.get(response.url).content.decode()
    assert "There is a problem" in page and "nothing was saved" in page
    assert "<td class=\"govuk-table__cell\">4</td><td class=\"govuk-table__cell\">numerator</td>" in page
    assert "the numerator (99) is larger than its base (15)" in page
    assert not KpiReturn.all_tenants.exists()


def test_a_small_upload_is_still_imported_in_the_request(commissioner, steps, sign_in):
    response = _upload(sign_in(commissioner.user), steps, csv_file(good_rows()))
    assert response.status_code == 302 and "/imports/" not in response.url
    assert KpiReturn.all_tenants.get().version == 1 and not ReturnImportJob.all_tenants.exists()


@override_settings(IMPORT_BACKGROUND_BYTES=100)
def test_a_return_that_can_no_longer_change_is_refused_at_once_without_a_job(
        tenant_a, commissioner, steps, sign_in):
    from commissioning import services
    from commissioning.tests.conftest import Q1

    with tenant_context(tenant_a):
        outcome = services.return_import(by=commissioner, service=steps, quarter=Q1,
                                         data=csv_file(good_rows()), filename="r.csv")
        services.return_submit(by=commissioner, kpi_return=outcome.kpi_return)
    response = _upload(sign_in(commissioner.user), steps, csv_file(good_rows()))
    assert response.status_code == 400 and "it cannot be changed" in response.content.decode()
    assert not ReturnImportJob.all_tenants.exists()


@override_settings(IMPORT_BACKGROUND_BYTES=100)
def test_the_job_page_is_404_to_another_provider_and_another_tenant_and_403_without_the_role(
        tenant_a, tenant_b, member, commissioner, steps, other_provider_user, provider_user, sign_in):
    response = _upload(sign_in(provider_user.user), steps, csv_file(good_rows()))
    assert response.status_code == 302
    assert sign_in(provider_user.user).get(response.url).status_code == 200
    assert sign_in(commissioner.user).get(response.url).status_code == 200
    assert sign_in(other_provider_user.user).get(response.url).status_code == 404
    assert sign_in(member(tenant_b, Role.COMMISSIONER, username="zed")).get(response.url).status_code == 404
    assert sign_in(member(tenant_a, Role.PRACTITIONER, username="bob")).get(response.url).status_code == 403


def _running_job(tenant, commissioner, steps, *, started, heartbeat, attempts=1):
    with tenant_context(tenant):
        return ReturnImportJob.objects.create(
            service=steps, fy_start_year=2014, quarter_number=1, filename="q1.csv", data=csv_file(good_rows()),
            requested_by=commissioner.user, status=ReturnImportJob.Status.RUNNING, attempts=attempts,
            queued_at=started, started_at=started, heartbeat_at=heartbeat)


def test_a_long_import_that_is_alive_is_not_queued_again_but_a_silent_one_is(
        tenant_a, commissioner, steps, django_capture_on_commit_callbacks):
    now = timezone.now()
    long_alive = _running_job(tenant_a, commissioner, steps, started=now - dt.timedelta(hours=1),
                              heartbeat=now - dt.timedelta(seconds=30))
    with tenant_context(tenant_a):
        assert import_jobs.return_import_jobs_requeue_stalled(now=now) == {"requeued": 0, "failed": 0}
        assert long_alive.stalled_since(now) is None
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        later = now + dt.timedelta(minutes=2, seconds=1)  # no heartbeat for RUNNING_JOB_STALL_MINUTES
        assert import_jobs.return_import_jobs_requeue_stalled(now=later) == {"requeued": 1, "failed": 0}
    with tenant_context(tenant_a):  # queued again, and (eager here) imported by the queued task, once
        job = ReturnImportJob.objects.get()
        assert job.status == ReturnImportJob.Status.DONE and job.attempts == 2
        assert KpiReturn.objects.get().version == 1


def test_an_import_stalled_three_times_fails_with_the_reason_and_its_page_says_so(
        tenant_a, commissioner, steps, sign_in):
    old = timezone.now() - dt.timedelta(minutes=30)
    job = _running_job(tenant_a, commissioner, steps, started=old, heartbeat=old, attempts=3)
    page = sign_in(commissioner.user).get(reverse("commissioning:import-job", args=[job.public_id]))
    assert "the import worker may have stopped" in page.content.decode()
    with tenant_context(tenant_a):
        assert import_jobs.return_import_jobs_requeue_stalled() == {"requeued": 0, "failed": 1}
    page = sign_in(commissioner.user).get(reverse("commissioning:import-job", args=[job.public_id])).content.decode()
    assert "The import worker stopped 3 times" in page and "Nothing was saved" in page
    assert not KpiReturn.all_tenants.exists()


@pytest.mark.parametrize("percent", [20, 80])
def test_the_heartbeat_writes_progress_and_a_sign_of_life_from_its_own_connection(
        percent, tenant_a, commissioner, steps, transactional_db):
    """The import's own transaction is not committed while it runs: the heartbeat's writes are seen anyway."""
    import time

    from earlyhelp.jobs import Heartbeat

    before = timezone.now() - dt.timedelta(minutes=5)
    job = _running_job(tenant_a, commissioner, steps, started=before, heartbeat=before)
    with Heartbeat(ReturnImportJob, job.pk, tenant_a, running_statuses=["running"], every=0.2) as beat:
        beat.progress(percent)
        time.sleep(1.5)
    with tenant_context(tenant_a):
        job.refresh_from_db()
    assert job.progress == percent and job.heartbeat_at > before + dt.timedelta(minutes=4)


def test_the_progress_page_shows_the_percentage(tenant_a, commissioner, steps, sign_in):
    now = timezone.now()
    job = _running_job(tenant_a, commissioner, steps, started=now, heartbeat=now)
    with tenant_context(tenant_a):
        ReturnImportJob.objects.filter(pk=job.pk).update(progress=47)
    page = sign_in(commissioner.user).get(reverse("commissioning:import-job", args=[job.public_id])).content.decode()
    assert re.search(r"Progress: 47%", page) and "Importing" in page and 'http-equiv="refresh"' in page


@override_settings(IMPORT_BACKGROUND_BYTES=100)
def test_a_large_file_that_is_not_a_return_file_is_refused_at_once_without_a_job(commissioner, steps, sign_in):
    url = reverse("commissioning:return-upload", args=[steps.public_id, "2014-q1"])
    response = sign_in(commissioner.user).post(url, {"file": SimpleUploadedFile("q1.pdf", b"%PDF-1.4" + b"x" * 500)})
    assert response.status_code == 400 and "The file must be a CSV or XLSX" in response.content.decode()
    assert not ReturnImportJob.all_tenants.exists()
