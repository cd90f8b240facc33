"""Background jobs of the outcomes app: recount the dashboard's figures after the records change, so that the
page (and a committee report of the same quarters) opens from the figures cache rather than counting while the
officer waits."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from earlyhelp.queueing import tenant_task
from earlyhelp.tenancy import tenant_context

WARMED_KEY = "figures-warmed:{tenant_id}"
WARMING_KEY = "figures-warming:{tenant_id}"


def shared_cache() -> bool:
    """True when the cache is one service shared by every process (Redis, Memcached, the database)."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


@tenant_task(name="outcomes.tasks.warm_dashboard_figures")
def warm_dashboard_figures(tenant, token: str) -> str:
    """Count the default dashboard — the last complete quarter and the four before it — for the whole authority
    and for each locality and team (the scopes an officer or a team manager opens) into the figures cache, and
    note the data token it was counted under. After today's casework only the periods a change can alter are
    recounted (earlyhelp.figures_engine): usually none of these."""
    from earlyhelp.models import Locality, Team

    from .dashboard import dashboard_figures, latest_quarter

    try:
        quarter = latest_quarter()
        dashboard_figures(quarter=quarter)
        for locality in Locality.objects.order_by("pk"):
            dashboard_figures(quarter=quarter, locality=locality)
        for team in Team.objects.order_by("pk"):
            dashboard_figures(quarter=quarter, team=team)
        cache.set(WARMED_KEY.format(tenant_id=tenant.pk), token, None)
    finally:
        cache.delete(WARMING_KEY.format(tenant_id=tenant.pk))
    return token


@shared_task(name="outcomes.tasks.warm_dashboard_figures_for_every_tenant")
def warm_dashboard_figures_for_every_tenant() -> int:
    """Beat's entry point, every minute: a recount for each tenant whose records changed since its figures were
    last counted (its data token moved), at most one queued per tenant at a time. Returns how many were queued."""
    from earlyhelp import figures_engine
    from earlyhelp.models import Tenant

    if not settings.FIGURES_WARM or not figures_engine.enabled() or not shared_cache():
        return 0
    queued = 0
    for tenant in Tenant.objects.order_by("pk"):
        # The token is read in the tenant's own context: the version table has row-level security.
        with tenant_context(tenant):
            token = figures_engine.data_token(tenant.pk)
        tenant_id = tenant.pk
        if token is None or cache.get(WARMED_KEY.format(tenant_id=tenant_id)) == token:
            continue
        if cache.add(WARMING_KEY.format(tenant_id=tenant_id), token, timeout=settings.FIGURES_WARM_LOCK_SECONDS):
            warm_dashboard_figures.delay(tenant_id, token)
            queued += 1
    return queued
