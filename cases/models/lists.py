"""The tenant-configurable lists (referral sources, presenting needs, closure reasons, levels of need) and the
tenant's casework settings. Defaults are created by ``cases.services.tenant_defaults_ensure``."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from earlyhelp.figures_engine import figures_triggers
from earlyhelp.tenancy import TenantModel


class _TenantList(TenantModel):
    """A coded entry of a tenant's list. ``code`` is stable (used by imports and statistics)."""

    code = models.CharField(max_length=20)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive entries stay on old records only.")

    class Meta(TenantModel.Meta):
        abstract = True
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class ReferralSource(_TenantList):
    """Where a referral came from: the DfE CIN census codes plus the authority's own front doors."""

    is_front_door = models.BooleanField(default=False, help_text="A multi-agency front door or panel (MASH, VCM…).")

    class Meta(_TenantList.Meta):
        triggers = figures_triggers(None)
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="cases_referralsource_code"),
        ]


class PresentingNeed(_TenantList):
    """One need of the tenant's taxonomy, used on referrals, assessments and closure summaries."""

    class Meta(_TenantList.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="cases_presentingneed_code"),
        ]


class ClosureReason(_TenantList):
    is_step_up = models.BooleanField(default=False, help_text="Closed because the case went to social care.")

    class Meta(_TenantList.Meta):
        triggers = figures_triggers(None)
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="cases_closurereason_code"),
        ]


class LevelOfNeed(TenantModel):
    """A step of the tenant's threshold scale; ``rank`` orders it (1 universal … 4 child protection)."""

    rank = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    is_statutory = models.BooleanField(default=False, help_text="Statutory social care (CIN, CP, CiC).")

    class Meta(TenantModel.Meta):
        ordering = ["rank"]
        verbose_name_plural = "levels of need"
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "rank"], name="cases_levelofneed_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank} – {self.label}"


class CaseSettings(TenantModel):
    """The tenant's casework settings (one row per tenant)."""

    assessment_limit_days = models.PositiveSmallIntegerField(
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A case with no completed assessment this many days after opening is drifting.",
    )

    supervision_interval_days = models.PositiveSmallIntegerField(
        default=42,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="An open case is due supervision this many days after opening or after its last supervision.",
    )

    class RetentionAction(models.TextChoices):
        ANONYMISE = "anonymise", "Anonymise (keep counts and dates for statistics, remove names and narrative)"
        DELETE = "delete", "Delete the family's records"

    retention_enabled = models.BooleanField(
        default=True, help_text="Apply the retention rule every night (see cases.services.retention).")
    retention_age_years = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(18), MaxValueValidator(100)],
        help_text="A family's early help records are kept until the youngest child of the family reaches this age.",
    )
    retention_years_without_birth_date = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="When no child of the family has a date of birth: kept this many years after the last referral, "
                  "case opening or closure.",
    )
    retention_action = models.CharField(max_length=10, choices=RetentionAction.choices,
                                        default=RetentionAction.ANONYMISE)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "case settings"
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant"], name="cases_casesettings_tenant"),
        ]

    def __str__(self) -> str:
        return f"Case settings ({self.assessment_limit_days} days)"
