"""Family outcomes at closure: the tenant's list of whole-family outcomes, and for a closed case whether each
outcome identified for the family improved, stayed the same or got worse."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import Case
from cases.national_framework import nf_field
from earlyhelp.figures_engine import Anchor, figures_triggers
from earlyhelp.tenancy import TenantForeignKey, TenantModel


class FamilyOutcome(TenantModel):
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive outcomes stay on old closures only.")
    nf_outcome = nf_field()

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["sort_order", "label"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="outcomes_familyoutcome_code"),
        ]

    def __str__(self) -> str:
        return self.label


class CaseFamilyOutcome(TenantModel):
    class Progress(models.TextChoices):
        IMPROVED = "improved", "Improved"
        NO_CHANGE = "no_change", "No change"
        WORSE = "worse", "Worse"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="family_outcomes")
    outcome = TenantForeignKey(FamilyOutcome, on_delete=models.PROTECT, related_name="case_outcomes")
    progress = models.CharField(max_length=10, choices=Progress.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor(
            "(SELECT min(c.closed_on) FROM cases_closure c"
            " WHERE c.tenant_id = {r}.tenant_id AND c.case_id = {r}.case_id)",
            ignored=("public_id", "recorded_at", "recorded_by_id")))
        ordering = ["outcome__sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "case", "outcome"], name="outcomes_casefamilyoutcome_one"),
        ]
