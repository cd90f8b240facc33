"""Writes with business rules for committee reports and their runs."""

from __future__ import annotations

import hashlib
import json
import traceback

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from earlyhelp.actors import is_client, require, user_of
from earlyhelp.audit import record_event
from earlyhelp.audit_checkpoints import checkpoint_write
from earlyhelp.jobs import Heartbeat
from earlyhelp.permissions import Capability
from earlyhelp.queueing import enqueue
from earlyhelp.tenancy import tenant_context

from . import rendering
from . import sections as registry
from .models import Report, ReportRun

REPORT_FIELDS = [
    "title", "committee", "meeting_date", "item_number", "wards_affected", "key_decision", "report_of",
    "accountable_director", "is_public", "exempt_reason", "period_start_year", "period_quarter",
    "executive_summary", "recommendations", "introduction", "issues_analysis", "reasons_for_recommendation",
    "consultation", "corporate_policies", "financial_implications", "financial_verified_by",
    "legal_implications", "legal_verified_by", "diversity_implications", "diversity_verified_by",
    "other_implications", "background_papers", "appendices", "author", "follow_up_months",
    "follow_up_window_months",
]


def report_create(*, by, **fields) -> Report:
    """Create a report with every section in the default order."""
    require(by, Capability.RUN_REPORTS)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown report fields: {', '.join(sorted(unknown))}")
    report = Report(created_by=user_of(by), sections=registry.default_layout(), **fields)
    report.full_clean(exclude=["tenant"])
    report.save()
    record_event(action="report.created", by=by, obj=report)
    return report


def report_update(*, report: Report, by, **fields) -> Report:
    require(by, Capability.RUN_REPORTS)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown report fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean(exclude=["tenant"])
    report.save()
    record_event(action="report.updated", by=by, obj=report, detail={"fields": sorted(fields)})
    return report


def report_arrange_sections(*, report: Report, by, layout: list[dict]) -> Report:
    """Set the order and inclusion of the body sections. Every key must be a known section, once."""
    require(by, Capability.RUN_REPORTS)
    keys = [item.get("key") for item in layout]
    known = {s.key for s in registry.all_sections()}
    bad = [k for k in keys if k not in known]
    if bad:
        raise ValidationError(f"Unknown sections: {', '.join(map(str, bad))}")
    if len(set(keys)) != len(keys):
        raise ValidationError("A section may appear only once.")
    report.sections = registry.normalise_layout(layout)
    report.save(update_fields=["sections", "updated_at"])
    record_event(action="report.sections_arranged", by=by, obj=report,
                 detail={"included": [i["key"] for i in report.sections if i["include"]]})
    return report


def _parameters(report: Report) -> dict:
    params = {name: getattr(report, name) for name in REPORT_FIELDS}
    params["meeting_date"] = report.meeting_date.isoformat()
    params["sections"] = registry.normalise_layout(report.sections)
    params["report_public_id"] = str(report.public_id)
    return params


def report_run_request(*, report: Report, by) -> ReportRun:
    """Freeze the report's current content as a run and queue its rendering once this transaction commits.

    A run is requested by a person: ``by``'s user, or for an API client the administrator who created (answers
    for) it."""
    require(by, Capability.RUN_REPORTS)
    person = by.created_by if is_client(by) else user_of(by)
    if person is None:
        raise PermissionDenied("Nobody answers for this API client: an administrator must create it again.")
    run = ReportRun.objects.create(report=report, requested_by=person, parameters=_parameters(report),
                                   queued_at=timezone.now())
    record_event(action="report_run.requested", by=by, obj=run,
                 detail={"report": str(report.public_id)})
    enqueue("reporting.tasks.render_report_run", run.tenant_id, run.pk)
    return run


def report_run_retry(*, run: ReportRun, by) -> ReportRun:
    """Queue a failed run again, or a stalled one (see ``ReportRun.stalled_since``). A stalled run's first worker,
    if it is in fact alive, and the new one cannot both finish it: the last step checks the run under a lock."""
    require(by, Capability.RUN_REPORTS)
    if run.status != ReportRun.Status.FAILED and run.stalled_since is None:
        raise ValidationError("Only a failed or stalled run can be retried.")
    run.status = ReportRun.Status.QUEUED
    run.error = ""
    run.progress = 0
    run.queued_at = timezone.now()
    run.save(update_fields=["status", "error", "progress", "queued_at"])
    record_event(action="report_run.retried", by=by, obj=run)
    enqueue("reporting.tasks.render_report_run", run.tenant_id, run.pk)
    return run


MAX_AUTOMATIC_ATTEMPTS = 3


def report_runs_requeue_stalled(*, now=None) -> dict:
    """The current tenant's stalled runs (a worker killed outright, a lost queue message; see
    ``earlyhelp.jobs``): queued again, or failed with the reason once they have been attempted
    ``MAX_AUTOMATIC_ATTEMPTS`` times. Run by beat every minute; ``now`` is the check's clock (tests move it)."""
    requeued = failed = 0
    candidates = ReportRun.objects.select_for_update(skip_locked=True).filter(
        status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING])
    for run in candidates:
        if run.stalled_since_at(now) is None:
            continue
        if run.attempts >= MAX_AUTOMATIC_ATTEMPTS:
            run.status = ReportRun.Status.FAILED
            run.error = (f"The report worker stopped {run.attempts} times while rendering this run. Try again, "
                         "and tell your system administrator if it happens again.")
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            record_event(action="report_run.failed", actor_label="stalled-run check", obj=run,
                         detail={"error": "stalled", "attempts": run.attempts})
            failed += 1
            continue
        run.status = ReportRun.Status.QUEUED
        run.queued_at = timezone.now()
        run.progress = 0
        run.save(update_fields=["status", "queued_at", "progress"])
        record_event(action="report_run.requeued", actor_label="stalled-run check", obj=run,
                     detail={"attempts": run.attempts})
        enqueue("reporting.tasks.render_report_run", run.tenant_id, run.pk)
        requeued += 1
    return {"requeued": requeued, "failed": failed}


def _set_progress(tenant, run_id: int, percent: int) -> None:
    with tenant_context(tenant):
        ReportRun.objects.filter(pk=run_id).update(progress=percent)


def report_run_execute(*, tenant, run_id: int) -> ReportRun | None:
    """Render one run: idempotent and safe to retry.

    Each step commits on its own so the browser sees progress. A run already done is left alone; a run left
    'running' by a killed worker is rendered again from the start, and its PDF overwritten, never duplicated.
    A failure is recorded on the run (with the error) for the officer to read and retry.
    """
    with tenant_context(tenant):
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status == ReportRun.Status.DONE:
            return run
        run.status = ReportRun.Status.RUNNING
        run.attempts += 1
        run.started_at = run.heartbeat_at = timezone.now()
        run.progress = 5
        run.error = ""
        run.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "progress", "error"])
    with Heartbeat(ReportRun, run_id, tenant, running_statuses=[ReportRun.Status.RUNNING]):
        return _render(tenant, run, run_id)


def _render(tenant, run: ReportRun, run_id: int) -> ReportRun | None:
    try:
        with tenant_context(tenant):
            snapshot = rendering.build_snapshot(tenant, run.parameters,
                                                progress=lambda pct: None)
            # The audit chain's head, signed and written outside the database, and printed on the report.
            snapshot["audit_checkpoint"] = rendering.checkpoint_summary(
                checkpoint_write(tenant=tenant, reason=f"report run {run.public_id}"))
        _set_progress(tenant, run_id, 70)
        # As it will read back from the database (string keys, JSON types), so that its hash, printed on the
        # report, is the hash of the stored snapshot, and the stored snapshot renders the same document.
        snapshot = json.loads(json.dumps(snapshot, default=str))
        snapshot_sha256 = rendering.snapshot_hash(snapshot)
        html = rendering.render_html(snapshot, provenance=rendering.provenance(
            tenant=tenant, run_public_id=run.public_id, snapshot_sha256=snapshot_sha256))
        pdf_bytes = rendering.render_pdf(html)
        _set_progress(tenant, run_id, 95)
        with tenant_context(tenant):
            run = ReportRun.objects.select_for_update().get(pk=run_id)
            if run.status == ReportRun.Status.DONE:  # another delivery finished first
                return run
            name = f"reports/{tenant.slug}/{run.public_id}.pdf"
            if run.pdf:
                run.pdf.delete(save=False)
            run.snapshot = snapshot
            run.snapshot_sha256 = snapshot_sha256
            run.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
            run.pdf.save(name, ContentFile(pdf_bytes), save=False)
            run.status = ReportRun.Status.DONE
            run.progress = 100
            run.finished_at = timezone.now()
            run.save()
            record_event(action="report_run.rendered", actor_label="report worker", obj=run,
                         detail={"pdf_sha256": run.pdf_sha256, "pages_bytes": len(pdf_bytes)})
            return run
    except Exception as exc:  # noqa: BLE001 - recorded on the run for the officer; the job does not loop
        with tenant_context(tenant):
            ReportRun.objects.filter(pk=run_id).update(
                status=ReportRun.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}",
                finished_at=timezone.now(),
            )
            record_event(action="report_run.failed", actor_label="report worker", object_type="reporting.reportrun",
                         object_public_id=str(run.public_id), detail={"error": str(exc)[:500],
                                                                      "trace": traceback.format_exc()[-2000:]})
        return None


__all__ = [
    "report_create", "report_update", "report_arrange_sections", "report_run_request", "report_run_retry",
    "report_run_execute", "report_runs_requeue_stalled",
]
