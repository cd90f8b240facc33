"""A tenant administrator's full data export in the browser: ask, wait for the job, download, expire."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.data_exports import data_export_expiry, data_exports_expire
from earlyhelp.models import AuditEvent, DataExport
from earlyhelp.permissions import Role
from earlyhelp.tasks import expire_data_exports_for_every_tenant
from earlyhelp.tenancy import tenant_context

pytestmark = pytest.mark.django_db(transaction=False)


def _download(client, export):
    response = client.get(reverse("data-export-download", kwargs={"public_id": export.public_id}))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_an_administrator_asks_for_an_export_and_downloads_it(tenant_a, member, client,
                                                              django_capture_on_commit_callbacks):
    admin = member(tenant_a, Role.TENANT_ADMIN)
    client.force_login(admin)
    page = client.get(reverse("data-exports"))
    assert page.status_code == 200 and b"No exports yet" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("data-exports"))
    assert response.status_code == 302
    with tenant_context(tenant_a):
        export = DataExport.objects.get()
    assert export.status == "done" and export.rows > 0 and export.tables > 10
    assert export.expires_at - export.finished_at == dt.timedelta(days=7)
    page = client.get(reverse("data-exports"))
    assert b"Ready" in page.content and b"Download" in page.content
    response, body = _download(client, export)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert hashlib.sha256(body).hexdigest() == export.sha256
    names = zipfile.ZipFile(BytesIO(body)).namelist()
    assert "manifest.json" in names and "tables/earlyhelp.membership.csv" in names
    actions = set(AuditEvent.all_tenants.filter(tenant=tenant_a).values_list("action", flat=True))
    assert {"tenant.export_requested", "tenant.exported", "tenant.export_downloaded"} <= actions


def test_a_second_request_while_one_is_pending_is_refused(tenant_a, member, client):
    admin = member(tenant_a, Role.TENANT_ADMIN)
    with tenant_context(tenant_a):
        DataExport.objects.create(requested_by=admin, status=DataExport.Status.RUNNING)
    client.force_login(admin)
    response = client.post(reverse("data-exports"), follow=True)
    assert b"An export is already being prepared" in response.content
    assert b"disabled" in response.content
    with tenant_context(tenant_a):
        assert DataExport.objects.count() == 1


def test_an_expired_export_cannot_be_downloaded_and_its_file_is_deleted(tenant_a, tenant_b, member, client,
                                                                         django_capture_on_commit_callbacks):
    admin = member(tenant_a, Role.TENANT_ADMIN)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("data-exports"))
    with tenant_context(tenant_a):
        export = DataExport.objects.get()
        storage, name = export.file.storage, export.file.name
        assert storage.exists(name)
        assert data_exports_expire(by=data_export_expiry(tenant_a)) == 0  # not yet
        DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        export.refresh_from_db()
    assert _download(client, export)[0].status_code == 404
    assert expire_data_exports_for_every_tenant.delay().get() == 2  # one task per tenant
    with tenant_context(tenant_a):
        export.refresh_from_db()
    assert export.status == "expired" and not export.file and not storage.exists(name)
    assert b"Expired" in client.get(reverse("data-exports")).content


def test_outsiders_and_other_roles_cannot_see_or_download(tenant_a, tenant_b, member, client,
                                                          django_capture_on_commit_callbacks):
    client.force_login(member(tenant_a, Role.TENANT_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("data-exports"))
    with tenant_context(tenant_a):
        export = DataExport.objects.get()
    client.force_login(member(tenant_b, Role.TENANT_ADMIN))
    assert _download(client, export)[0].status_code == 404
    assert b"No exports yet" in client.get(reverse("data-exports")).content
    client.force_login(member(tenant_a, Role.PRACTITIONER))
    assert _download(client, export)[0].status_code == 403
    assert client.post(reverse("data-exports")).status_code == 403
    with tenant_context(tenant_a):
        assert DataExport.objects.count() == 1
