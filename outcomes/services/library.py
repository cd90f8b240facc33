"""The outcome library: the National Framework tags of the council's closure outcomes and programme outcome
areas, the Supporting Families outcome framework's versions, and whether the council uses that framework at
all. Tenant administrators only (``by`` must hold ``tenancy.administer``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.national_framework import NationalFrameworkOutcome
from cases.services import check_one_tenant
from earlyhelp.actors import require, tenant_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import FamilyOutcome, ProgrammeFramework, ProgrammeOutcome


def _nf(value: str, label: str) -> str:
    value = (value or "").strip()
    if value and value not in NationalFrameworkOutcome.values:
        raise ValidationError(f"{label}: choose one of the four National Framework outcomes, or none.")
    return value


@transaction.atomic
def outcome_tags_set(*, family_outcomes: dict[FamilyOutcome, str] | None = None,
                     programme_outcomes: dict[ProgrammeOutcome, str] | None = None, by) -> int:
    """Tag closure outcomes and programme outcome areas to National Framework outcomes ('' untags). All or
    nothing: one bad tag and none is changed. Returns how many tags changed. Tags only change how figures are
    grouped; the outcomes recorded on cases and the programme's needs and claims are untouched."""
    require(by, Capability.ADMINISTER_TENANT)
    family_outcomes, programme_outcomes = family_outcomes or {}, programme_outcomes or {}
    check_one_tenant(*family_outcomes, *programme_outcomes)
    changed = []
    for rows in (family_outcomes, programme_outcomes):
        for row, value in rows.items():
            value = _nf(value, row.label)
            if row.nf_outcome != value:
                changed.append((row, row.nf_outcome, value))
    for row, _, value in changed:
        row.nf_outcome = value
        row.save(update_fields=["nf_outcome"])
    if changed:
        record_event(action="outcomes.library_tags_changed", by=by, detail={"changed": [
            {"type": row._meta.model_name, "code": getattr(row, "code", None) or getattr(row, "key", ""),
             "from": old, "to": new} for row, old, new in changed]})
    return len(changed)


@transaction.atomic
def programme_framework_new_version(*, name: str, valid_from: dt.date, by) -> ProgrammeFramework:
    """Start a new version of the Supporting Families outcome framework from ``valid_from``, with the latest
    version's outcome areas (same stable keys, labels and tags) and rules, to be revised from there. Families
    enrolled on an earlier version, their needs, evidence and claims stay on that version."""
    require(by, Capability.ADMINISTER_TENANT)
    tenant = tenant_of(by)
    check_one_tenant()
    latest = ProgrammeFramework.objects.order_by("-version").first()
    if not name.strip():
        raise ValidationError({"name": "Enter the name of the framework version."})
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationError({"valid_from": f"A new version must start after the current one "
                                             f"({latest.valid_from:%d %B %Y})."})
    framework = ProgrammeFramework.objects.create(
        tenant=tenant, name=name.strip(), version=(latest.version + 1) if latest else 1, valid_from=valid_from,
        sustain_months=latest.sustain_months if latest else 6, min_needs=latest.min_needs if latest else 3)
    if latest is not None:
        ProgrammeOutcome.objects.bulk_create(
            ProgrammeOutcome(tenant=tenant, framework=framework, key=o.key, label=o.label, sort_order=o.sort_order,
                             nf_outcome=o.nf_outcome)
            for o in latest.outcomes.all())
    record_event(action="outcomes.programme_framework_versioned", by=by, obj=framework,
                 detail={"version": framework.version, "from_version": latest.version if latest else None})
    return framework


def supporting_families_switch(*, enabled: bool, by) -> None:
    """Switch the Supporting Families outcome framework on or off for the council. Off: no new enrolments,
    and its figures leave the dashboard and the committee report; every enrolment, need, evidence and claim
    already recorded is kept, and comes back when it is switched on again."""
    require(by, Capability.ADMINISTER_TENANT)
    tenant = tenant_of(by)
    if tenant.supporting_families_enabled == enabled:
        return
    tenant.supporting_families_enabled = enabled
    tenant.save(update_fields=["supporting_families_enabled"])
    record_event(action="outcomes.supporting_families_switched", by=by, tenant=tenant,
                 object_type="earlyhelp.tenant", object_public_id=str(tenant.public_id),
                 detail={"enabled": enabled})
