"""The council's own lists that casework uses (levels of need, referral sources, presenting needs, closure
reasons) and its casework settings, kept by the tenant administrator.

An entry's ``code`` (a level's ``rank``) is fixed once made: imports, the CIN census mapping and the statistics
use it. Entries are never deleted (old records point at them): an entry no longer used is made inactive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import CaseSettings, ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
from ._common import case_settings


@dataclass(frozen=True)
class TenantList:
    slug: str
    model: type
    title: str
    description: str
    fields: tuple[str, ...]
    key: str = "code"  # fixed once the entry is made

    @property
    def editable_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if f != self.key)


TENANT_LISTS: dict[str, TenantList] = {item.slug: item for item in [
    TenantList("levels-of-need", LevelOfNeed, "Levels of need",
               "The council's threshold scale, from universal services to statutory social care.",
               ("rank", "label", "is_statutory"), key="rank"),
    TenantList("referral-sources", ReferralSource, "Referral sources",
               "Where referrals come from: the children in need census codes and the council's own front doors.",
               ("code", "label", "sort_order", "is_front_door", "is_active")),
    TenantList("presenting-needs", PresentingNeed, "Presenting needs",
               "The needs recorded on referrals, assessments and closures.",
               ("code", "label", "sort_order", "is_active")),
    TenantList("closure-reasons", ClosureReason, "Closure reasons",
               "Why a case closed.", ("code", "label", "sort_order", "is_step_up", "is_active")),
]}

CASE_SETTINGS_FIELDS = ("assessment_limit_days", "supervision_interval_days", "retention_enabled",
                        "retention_age_years", "retention_years_without_birth_date", "retention_action")


def tenant_list(slug: str) -> TenantList:
    """The list named by ``slug``; ``LookupError`` for none (a 404 in a view)."""
    try:
        return TENANT_LISTS[slug]
    except KeyError as error:
        raise LookupError(slug) from error


@transaction.atomic
def list_entry_save(*, by, kind: TenantList, entry=None, **values):
    """Add an entry to one of the council's lists (``entry`` None) or change it. The entry's code (a level's
    rank) is given when it is made and never changes."""
    require(by, Capability.ADMINISTER_TENANT)
    model = kind.model
    if entry is not None and (not isinstance(entry, model) or entry.tenant_id != by.tenant_id):
        raise ValidationError("That entry is not on this list.")
    allowed = kind.fields if entry is None else kind.editable_fields
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This cannot be changed once the entry is made.")
                              if entry is not None else f"Unknown fields: {', '.join(sorted(unknown))}")
    created = entry is None
    entry = entry or model(tenant=by.tenant)
    before = {name: getattr(entry, name) for name in allowed} if not created else {}
    for name, value in values.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    if created:
        key = getattr(entry, kind.key)
        if key in (None, ""):
            raise ValidationError({kind.key: "Enter a code." if kind.key == "code" else "Enter a rank."})
        if model.objects.filter(**{kind.key: key}).exists():
            raise ValidationError({kind.key: f"The list already has an entry with {kind.key} {key}."})
    if not (entry.label or "").strip():
        raise ValidationError({"label": "Enter the label people see."})
    entry.full_clean(exclude=["tenant"], validate_constraints=False)
    entry.save()
    detail = {"list": kind.slug, kind.key: getattr(entry, kind.key), "label": entry.label}
    if not created:
        detail["changed"] = {name: {"before": before[name], "after": getattr(entry, name)}
                             for name in allowed if before[name] != getattr(entry, name)}
    record_event(action="lookup.created" if created else "lookup.updated", by=by, obj=entry, detail=detail)
    return entry


@transaction.atomic
def case_settings_update(*, by, **values) -> CaseSettings:
    """Change the council's casework settings (drift limits, supervision interval, the retention rule)."""
    require(by, Capability.ADMINISTER_TENANT)
    unknown = set(values) - set(CASE_SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    row = case_settings()
    changed = {name: {"before": getattr(row, name), "after": value}
               for name, value in values.items() if getattr(row, name) != value}
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=["tenant"], validate_constraints=False)
    if changed:
        row.save(update_fields=list(changed))
        record_event(action="case_settings.changed", by=by, obj=row, detail={"changed": changed})
    return row
