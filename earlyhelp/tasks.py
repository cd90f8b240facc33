"""Celery plumbing: tasks that run in one tenant's context, enqueued only once the transaction commits."""

from __future__ import annotations

import functools

from celery import shared_task
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


def enqueue(task, *args, **kwargs) -> None:
    """Queue ``task`` after the current transaction commits, so the worker sees the rows it is given."""
    transaction.on_commit(functools.partial(task.delay, *args, **kwargs))


@tenant_task(name="earlyhelp.tasks.export_tenant_data")
def export_tenant_data(tenant, requested_by_id: int) -> str:
    """Write ``tenant``'s whole export (see ``earlyhelp.tenant_export``) to the default storage for the tenant
    administrator who asked; returns the stored file's name. Refused unless the requester administers the tenant."""
    import tempfile
    import uuid

    from django.core.exceptions import PermissionDenied
    from django.core.files import File
    from django.core.files.storage import default_storage

    from .audit import record_event
    from .models import Membership
    from .permissions import Capability, has_capability
    from .tenant_export import tenant_export_zip

    membership = Membership.objects.filter(user_id=requested_by_id).select_related("user").first()
    if not has_capability(membership, Capability.ADMINISTER_TENANT):
        raise PermissionDenied("Only a tenant administrator can export the local authority's data.")
    with tempfile.TemporaryFile() as handle:
        manifest = tenant_export_zip(out=handle)
        handle.seek(0)
        name = default_storage.save(f"exports/{tenant.public_id}/{uuid.uuid4().hex}.zip", File(handle))
    record_event(action="tenant.exported", actor=membership.user, detail={
        "file": name, "files": manifest["files"], "rows": sum(t["rows"] for t in manifest["tables"].values())})
    return name
