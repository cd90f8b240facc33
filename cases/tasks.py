"""Celery tasks of the cases app: thin, they take ids, enter the tenant's context and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from earlyhelp.tasks import queue_for_every_tenant, tenant_task

from .services.reminders import daily_digests_send


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
    from .services.retention import retention_apply

    return retention_apply(today=dt.date.fromisoformat(today) if today else None).summary()


@shared_task(name="cases.tasks.apply_retention_for_every_tenant")
def apply_retention_for_every_tenant() -> int:
    """Beat's nightly entry point: one retention task per tenant, each in its own tenant's context."""
    return queue_for_every_tenant(apply_retention)
