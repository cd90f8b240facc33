"""The migration import of a large file, run by a worker: queued once, imported exactly once, all or nothing.

The import page sends a file larger than ``IMPORT_BACKGROUND_BYTES`` here (a smaller one is imported inside the
request) and shows the job's progress page. Delivery, heartbeat and recovery work as for KPI return files
(``commissioning.import_jobs``, ``earlyhelp.jobs``): the import and the job's "done" mark commit in one
transaction under an advisory lock of the job, so a worker killed mid-import leaves nothing behind and a second
delivery does nothing.
"""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.jobs import Heartbeat, job_begin, job_lock, jobs_requeue_stalled
from earlyhelp.models import Membership
from earlyhelp.permissions import Capability
from earlyhelp.queueing import enqueue
from earlyhelp.spreadsheets import check_upload
from earlyhelp.tenancy import tenant_context

from .models import CaseImportJob
from .services.importing import case_records_import

_JOB_LOCK_NAMESPACE = 0x4349  # "CI": advisory locks of case import jobs


def case_import_request(*, by: Membership, data: bytes, filename: str) -> CaseImportJob:
    """Queue a migration import file for a worker, once this transaction commits. Who may import and the
    file-level checks (size, type, zip bomb) are done now; its rows are read and checked by the worker."""
    require(by, Capability.IMPORT_CASE_RECORDS)
    problems = check_upload(data, filename)
    if problems:
        raise ValidationError([p.message for p in problems])
    job = CaseImportJob.objects.create(filename=filename[:255], data=data, requested_by=user_of(by),
                                       queued_at=timezone.now())
    record_event(action="case_import.queued", by=by, obj=job, detail={"bytes": len(data)})
    enqueue("cases.tasks.import_case_records_file", job.tenant_id, job.pk)
    return job


def case_import_job_execute(*, tenant, job_id: int) -> CaseImportJob | None:
    """Run one queued import: idempotent and safe to deliver twice (see the module doc)."""
    if job_begin(CaseImportJob, tenant=tenant, job_id=job_id) is None:
        with tenant_context(tenant):
            return CaseImportJob.objects.filter(pk=job_id).first()
    with Heartbeat(CaseImportJob, job_id, tenant, running_statuses=[CaseImportJob.Status.RUNNING]) as beat:
        return _import(tenant, job_id, beat)


def _import(tenant, job_id: int, beat: Heartbeat) -> CaseImportJob:
    with tenant_context(tenant):  # one transaction: the records, their audit events and "done"
        job_lock(_JOB_LOCK_NAMESPACE, job_id)
        job = CaseImportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        outcome = None
        try:
            by = Membership.objects.get(user_id=job.requested_by_id, is_active=True)
            outcome = case_records_import(data=bytes(job.data), filename=job.filename, by=by,
                                          progress=beat.progress)
            problems = [{"row": p.row, "column": p.column, "message": p.message} for p in outcome.problems]
        except (PermissionDenied, Membership.DoesNotExist) as error:
            problems = [{"row": 0, "column": "", "message": str(error) or "You can no longer import case records."}]
        job = CaseImportJob.objects.select_for_update().get(pk=job_id)
        job.status = CaseImportJob.Status.REJECTED if problems else CaseImportJob.Status.DONE
        job.problems = problems
        job.rows = outcome.rows if outcome else 0
        job.summary = asdict(outcome.summary) if outcome and outcome.summary else None
        job.data = b""  # the records now hold what the file said
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "problems", "rows", "summary", "data", "progress", "finished_at"])
        record_event(action=f"case_import.{job.status}", actor_label="import worker", obj=job,
                     detail={"problems": len(problems), "attempts": job.attempts})
        return job


def case_import_jobs_requeue_stalled(*, now=None) -> dict:
    """The current tenant's stalled case import jobs, queued again (or failed after three attempts); run by beat
    every minute, ``now`` is the check's clock (tests move it)."""
    return jobs_requeue_stalled(CaseImportJob, task="cases.tasks.import_case_records_file", now=now,
                                action="case_import",
                                what="import")
