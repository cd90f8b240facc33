"""Celery tasks of the cases app: thin, they take ids, enter the tenant's context and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from earlyhelp.queueing import queue_for_every_tenant, tenant_task

from .reminders import daily_digests_send


@tenant_task(name="cases.tasks.send_daily_digests")
def send_daily_digests(tenant, today: str | None = None) -> int:
    """Email each case worker of ``tenant`` their task list (if anything is due). Returns the number sent."""
    return daily_digests_send(tenant=tenant, today=dt.date.fromisoformat(today) if today else None)


@shared_task(name="cases.tasks.send_daily_digests_for_every_tenant")
def send_daily_digests_for_every_tenant() -> int:
    """Beat's daily entry point: one task per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(send_daily_digests)


@tenant_task(name="cases.tasks.apply_retention")
def apply_retention(tenant, today: str | None = None) -> dict:
    """Apply ``tenant``'s retention rule (anonymise or delete expired families); returns the counts."""
    from .services.retention import retention_apply, retention_rule

    return retention_apply(today=dt.date.fromisoformat(today) if today else None,
                           by=retention_rule(tenant)).summary()


@shared_task(name="cases.tasks.apply_retention_for_every_tenant")
def apply_retention_for_every_tenant() -> int:
    """Beat's nightly entry point: one retention task per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(apply_retention)


@tenant_task(name="cases.tasks.import_case_records_file", one_transaction=False, acks_late=True,
             reject_on_worker_lost=True)
def import_case_records_file(tenant, job_id: int) -> str:
    """Import a queued migration file (idempotent: a redelivered task imports it once)."""
    from .import_jobs import case_import_job_execute

    job = case_import_job_execute(tenant=tenant, job_id=job_id)
    return job.status if job else "missing"


@tenant_task(name="cases.checks.requeue_stalled_import_jobs")
def requeue_stalled_case_import_jobs(tenant) -> dict:
    """Queue again (or fail, after three attempts) ``tenant``'s case import jobs whose worker died."""
    from .import_jobs import case_import_jobs_requeue_stalled

    return case_import_jobs_requeue_stalled()


@shared_task(name="cases.checks.requeue_stalled_import_jobs_for_every_tenant")
def requeue_stalled_case_import_jobs_for_every_tenant() -> int:
    """Beat's entry point, every minute: one check per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(requeue_stalled_case_import_jobs)


@tenant_task(name="cases.tasks.build_statutory_return", one_transaction=False, acks_late=True,
             reject_on_worker_lost=True)
def build_statutory_return(tenant, job_id: int) -> str:
    """Build a queued statutory return of ``tenant`` (idempotent: a redelivered task builds it once)."""
    from .statutory.jobs import statutory_return_build

    job = statutory_return_build(tenant=tenant, job_id=job_id)
    return job.status if job else "missing"


@tenant_task(name="cases.checks.statutory_returns_housekeeping")
def statutory_returns_housekeeping(tenant) -> dict:
    """Queue again (or fail) ``tenant``'s returns whose worker died, and delete the files past their expiry."""
    from .statutory.jobs import statutory_returns_expire, statutory_returns_requeue_stalled

    return {**statutory_returns_requeue_stalled(), "expired": statutory_returns_expire()}


@shared_task(name="cases.checks.statutory_returns_housekeeping_for_every_tenant")
def statutory_returns_housekeeping_for_every_tenant() -> int:
    """Beat's entry point, every minute: one check per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(statutory_returns_housekeeping)
