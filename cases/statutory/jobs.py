"""Services of the statutory returns page: ask for a return, build it in the background, download it, expire it.

A return holds child-level data, so every step checks ``Capability.STATUTORY_RETURNS`` inside the service, for
the member asking (``by``) — and again when the worker builds it, for the member who asked — and writes one audit
event: who asked, who built and downloaded it, and how many records it holds. The job's council is fixed when it
is asked for: the worker builds it inside that council's context only (``earlyhelp.queueing.tenant_task``), so
another council's rows are not even visible to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.utils import timezone

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.jobs import Heartbeat, job_begin
from earlyhelp.models import Membership
from earlyhelp.permissions import Capability
from earlyhelp.queueing import enqueue
from earlyhelp.tenancy import tenant_context

from ..models import StatutoryReturnJob
from . import annex_a, cin_census, ssd

Kind = StatutoryReturnJob.Kind
TASK = "cases.tasks.build_statutory_return"


def _clean_parameters(kind: str, parameters: dict) -> dict:
    """The parameters a job keeps, checked: a clear message names what is wrong; nothing is queued."""
    if kind == Kind.CIN_CENSUS:
        year = int(parameters["year"])
        if not 2000 <= year <= 2100:
            raise ValidationError("The census year must be a year such as 2026 (the 2025/26 census).")
        la_number = str(parameters.get("la_number", "")).strip()
        if not cin_census.LA_NUMBER_PATTERN.fullmatch(la_number):
            raise ValidationError("Enter the council's three-digit DfE local authority number, e.g. 926.")
        return {"year": year, "la_number": la_number, "module5": bool(parameters.get("module5"))}
    if kind == Kind.ANNEX_A:
        start, end = dt.date.fromisoformat(str(parameters["start"])), dt.date.fromisoformat(str(parameters["end"]))
        if start > end:
            raise ValidationError("The period must start on or before the day it ends.")
        return {"start": start.isoformat(), "end": end.isoformat()}
    if kind == Kind.SSD:
        return {}
    raise ValidationError(f"Unknown return {kind!r}.")


def statutory_return_request(*, by: Membership, kind: str, parameters: dict | None = None) -> StatutoryReturnJob:
    """Queue the building of a return of ``by``'s council, once this transaction commits."""
    require(by, Capability.STATUTORY_RETURNS)
    cleaned = _clean_parameters(kind, parameters or {})
    job = StatutoryReturnJob.objects.create(kind=kind, parameters=cleaned, requested_by=by.user,
                                            queued_at=timezone.now())
    record_event(action="statutory_return.requested", by=by, obj=job, detail={"kind": kind, **cleaned})
    enqueue(TASK, job.tenant_id, job.pk)
    return job


def _filename(job: StatutoryReturnJob) -> str:
    slug = job.tenant.slug
    p = job.parameters
    if job.kind == Kind.CIN_CENSUS:
        return f"{slug}-cin-census-{p['year'] - 1}-{str(p['year'])[2:]}.xml"
    if job.kind == Kind.ANNEX_A:
        return f"{slug}-annex-a-list-2-{p['start']}-to-{p['end']}.xlsx"
    return f"{slug}-ssd-early-help.zip"


def _build(job: StatutoryReturnJob, handle, progress) -> tuple[int, dict]:
    """Write the job's file to ``handle``; returns the records written and what the audit event says of them."""
    p = job.parameters
    if job.kind == Kind.CIN_CENSUS:
        outcome = cin_census.census_write(handle, year=p["year"], la_number=p["la_number"], module5=p["module5"],
                                          progress=progress)
        return outcome.episodes, {"children": outcome.children, "episodes": outcome.episodes,
                                  "schema": outcome.schema, "module5_blocks": outcome.module5_blocks,
                                  "warnings": outcome.problems[:50]}
    if job.kind == Kind.ANNEX_A:
        rows = annex_a.annex_a_write(handle, start=dt.date.fromisoformat(p["start"]),
                                     end=dt.date.fromisoformat(p["end"]), progress=progress)
        return rows, {"rows": rows}
    counts = ssd.ssd_write_zip(handle, progress=progress)
    return sum(counts.values()), {"rows": counts}


def statutory_return_build(*, tenant, job_id: int) -> StatutoryReturnJob | None:
    """Build one queued return (idempotent: a finished job is left alone, so a second delivery does nothing).
    The member who asked must still be allowed to when it runs."""
    if job_begin(StatutoryReturnJob, tenant=tenant, job_id=job_id) is None:
        with tenant_context(tenant):
            return StatutoryReturnJob.objects.filter(pk=job_id).first()
    with Heartbeat(StatutoryReturnJob, job_id, tenant, running_statuses=[StatutoryReturnJob.Status.RUNNING]) as beat:
        with tenant_context(tenant):
            job = StatutoryReturnJob.objects.select_related("tenant").get(pk=job_id)
            by = Membership.objects.filter(user_id=job.requested_by_id, is_active=True).first()
            try:
                require(by, Capability.STATUTORY_RETURNS)
                with tempfile.TemporaryFile() as handle:
                    records, detail = _build(job, handle, beat.progress)
                    size = handle.tell()
                    handle.seek(0)
                    digest = hashlib.sha256()
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                    handle.seek(0)
                    if job.file:
                        job.file.delete(save=False)  # a retried run replaces a half-written file
                    job.file.save(f"{tenant.public_id}/{job.public_id.hex}", File(handle), save=False)
            except (PermissionDenied, cin_census.CensusError, ValueError) as error:
                return _fail(job, str(error) or "Your role can no longer build statutory returns.", by=by)
            now = timezone.now()
            job.status = StatutoryReturnJob.Status.DONE
            job.filename = _filename(job)
            job.sha256, job.size, job.records = digest.hexdigest(), size, records
            job.progress = 100
            job.error = ""
            job.finished_at = now
            job.expires_at = now + dt.timedelta(days=settings.STATUTORY_RETURN_DAYS)
            job.save()
            record_event(action="statutory_return.built", by=by, obj=job,
                         detail={"kind": job.kind, **job.parameters, "records": records, "sha256": job.sha256,
                                 **detail})
            return job


def _fail(job: StatutoryReturnJob, error: str, *, by) -> StatutoryReturnJob:
    job.status = StatutoryReturnJob.Status.FAILED
    job.error = error[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    record_event(action="statutory_return.failed", by=by, actor_label="" if by else "statutory returns worker",
                 obj=job, detail={"kind": job.kind, "error": job.error[:500]})
    return job


def statutory_return_downloaded(*, by: Membership, job: StatutoryReturnJob) -> None:
    """Check ``by`` may take the file away, and record that they did (with how many records it holds)."""
    require(by, Capability.STATUTORY_RETURNS)
    record_event(action="statutory_return.downloaded", by=by, obj=job,
                 detail={"kind": job.kind, "records": job.records, "sha256": job.sha256})


def statutory_returns_expire(*, now=None) -> int:
    """Delete the files of the current council's returns past their expiry; returns how many."""
    expired = 0
    for job in StatutoryReturnJob.objects.filter(status=StatutoryReturnJob.Status.DONE,
                                                 expires_at__lte=now or timezone.now()):
        job.file.delete(save=False)
        job.status = StatutoryReturnJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        record_event(action="statutory_return.expired", actor_label="statutory return expiry", obj=job)
        expired += 1
    return expired


def statutory_returns_requeue_stalled(*, now=None) -> dict:
    """The current council's returns whose worker died (``earlyhelp.jobs``): queued again, or failed once tried
    ``MAX_AUTOMATIC_ATTEMPTS`` times; run by beat every minute, ``now`` is the check's clock (tests move it)."""
    from earlyhelp.jobs import MAX_AUTOMATIC_ATTEMPTS

    requeued = failed = 0
    for job in StatutoryReturnJob.objects.select_for_update(skip_locked=True).filter(
            status__in=[StatutoryReturnJob.Status.QUEUED, StatutoryReturnJob.Status.RUNNING]):
        if job.stalled_since(now) is None:
            continue
        if job.attempts >= MAX_AUTOMATIC_ATTEMPTS:
            _fail(job, f"The worker stopped {job.attempts} times while building this return. Ask for it again, "
                       "and tell your system administrator if it happens again.", by=None)
            failed += 1
            continue
        job.status = StatutoryReturnJob.Status.QUEUED
        job.queued_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "queued_at", "progress"])
        record_event(action="statutory_return.requeued", actor_label="stalled-job check", obj=job,
                     detail={"attempts": job.attempts})
        enqueue(TASK, job.tenant_id, job.pk)
        requeued += 1
    return {"requeued": requeued, "failed": failed}
