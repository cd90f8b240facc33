"""Family outcomes at closure."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Case
from cases.services import check_one_tenant
from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability
from earlyhelp.tenancy import current_tenant

from .. import defaults
from ..models import CaseFamilyOutcome, FamilyOutcome


def family_outcomes_ensure(*, tenant) -> None:
    """Create the tenant's default list of family outcomes where missing (idempotent)."""
    if current_tenant() is None or current_tenant().pk != tenant.pk:
        raise ValidationError("This must run inside the local authority's context.")
    existing = set(FamilyOutcome.objects.values_list("code", flat=True))
    FamilyOutcome.objects.bulk_create(
        FamilyOutcome(tenant=tenant, code=code, label=label, sort_order=i,
                      nf_outcome=defaults.FAMILY_OUTCOME_NF.get(code, ""))
        for i, (code, label) in enumerate(defaults.FAMILY_OUTCOMES)
        if code not in existing
    )


@transaction.atomic
def family_outcomes_record(*, case: Case, progress: Mapping[FamilyOutcome, str | None], by
                           ) -> list[CaseFamilyOutcome]:
    """Set, for a closed case, the family outcomes identified and how each went (improved, no change, worse).
    ``progress`` maps outcomes to a progress value, or ``None`` for an outcome not identified. Recording again
    replaces the earlier answers. At least one outcome must be identified."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, *progress)
    if case.closed_on is None:
        raise ValidationError("Family outcomes are recorded when the case closes: close the case first.")
    chosen = {o: p for o, p in progress.items() if p}
    bad = [o for o, p in chosen.items() if p not in CaseFamilyOutcome.Progress.values]
    if bad:
        raise ValidationError({"progress": "Choose improved, no change or worse for each outcome identified."})
    if not chosen:
        raise ValidationError({"progress": "Choose at least one outcome identified for the family."})
    CaseFamilyOutcome.objects.filter(case=case).exclude(outcome__in=list(chosen)).delete()
    rows = []
    for outcome, value in chosen.items():
        row, _ = CaseFamilyOutcome.objects.update_or_create(
            case=case, outcome=outcome, defaults={"progress": value, "recorded_by": user_of(by)})
        rows.append(row)
    record_event(action="outcomes.family_outcomes_recorded", by=by, obj=case,
                 detail={o.code: p for o, p in chosen.items()})
    return rows
