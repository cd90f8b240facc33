from celery import shared_task

from earlyhelp.queueing import queue_for_every_tenant, tenant_task

from .services import report_run_execute


@tenant_task(one_transaction=False, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_report_run(tenant, run_id: int):
    """Render a report run to PDF (idempotent: a redelivered or retried task finishes the run once)."""
    run = report_run_execute(tenant=tenant, run_id=run_id)
    return run.status if run else "failed"


# Named outside "reporting.tasks.*" so that they run on the default queue, not the report workers' queue: the
# check must still run when the report workers are the ones that died.
@tenant_task(name="reporting.checks.requeue_stalled_report_runs")
def requeue_stalled_report_runs(tenant) -> dict:
    """Queue again (or fail, after three attempts) ``tenant``'s runs whose worker died."""
    from .services import report_runs_requeue_stalled

    return report_runs_requeue_stalled()


@shared_task(name="reporting.checks.requeue_stalled_report_runs_for_every_tenant")
def requeue_stalled_report_runs_for_every_tenant() -> int:
    """Beat's entry point, every few minutes: one check per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(requeue_stalled_report_runs)
