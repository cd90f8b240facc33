"""Celery plumbing: tasks that run in one tenant's context, enqueued only once the transaction commits."""

from __future__ import annotations

import functools
import logging

from celery import shared_task
from django.db import transaction
from django_scopes import scope

from .tenancy import tenant_context

logger = logging.getLogger(__name__)


def tenant_task(*task_args, **task_options):
    """Declare a Celery task that runs inside a tenant's context.

    The task is called with the tenant's id first (``task.delay(tenant.pk, report_run_id)``); the wrapped
    function receives the loaded ``Tenant`` instead. Options are passed to ``shared_task`` (acks late and reject
    on worker lost are the project's defaults from settings). ``one_transaction=False``: see below.
    """

    one_transaction = task_options.pop("one_transaction", True)

    def decorator(fn):
        @shared_task(name=task_options.pop("name", f"{fn.__module__}.{fn.__name__}"), **task_options)
        @functools.wraps(fn)
        def run(tenant_id: int, *args, **kwargs):
            from .models import Tenant

            tenant = Tenant.objects.get(pk=tenant_id)
            if one_transaction:
                with tenant_context(tenant):
                    return fn(tenant, *args, **kwargs)
            # Long tasks that report progress commit in steps: the function enters tenant_context(tenant)
            # around each step itself; between steps only the scope is set (RLS then sees no rows).
            with scope(tenant=tenant):
                return fn(tenant, *args, **kwargs)

        return run

    if task_args and callable(task_args[0]):
        return decorator(task_args[0])
    return decorator


def queue_for_every_tenant(task, *args) -> int:
    """Queue ``task`` (a ``tenant_task``) once per tenant, each to run in its own tenant's context: the body of
    beat's "for every tenant" entry points. Returns how many were queued."""
    from .models import Tenant

    tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        task.delay(tenant_id, *args)
    return len(tenant_ids)


def enqueue(task, *args, **kwargs) -> None:
    """Queue ``task`` after the current transaction commits, so the worker sees the rows it is given."""
    transaction.on_commit(functools.partial(task.delay, *args, **kwargs))


@tenant_task(name="earlyhelp.tasks.export_tenant_data", one_transaction=False)
def export_tenant_data(tenant, export_id: int) -> str:
    """Build the data export ``export_id`` (see ``earlyhelp.data_exports``); returns its status. Idempotent: a
    redelivered task leaves a finished export alone. A failure is recorded on the export, with the reason."""
    from .data_exports import data_export_build, data_export_fail
    from .models import DataExport

    with tenant_context(tenant):
        export = DataExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (DataExport.Status.DONE, DataExport.Status.EXPIRED):
            return export.status if export else "missing"
        export.status = DataExport.Status.RUNNING
        export.save(update_fields=["status"])
    try:
        with tenant_context(tenant):
            return data_export_build(export=DataExport.objects.get(pk=export_id)).status
    except Exception as error:  # the administrator sees why, and can ask again
        with tenant_context(tenant):
            data_export_fail(export=DataExport.objects.get(pk=export_id),
                             error=str(error) or error.__class__.__name__)
        logger.exception("data export %s failed", export_id)
        return DataExport.Status.FAILED


@tenant_task(name="earlyhelp.tasks.expire_data_exports")
def expire_data_exports(tenant) -> int:
    """Delete the files of ``tenant``'s exports past their expiry."""
    from .data_exports import data_exports_expire

    return data_exports_expire()


@shared_task(name="earlyhelp.tasks.expire_data_exports_for_every_tenant")
def expire_data_exports_for_every_tenant() -> int:
    """Beat's hourly entry point: one expiry task per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(expire_data_exports)


@tenant_task(name="earlyhelp.tasks.checkpoint_audit_chain")
def checkpoint_audit_chain(tenant) -> int:
    """Write a signed checkpoint of ``tenant``'s audit chain head outside the database, if the chain has moved
    since the last one; returns the newest event id it records."""
    from .audit_checkpoints import checkpoint_write

    return checkpoint_write(tenant=tenant, reason="scheduled", only_if_moved=True)["last_event_id"]


@shared_task(name="earlyhelp.tasks.checkpoint_audit_chains_for_every_tenant")
def checkpoint_audit_chains_for_every_tenant() -> int:
    """Beat's entry point, every AUDIT_CHECKPOINT_MINUTES: one checkpoint task per tenant."""
    return queue_for_every_tenant(checkpoint_audit_chain)
