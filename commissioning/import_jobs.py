"""Return files imported by a worker: queued once, imported exactly once.

A job is delivered again when its worker dies (tasks are acknowledged late and rejected when the worker is lost),
or retried. The import and the job's "done" mark commit in one transaction, under a lock on the job's row, so a
worker killed mid-import leaves nothing behind, and a second delivery after success does nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.audit import record_event
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.tasks import enqueue
from earlyhelp.tenancy import tenant_context

from . import returns_io, services
from .models import CommissionedService, ReturnImportJob


def return_import_request(*, by: Membership, service: CommissionedService, quarter: Quarter, data: bytes,
                          filename: str) -> ReturnImportJob:
    """Queue a return file for import by a worker, once this transaction commits."""
    from .tasks import import_return_file

    services._require_submitter(by, service)
    if len(data) > returns_io.MAX_UPLOAD_BYTES:
        raise ValidationError(f"The file is larger than {returns_io.MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    job = ReturnImportJob.objects.create(service=service, fy_start_year=quarter.start_year,
                                         quarter_number=quarter.number, filename=filename[:255], data=data,
                                         requested_by=by.user)
    record_event(action="return_import.queued", actor=by.user, obj=job,
                 detail={"service": str(service.public_id), "quarter": str(quarter), "bytes": len(data)})
    enqueue(import_return_file, job.tenant_id, job.pk)
    return job


def return_import_job_execute(*, tenant, job_id: int) -> ReturnImportJob | None:
    """Run one queued import: idempotent and safe to deliver twice (see the module doc)."""
    with tenant_context(tenant):  # the attempt is counted even if this worker dies below
        updated = ReturnImportJob.objects.filter(pk=job_id, status=ReturnImportJob.Status.QUEUED)
        if not updated.exists():
            return ReturnImportJob.objects.filter(pk=job_id).first()
        job = updated.select_for_update().get()
        job.attempts += 1
        job.save(update_fields=["attempts"])
    with tenant_context(tenant):
        job = ReturnImportJob.objects.select_for_update().select_related("service").get(pk=job_id)
        if job.status != ReturnImportJob.Status.QUEUED:  # another delivery finished first
            return job
        quarter = Quarter(job.fy_start_year, job.quarter_number, tenant.financial_year_start_month)
        try:
            by = Membership.objects.get(user_id=job.requested_by_id, is_active=True)
            outcome = services.return_import(by=by, service=job.service, quarter=quarter, data=bytes(job.data),
                                             filename=job.filename)
            problems = [str(p) for p in outcome.problems]
        except (ValidationError, PermissionDenied, Membership.DoesNotExist) as error:
            outcome, problems = None, list(getattr(error, "messages", [str(error)]))
        job.status = ReturnImportJob.Status.REJECTED if problems else ReturnImportJob.Status.DONE
        job.problems = problems
        job.kpi_return = outcome.kpi_return if outcome is not None else None
        job.data = b""  # the values are kept as the return's revision; the file's bytes are no longer needed
        job.finished_at = timezone.now()
        job.save()
        record_event(action=f"return_import.{job.status}", actor_label="import worker", obj=job,
                     detail={"problems": len(problems), "attempts": job.attempts})
        return job
