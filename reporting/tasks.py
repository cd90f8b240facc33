from earlyhelp.tasks import tenant_task

from .services import report_run_execute


@tenant_task(one_transaction=False, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_report_run(tenant, run_id: int):
    """Render a report run to PDF (idempotent: a redelivered or retried task finishes the run once)."""
    run = report_run_execute(tenant=tenant, run_id=run_id)
    return run.status if run else "failed"
