"""A new tenant starts with the default lists (referral sources, needs, closure reasons, levels of need)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context


@receiver(post_save, sender=Tenant, dispatch_uid="cases_tenant_defaults")
def create_tenant_defaults(sender, instance: Tenant, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    from .services import tenant_defaults_ensure

    with tenant_context(instance):
        tenant_defaults_ensure(tenant=instance)
    # A new council's seeded lists: fresh planner statistics for them before its first import (always, they are
    # small), once the onboarding commits.
    from earlyhelp.planner_statistics import analyze_after_load

    from .models import CaseSettings, ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource

    analyze_after_load(ReferralSource, PresentingNeed, ClosureReason, LevelOfNeed, CaseSettings)
