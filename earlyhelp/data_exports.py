"""Services for a tenant administrator's full data export: ask for one, build it in the background, let it
expire. The export itself (every table as CSV in a zip, with a manifest) is ``earlyhelp.tenant_export``."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .actors import RuleActor, require, user_of
from .audit import record_event
from .models import DataExport, Membership
from .permissions import Capability
from .queueing import enqueue
from .tenancy import current_tenant

ONLY_ADMINISTRATORS = "Only a tenant administrator can export the local authority's data."


def _requester(export: DataExport) -> Membership:
    """The membership that asked for ``export``, looked up again when the job runs (it may have left)."""
    by = Membership.objects.filter(user_id=export.requested_by_id, is_active=True).first()
    if by is None:
        raise PermissionDenied(ONLY_ADMINISTRATORS)
    return by


def data_export_request(*, by: Membership) -> DataExport:
    """Queue a new export for the current tenant. Refused while another export is queued or running, so a
    double click does not build two."""
    require(by, Capability.ADMINISTER_TENANT, ONLY_ADMINISTRATORS)
    with transaction.atomic():
        pending = DataExport.objects.select_for_update().filter(
            status__in=[DataExport.Status.QUEUED, DataExport.Status.RUNNING])
        if pending.exists():
            raise ValidationError("An export is already being prepared. Wait for it to finish.")
        export = DataExport.objects.create(requested_by=user_of(by))
        record_event(action="tenant.export_requested", by=by, object_type="data_export",
                     object_public_id=str(export.public_id))
        enqueue("earlyhelp.tasks.export_tenant_data", current_tenant().pk, export.pk)
    return export


def data_export_build(*, export: DataExport) -> DataExport:
    """Build the export's zip, store it and mark it ready (idempotent: a finished export is left alone).
    The requester must still administer the tenant when the job runs."""
    from .tenant_export import tenant_export_zip

    if export.status in (DataExport.Status.DONE, DataExport.Status.EXPIRED):
        return export
    by = _requester(export)
    require(by, Capability.ADMINISTER_TENANT, ONLY_ADMINISTRATORS)
    with tempfile.TemporaryFile() as handle:
        manifest = tenant_export_zip(out=handle)
        size = handle.tell()
        handle.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        handle.seek(0)
        if export.file:
            export.file.delete(save=False)  # a retried run replaces a half-written file
        export.file.save(f"{current_tenant().public_id}/{export.public_id.hex}.zip", File(handle), save=False)
    now = timezone.now()
    export.status = DataExport.Status.DONE
    export.error = ""
    export.sha256 = digest.hexdigest()
    export.size = size
    export.tables = len(manifest["tables"])
    export.rows = sum(t["rows"] for t in manifest["tables"].values())
    export.finished_at = now
    export.expires_at = now + dt.timedelta(days=settings.DATA_EXPORT_DAYS)
    export.save()
    record_event(action="tenant.exported", by=by, object_type="data_export",
                 object_public_id=str(export.public_id),
                 detail={"file": export.file.name, "files": manifest["files"], "rows": export.rows,
                         "sha256": export.sha256})
    return export


def data_export_fail(*, export: DataExport, error: str) -> None:
    export.status = DataExport.Status.FAILED
    export.error = error[:2000]
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "finished_at"])


def data_export_downloaded(*, export: DataExport, by: Membership) -> None:
    """``by`` downloads the export's file (the view sends it after this)."""
    require(by, Capability.ADMINISTER_TENANT, ONLY_ADMINISTRATORS)
    record_event(action="tenant.export_downloaded", by=by, object_type="data_export",
                 object_public_id=str(export.public_id), detail={"sha256": export.sha256})


def data_export_expiry(tenant) -> RuleActor:
    """The expiry rule acting on its schedule (the nightly task): named in the audit log."""
    return RuleActor(tenant=tenant, name="data export expiry", capabilities=frozenset({Capability.ADMINISTER_TENANT}))


def data_exports_expire(*, by) -> int:
    """Delete the files of the current tenant's exports past their expiry; returns how many."""
    require(by, Capability.ADMINISTER_TENANT, ONLY_ADMINISTRATORS)
    expired = 0
    for export in DataExport.objects.filter(status=DataExport.Status.DONE, expires_at__lte=timezone.now()):
        export.file.delete(save=False)
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["file", "status"])
        record_event(action="tenant.export_expired", by=by, object_type="data_export",
                     object_public_id=str(export.public_id))
        expired += 1
    return expired
