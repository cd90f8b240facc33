"""The platform's own background tasks (data exports, audit checkpoints). The queueing helpers every app uses
(``tenant_task``, ``enqueue``, ``queue_for_every_tenant``) live in ``earlyhelp.queueing``."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from .queueing import queue_for_every_tenant, tenant_task
from .tenancy import tenant_context

logger = logging.getLogger(__name__)


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
    from .data_exports import data_export_expiry, data_exports_expire

    return data_exports_expire(by=data_export_expiry(tenant))


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


@tenant_task(name="earlyhelp.tasks.review_sharing_agreements")
def review_sharing_agreements(tenant, today: str | None = None) -> dict:
    """Tell ``tenant``'s administrators of agreements entering their warning period; record lapsed ones."""
    import datetime as dt

    from .sharing.services import sharing_agreements_review

    summary = sharing_agreements_review(on=dt.date.fromisoformat(today) if today else None)
    return {"notices": summary.notices, "lapsed": summary.lapsed}


@shared_task(name="earlyhelp.tasks.review_sharing_agreements_for_every_tenant")
def review_sharing_agreements_for_every_tenant() -> int:
    """Beat's daily entry point: one review per tenant."""
    return queue_for_every_tenant(review_sharing_agreements)


@tenant_task(name="earlyhelp.tasks.seal_audit_reads")
def seal_audit_reads(tenant) -> int:
    """Seal ``tenant``'s read rows of the audit log written since the last seal (earlyhelp.audit_seals); returns
    how many were sealed."""
    from .audit_seals import seal_reads

    seal = seal_reads(tenant=tenant)
    return len(seal.event_ids) if seal else 0


@shared_task(name="earlyhelp.tasks.seal_audit_reads_for_every_tenant")
def seal_audit_reads_for_every_tenant() -> int:
    """Beat's entry point, every minute: one sealing task per tenant."""
    return queue_for_every_tenant(seal_audit_reads)
# -- The figures engine's background recount ----------------------------------------------------------------------

FIGURES_RECOUNTED_KEY = "figures-recounted:{tenant_id}"
FIGURES_RECOUNTING_KEY = "figures-recounting:{tenant_id}"


@tenant_task(name="earlyhelp.tasks.figures_recount")
def figures_recount(tenant, state: str) -> str:
    """Count each app's usual figures (``figures_engine.register_recount``: the dashboard's default quarters for
    the council, each locality and each team) so they are stored and cached before anyone opens them; note the
    state (``token.seq``) they were counted under. Closed periods a change left alone are served from the store,
    not recounted."""
    from django.core.cache import cache

    from . import figures_engine

    try:
        with figures_engine.pinned():
            for recount in figures_engine.recounts().values():
                recount(tenant)
        cache.set(FIGURES_RECOUNTED_KEY.format(tenant_id=tenant.pk), state, None)
    finally:
        cache.delete(FIGURES_RECOUNTING_KEY.format(tenant_id=tenant.pk))
    return state


def _needs_recount(state, recounted: str | None, open_from) -> bool:
    """Whether a change committed since the last recount can alter a closed period (one ending before
    ``open_from``, the first day of the open quarter) — or the token changed (a lookup write: every period)."""
    if recounted is None:
        return True
    token, _, seq = recounted.rpartition(".")
    if token != state.token or not seq.isdigit() or int(seq) > state.seq:
        return True
    return not state.serves(int(seq), open_from - dt.timedelta(days=1))


@shared_task(name="earlyhelp.tasks.figures_recount_for_every_tenant")
def figures_recount_for_every_tenant() -> int:
    """Beat's entry point, every minute: a recount for each council a committed write has dated into a closed
    quarter since its figures were last recounted (today's casework changes only the open quarter, counted live),
    at most one queued per council at a time. Returns how many were queued."""
    from django.conf import settings
    from django.core.cache import cache

    from . import figures_engine
    from .models import Tenant
    from .periods import Quarter

    if not settings.FIGURES_WARM or not figures_engine.enabled() or not figures_engine.recounts():
        return 0
    queued = 0
    today = dt.date.today()
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):  # the state row has row-level security: read in the council's context
            state = figures_engine.data_state(tenant.pk)
        if state is None:
            continue
        recounted = cache.get(FIGURES_RECOUNTED_KEY.format(tenant_id=tenant.pk))
        open_from = Quarter.containing(today, tenant.financial_year_start_month).start
        if not _needs_recount(state, recounted, open_from):
            continue
        if cache.add(FIGURES_RECOUNTING_KEY.format(tenant_id=tenant.pk), str(state),
                     timeout=settings.FIGURES_WARM_LOCK_SECONDS):
            figures_recount.delay(tenant.pk, str(state))
            queued += 1
    return queued
