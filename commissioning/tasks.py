"""Celery tasks of the commissioning app: thin, they take ids, enter the tenant's context and call a service."""

from celery import shared_task

from earlyhelp.queueing import queue_for_every_tenant, tenant_task

from .import_jobs import return_import_job_execute


@tenant_task(name="commissioning.tasks.import_return_file", one_transaction=False, acks_late=True,
             reject_on_worker_lost=True)
def import_return_file(tenant, job_id: int) -> str:
    """Import a queued return file (idempotent: a redelivered task imports it once)."""
    job = return_import_job_execute(tenant=tenant, job_id=job_id)
    return job.status if job else "missing"


@tenant_task(name="commissioning.checks.requeue_stalled_import_jobs")
def requeue_stalled_import_jobs(tenant) -> dict:
    """Queue again (or fail, after three attempts) ``tenant``'s import jobs whose worker died."""
    from .import_jobs import return_import_jobs_requeue_stalled

    return return_import_jobs_requeue_stalled()


@shared_task(name="commissioning.checks.requeue_stalled_import_jobs_for_every_tenant")
def requeue_stalled_import_jobs_for_every_tenant() -> int:
    """Beat's entry point, every minute: one check per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(requeue_stalled_import_jobs)
