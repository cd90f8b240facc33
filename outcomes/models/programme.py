"""The Supporting Families programme (formerly Troubled / Priority Families): a versioned national framework
of headline outcome areas, the families enrolled with their needs, evidence of progress, and payment-by-results
claims (prepared → submitted → paid or rejected)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import Case, Family
from cases.national_framework import nf_field
from earlyhelp.figures_engine import Anchor, figures_triggers
from earlyhelp.tenancy import TenantForeignKey, TenantModel


class ProgrammeFramework(TenantModel):
    """One version of the programme's outcome framework."""

    name = models.CharField(max_length=120)
    version = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    sustain_months = models.PositiveSmallIntegerField(
        default=6, help_text="How long a met outcome must be sustained before it can be claimed.")
    min_needs = models.PositiveSmallIntegerField(default=3, help_text="Needs a family must have to be claimed for.")

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["-version"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "version"], name="outcomes_programmeframework_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class ProgrammeOutcome(TenantModel):
    """A headline outcome area; ``key`` is stable across framework versions."""

    framework = TenantForeignKey(ProgrammeFramework, on_delete=models.CASCADE, related_name="outcomes")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    nf_outcome = nf_field()

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "framework", "key"], name="outcomes_programmeoutcome_key"),
        ]

    def __str__(self) -> str:
        return self.label


class Enrolment(TenantModel):
    family = TenantForeignKey(Family, on_delete=models.PROTECT, related_name="programme_enrolments")
    framework = TenantForeignKey(ProgrammeFramework, on_delete=models.PROTECT, related_name="enrolments")
    case = TenantForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments",
                             help_text="The early help case through which the family is worked with.")
    lead_professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+")
    enrolled_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.enrolled_on",
                                           ignored=("public_id", "created_at", "lead_professional_id")))
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "family", "framework"], name="outcomes_enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.family} enrolled {self.enrolled_on:%d %b %Y}"


class EnrolmentNeed(TenantModel):
    """A problem the family presented with, in one outcome area; ``met_on`` is when its outcome was met."""

    enrolment = TenantForeignKey(Enrolment, on_delete=models.CASCADE, related_name="needs")
    outcome = TenantForeignKey(ProgrammeOutcome, on_delete=models.PROTECT, related_name="needs")
    identified_on = models.DateField()
    description = models.TextField(blank=True)
    met_on = models.DateField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("least({r}.identified_on, {r}.met_on)", moving=("met_on",),
                                         ignored=("public_id", "description")))
        ordering = ["outcome__sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "enrolment", "outcome"], name="outcomes_enrolmentneed_one"),
        ]

    def __str__(self) -> str:
        return str(self.outcome)


class NeedEvidence(TenantModel):
    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress"
        MET = "met", "Outcome met"
        RELAPSE = "relapse", "Relapse: outcome no longer met"

    need = TenantForeignKey(EnrolmentNeed, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recorded_on = models.DateField()
    source = models.CharField(max_length=120, blank=True, help_text="Where the evidence comes from.")
    description = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta(TenantModel.Meta):
        ordering = ["recorded_on", "id"]


class Claim(TenantModel):
    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared"
        SUBMITTED = "submitted", "Submitted"
        PAID = "paid", "Paid"
        REJECTED = "rejected", "Rejected"

    enrolment = TenantForeignKey(Enrolment, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    prepared_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.prepared_on",
                                           ignored=("public_id", "note", "submitted_on", "decided_on")))
        ordering = ["-prepared_on", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "enrolment"], condition=~models.Q(status="rejected"),
                                    name="outcomes_claim_one_live"),
        ]

    def __str__(self) -> str:
        return f"Claim for {self.enrolment.family} ({self.get_status_display().lower()})"
