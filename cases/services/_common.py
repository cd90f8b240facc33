"""Helpers shared by the services: the one-tenant check, month arithmetic and the tenant's default lists."""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError

from earlyhelp.audit import record_event
from earlyhelp.models import Tenant
from earlyhelp.tenancy import current_tenant

from .. import defaults
from ..models import CaseSettings, ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's end: 31 May − 3 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_one_tenant(*objects) -> Tenant:
    """Every object given (None ignored) belongs to the tenant in context; returns that tenant.

    Services call this first, so that an object fetched by mistake from another tenant (a form, an import, an
    API payload) is refused with a clear message rather than linked.
    """
    tenant = current_tenant()
    if tenant is None:
        raise ValidationError("Casework must be recorded inside a local authority's context.")
    for obj in objects:
        if obj is None:
            continue
        tenant_id = getattr(obj, "tenant_id", None)
        if tenant_id is not None and tenant_id != tenant.pk:
            raise ValidationError(f"{obj._meta.verbose_name.capitalize()} belongs to another local authority.")
    return tenant


def check_not_future(day: dt.date | None, label: str, *, today: dt.date | None = None) -> None:
    if day is not None and day > (today or dt.date.today()):
        raise ValidationError(f"{label} cannot be in the future.")


def tenant_defaults_ensure(*, tenant: Tenant) -> None:
    """Create the tenant's default lists and settings where missing (idempotent). Runs in the tenant's context."""
    if current_tenant() is None or current_tenant().pk != tenant.pk:
        raise ValidationError("tenant_defaults_ensure must run inside the tenant's context.")
    created = []
    existing = set(ReferralSource.objects.values_list("code", flat=True))
    sources = [(c, label, False) for c, label in defaults.CIN_REFERRAL_SOURCES]
    sources += [(c, label, True) for c, label in defaults.FRONT_DOOR_SOURCES]
    new = [
        ReferralSource(tenant=tenant, code=c, label=label, is_front_door=door, sort_order=i)
        for i, (c, label, door) in enumerate(sources)
        if c not in existing
    ]
    created += ReferralSource.objects.bulk_create(new)
    existing = set(PresentingNeed.objects.values_list("code", flat=True))
    created += PresentingNeed.objects.bulk_create(
        PresentingNeed(tenant=tenant, code=c, label=label, sort_order=i)
        for i, (c, label) in enumerate(defaults.PRESENTING_NEEDS)
        if c not in existing
    )
    existing = set(ClosureReason.objects.values_list("code", flat=True))
    created += ClosureReason.objects.bulk_create(
        ClosureReason(tenant=tenant, code=c, label=label, is_step_up=up, sort_order=i)
        for i, (c, label, up) in enumerate(defaults.CLOSURE_REASONS)
        if c not in existing
    )
    existing = set(LevelOfNeed.objects.values_list("rank", flat=True))
    created += LevelOfNeed.objects.bulk_create(
        LevelOfNeed(tenant=tenant, rank=rank, label=label, is_statutory=statutory)
        for rank, label, statutory in defaults.LEVELS_OF_NEED
        if rank not in existing
    )
    _, settings_created = CaseSettings.objects.get_or_create(tenant=tenant)
    if created or settings_created:
        record_event(action="cases.defaults_created", tenant=tenant, detail={"rows": len(created)})


def case_settings() -> CaseSettings:
    """The tenant's case settings (created with defaults on first use)."""
    tenant = current_tenant()
    settings_row, _ = CaseSettings.objects.get_or_create(tenant=tenant)
    return settings_row
