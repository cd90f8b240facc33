"""Tables of the commissioning app: providers, the services commissioned from them, the KPIs each service is held
to (versioned, so that a relabelled KPI never rewrites a past return) and the providers' quarterly KPI returns.

Figures are stored as counts: an outcome measure ("% of women reporting feeling safer") is a numerator and a base,
never a percentage. Rates are computed once, at presentation.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from earlyhelp.figures_engine import figures_triggers
from earlyhelp.jobs import ImportJob
from earlyhelp.periods import Quarter
from earlyhelp.tenancy import TenantForeignKey, TenantModel


class Provider(TenantModel):
    """An organisation the council commissions services from (e.g. a women's aid charity)."""

    name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="commissioning_provider_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderMembership(TenantModel):
    """Ties a provider user's membership (role ``provider``) to the one provider whose returns they submit."""

    membership = TenantForeignKey("earlyhelp.Membership", on_delete=models.CASCADE, related_name="+")
    provider = TenantForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "membership"], name="commissioning_providermembership_one"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} → {self.provider}"


class ProviderApiClient(TenantModel):
    """Ties an API client (a provider's own system) to the one provider whose returns it submits and reads.

    Made by the tenant administrator with the client (``commissioning.api_clients``); a client without a link
    is the local authority's own and reaches every service. A tied client holds only the returns scopes.
    """

    client = TenantForeignKey("earlyhelp.ApiClient", on_delete=models.CASCADE, related_name="+")
    provider = TenantForeignKey(Provider, on_delete=models.PROTECT, related_name="api_clients")

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "client"], name="commissioning_providerapiclient_one"),
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.provider}"


class CommissionedService(TenantModel):
    """A contract with a provider, held to quarterly KPIs."""

    name = models.CharField(max_length=200)
    provider = TenantForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    commissioning_priority = models.CharField(
        max_length=200, blank=True, help_text='For example "support for victims of domestic violence".'
    )
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    annual_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Annual contract value in pounds.",
    )
    funding_partners = models.CharField(max_length=300, blank=True)
    return_due_days = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(365)],
        help_text="A quarter's return is due this many days after the quarter ends.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        # A lookup of the figures (interventions by service): every write can change every period.
        triggers = figures_triggers(None)
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="commissioning_service_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def due_date(self, quarter: Quarter) -> dt.date:
        return quarter.end + dt.timedelta(days=self.return_due_days)

    def covers(self, quarter: Quarter) -> bool:
        """Whether the contract runs during any part of ``quarter`` (an open-ended date counts as running)."""
        starts_in_time = self.contract_start is None or self.contract_start <= quarter.end
        still_running = self.contract_end is None or self.contract_end >= quarter.start
        return starts_in_time and still_running


class KpiKind(models.TextChoices):
    OUTPUT_COUNT = "count", "Output (count)"
    MEAN = "mean", "Output (mean, e.g. waiting days)"
    OUTCOME = "outcome", "Outcome measure (number reporting out of number asked)"


class Kpi(TenantModel):
    """A KPI of one service, identified by a stable ``code``. What it says lives in its versions."""

    service = TenantForeignKey(CommissionedService, on_delete=models.CASCADE, related_name="kpis")
    code = models.SlugField(max_length=60, help_text="Stable short code used in return files, e.g. feeling-safer.")
    position = models.PositiveIntegerField(default=0)

    class Meta(TenantModel.Meta):
        ordering = ["service", "position", "code"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "service", "code"], name="commissioning_kpi_code"),
        ]

    def __str__(self) -> str:
        return self.code

    def version_for(self, quarter: Quarter) -> KpiVersion | None:
        """The version in force in ``quarter``: the latest valid from that quarter or earlier (None before)."""
        versions = sorted(self.versions.all(), key=lambda v: v.number, reverse=True)
        for version in versions:
            if (version.valid_from_year, version.valid_from_quarter) <= (quarter.start_year, quarter.number):
                return version
        return None

    @property
    def current(self) -> KpiVersion | None:
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class KpiVersion(TenantModel):
    """What a KPI means from a quarter on: label, kind, target and RAG thresholds.

    RAG: green when the value meets ``target``; red when it is worse than ``red_threshold``; amber between.
    For outcome measures target and threshold are percentages; ``higher_is_better`` is False for e.g. waiting days.
    """

    kpi = TenantForeignKey(Kpi, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=300)
    section = models.CharField(max_length=200, blank=True, help_text="Optional heading the KPI is shown under.")
    kind = models.CharField(max_length=10, choices=KpiKind.choices)
    target = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    red_threshold = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField(default=True)
    valid_from_year = models.PositiveSmallIntegerField(help_text="Financial year start, e.g. 2014 for 2014/15.")
    valid_from_quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["kpi", "number"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "kpi", "number"], name="commissioning_kpiversion_number"),
        ]

    def __str__(self) -> str:
        return f"{self.label} (v{self.number})"

    @property
    def is_outcome(self) -> bool:
        return self.kind == KpiKind.OUTCOME


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    QUERIED = "queried", "Queried"


class KpiReturn(TenantModel):
    """A provider's figures for one service and one quarter. ``version`` counts the uploads."""

    service = TenantForeignKey(CommissionedService, on_delete=models.CASCADE, related_name="returns")
    fy_start_year = models.PositiveSmallIntegerField()
    quarter_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    commissioner_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["service", "fy_start_year", "quarter_number"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "service", "fy_start_year", "quarter_number"], name="commissioning_return_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.quarter}"

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.fy_start_year, self.quarter_number, self.tenant.financial_year_start_month)

    @property
    def is_editable(self) -> bool:
        return self.status in (ReturnStatus.DRAFT, ReturnStatus.QUERIED)


class KpiValue(TenantModel):
    """One KPI's figure in a return: ``amount`` for outputs, ``numerator`` of ``base`` for outcome measures.

    All empty means "not reported" (the seed's "n/a"). ``note`` is the provider's note or footnote, which travels
    into reports (e.g. "Q1 was based on 1 client").
    """

    kpi_return = TenantForeignKey(KpiReturn, on_delete=models.CASCADE, related_name="values")
    kpi = TenantForeignKey(Kpi, on_delete=models.PROTECT, related_name="values")
    kpi_version = TenantForeignKey(KpiVersion, on_delete=models.PROTECT, related_name="values")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    base = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["kpi__position", "kpi__code"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "kpi_return", "kpi"], name="commissioning_kpivalue_one"),
        ]

    def __str__(self) -> str:
        if self.base is not None:
            return f"{self.numerator}/{self.base}"
        return "n/a" if self.amount is None else str(self.amount)

    def as_snapshot(self) -> dict:
        return {
            "kpi_code": self.kpi.code,
            "kpi_version": self.kpi_version.number,
            "label": self.kpi_version.label,
            "amount": None if self.amount is None else str(self.amount),
            "numerator": self.numerator,
            "base": self.base,
            "note": self.note,
        }


class KpiReturnRevision(TenantModel):
    """An uploaded version of a return's values, kept when a later upload replaces them (the history)."""

    kpi_return = TenantForeignKey(KpiReturn, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    values = models.JSONField(default=list)
    filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["kpi_return", "-version"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "kpi_return", "version"], name="commissioning_revision_version"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_return} v{self.version}"


class ServiceReview(TenantModel):
    """An annual review of a service: who reviewed it, when, what they found and what social workers said."""

    service = TenantForeignKey(CommissionedService, on_delete=models.CASCADE, related_name="reviews")
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    reviewers = models.CharField(max_length=300)
    findings = models.TextField()
    social_worker_comments = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["service", "-started_on"]

    def __str__(self) -> str:
        return f"Review of {self.service} ({self.started_on:%B %Y})"


class ReturnImportJob(ImportJob):
    """A return file queued for import by a worker (``commissioning.import_jobs``): done exactly once, however
    often its task is delivered (``earlyhelp.models.ImportJob``: the file, the status, progress and heartbeat)."""

    service = TenantForeignKey(CommissionedService, on_delete=models.CASCADE, related_name="import_jobs")
    fy_start_year = models.PositiveSmallIntegerField()
    quarter_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    kpi_return = TenantForeignKey(KpiReturn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(ImportJob.Meta):
        pass

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.fy_start_year, self.quarter_number, self.tenant.financial_year_start_month)
