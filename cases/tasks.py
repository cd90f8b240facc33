"""Celery tasks of the cases app: thin, they take ids, enter the tenant's context and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from earlyhelp.models import Tenant
from earlyhelp.tasks import tenant_task

from .services.reminders import daily_digests_send


@tenant_task(name="cases.tasks.send_daily_digests")
def send_daily_digests(tenant, today: str | None = None) -> int:
    """Email each case worker of ``tenant`` their task list (if anything is due). Returns the number sent."""
    return daily_digests_send(tenant=tenant, today=dt.date.fromisoformat(today) if today else None)


@shared_task(name="cases.tasks.send_daily_digests_for_every_tenant")
def send_daily_digests_for_every_tenant() -> int:
    """Beat's daily entry point: one task per tenant, each in its own tenant's context."""
    tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        send_daily_digests.delay(tenant_id)
    return len(tenant_ids)
