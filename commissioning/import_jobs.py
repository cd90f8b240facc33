"""Return files imported by a worker: queued once, imported exactly once.

The browser's upload page sends a file larger than ``IMPORT_BACKGROUND_BYTES`` here (smaller files are imported
inside the request) and shows the job's progress page. A job is delivered again when its worker process dies
(tasks are acknowledged late and rejected when the worker is lost), when the stalled-job check queues it again
(its whole worker died: no heartbeat for ``RUNNING_JOB_STALL_MINUTES``, see ``earlyhelp.jobs``), or when the
broker's visibility timeout brings the original message back. The import and the job's "done" mark commit in one
transaction, under an advisory lock of the job, so a worker killed mid-import leaves nothing behind, two
deliveries never import twice, and a delivery after success does nothing. The heartbeat is written beside that
transaction (a thread with its own connection), so a long import that is alive is never taken for a dead one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.actors import user_of
from earlyhelp.audit import record_event
from earlyhelp.jobs import Heartbeat, job_begin, job_lock, jobs_requeue_stalled
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.queueing import enqueue
from earlyhelp.tenancy import tenant_context

from . import returns_io, services
from .models import CommissionedService, ReturnImportJob

_JOB_LOCK_NAMESPACE = 0x4944  # "ID": advisory locks of import jobs


def return_import_request(*, by: Membership, service: CommissionedService, quarter: Quarter, data: bytes,
                          filename: str) -> ReturnImportJob:
    """Queue a return file for import by a worker, once this transaction commits. Who may upload, whether the
    return can still change and the file-level checks (size, type, zip bomb) are done now, so the person sees
    those answers at once; the file's rows are read and validated by the worker."""
    services._require_submitter(by, service)
    services._require_editable(service, quarter)
    problems = returns_io.check_upload(data, filename)
    if problems:
        raise ValidationError([p.message for p in problems])
    job = ReturnImportJob.objects.create(service=service, fy_start_year=quarter.start_year,
                                         quarter_number=quarter.number, filename=filename[:255], data=data,
                                         requested_by=user_of(by), queued_at=timezone.now())
    record_event(action="return_import.queued", by=by, obj=job,
                 detail={"service": str(service.public_id), "quarter": str(quarter), "bytes": len(data)})
    enqueue("commissioning.tasks.import_return_file", job.tenant_id, job.pk)
    return job


def _problem(p) -> dict:
    return {"row": p.row, "column": p.column, "message": p.message}


def return_import_job_execute(*, tenant, job_id: int) -> ReturnImportJob | None:
    """Run one queued import: idempotent and safe to deliver twice (see the module doc)."""
    if job_begin(ReturnImportJob, tenant=tenant, job_id=job_id) is None:
        with tenant_context(tenant):
            return ReturnImportJob.objects.filter(pk=job_id).first()
    with Heartbeat(ReturnImportJob, job_id, tenant, running_statuses=[ReturnImportJob.Status.RUNNING]) as beat:
        return _import(tenant, job_id, beat)


def _import(tenant, job_id: int, beat: Heartbeat) -> ReturnImportJob:
    with tenant_context(tenant):  # one transaction: the values, the revision, the audit event and "done"
        job_lock(_JOB_LOCK_NAMESPACE, job_id)  # a second delivery waits here, then finds the job finished
        job = ReturnImportJob.objects.select_related("service").get(pk=job_id)
        if job.is_finished:
            return job
        quarter = Quarter(job.fy_start_year, job.quarter_number, tenant.financial_year_start_month)
        try:
            by = Membership.objects.get(user_id=job.requested_by_id, is_active=True)
            outcome = services.return_import(by=by, service=job.service, quarter=quarter, data=bytes(job.data),
                                             filename=job.filename, progress=beat.progress)
            problems = [_problem(p) for p in outcome.problems]
        except (ValidationError, PermissionDenied, Membership.DoesNotExist) as error:
            outcome = None
            problems = [{"row": 0, "column": "", "message": m}
                        for m in getattr(error, "messages", None) or [str(error) or "You can no longer upload."]]
        job = ReturnImportJob.objects.select_for_update().get(pk=job_id)
        job.status = ReturnImportJob.Status.REJECTED if problems else ReturnImportJob.Status.DONE
        job.problems = problems
        job.kpi_return = outcome.kpi_return if outcome is not None else None
        job.data = b""  # the values are kept as the return's revision; the file's bytes are no longer needed
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "problems", "kpi_return", "data", "progress", "finished_at"])
        record_event(action=f"return_import.{job.status}", actor_label="import worker", obj=job,
                     detail={"problems": len(problems), "attempts": job.attempts})
        return job


def return_import_jobs_requeue_stalled(*, now=None) -> dict:
    """The current tenant's stalled import jobs (a worker killed outright, a lost queue message; see
    ``earlyhelp.jobs``): queued again, or failed with the reason after three attempts. Run by beat every minute;
    ``now`` is the check's clock (tests move it)."""
    return jobs_requeue_stalled(ReturnImportJob, task="commissioning.tasks.import_return_file", now=now,
                                action="return_import",
                                what="import")
