"""Celery tasks of the commissioning app: thin, they take ids, enter the tenant's context and call a service."""

from earlyhelp.tasks import tenant_task

from .import_jobs import return_import_job_execute


@tenant_task(name="commissioning.tasks.import_return_file", one_transaction=False, acks_late=True,
             reject_on_worker_lost=True)
def import_return_file(tenant, job_id: int) -> str:
    """Import a queued return file (idempotent: a redelivered task imports it once)."""
    job = return_import_job_execute(tenant=tenant, job_id=job_id)
    return job.status if job else "missing"
