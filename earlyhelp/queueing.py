"""Queueing background work: tasks that run in one tenant's context, queued only once the transaction commits.

Services import :func:`enqueue` from here; an app's ``tasks`` module declares its tasks with :func:`tenant_task`
and calls the services — one direction only.
"""

from __future__ import annotations

import functools

from celery import current_app, shared_task
from django.db import transaction
from django_scopes import scope

from .tenancy import tenant_context


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
    """Queue ``task`` after the current transaction commits, so the worker sees the rows it is given.

    ``task`` is a task or a registered task's name: a service names its app's task (``"reporting.tasks.
    render_report_run"``) rather than importing the tasks module, which imports the services it runs — so the
    two modules never import each other (tests/test_layers.py)."""
    if isinstance(task, str):
        if task not in current_app.tasks:  # the apps' tasks modules are imported on first use in a web process
            current_app.loader.import_default_modules()
        task = current_app.tasks[task]  # NotRegistered at once for a name no tasks module declares
    transaction.on_commit(functools.partial(task.delay, *args, **kwargs))
