"""Committee reports and the runs that render them to PDF."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from earlyhelp.jobs import stalled_since
from earlyhelp.periods import FinancialYear, Quarter
from earlyhelp.tenancy import TenantForeignKey, TenantModel


class Report(TenantModel):
    """A committee report as the officer writes it: header, narrative, the period and the chosen sections.

    Narrative fields hold Markdown, rendered and sanitised at presentation. ``sections`` is the ordered list of
    ``{"key": ..., "include": bool}`` for the body; the header comes first and the definitions appendix last.
    """

    title = models.CharField(max_length=200)
    committee = models.CharField(max_length=200)
    meeting_date = models.DateField()
    item_number = models.CharField(max_length=20, blank=True)
    wards_affected = models.CharField(max_length=200, default="All")
    key_decision = models.CharField(max_length=100, default="Not applicable")
    report_of = models.CharField(max_length=300)
    accountable_director = models.CharField(max_length=300)
    is_public = models.BooleanField(default=True, help_text="Public reports suppress small numbers.")
    exempt_reason = models.CharField(max_length=300, blank=True)
    period_start_year = models.PositiveSmallIntegerField(help_text="Financial year the report covers, e.g. 2014.")
    period_quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], help_text="Blank: the whole year."
    )

    executive_summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True, help_text="One recommendation per line; they are numbered.")
    introduction = models.TextField(blank=True)
    issues_analysis = models.TextField(blank=True)
    reasons_for_recommendation = models.TextField(blank=True)
    consultation = models.TextField(blank=True)
    corporate_policies = models.TextField(blank=True)
    financial_implications = models.TextField(blank=True)
    financial_verified_by = models.CharField(max_length=200, blank=True)
    legal_implications = models.TextField(blank=True)
    legal_verified_by = models.CharField(max_length=200, blank=True)
    diversity_implications = models.TextField(blank=True)
    diversity_verified_by = models.CharField(max_length=200, blank=True)
    other_implications = models.TextField(blank=True)
    background_papers = models.TextField(blank=True)
    appendices = models.TextField(blank=True)
    author = models.CharField(max_length=300, blank=True)
    follow_up_months = models.PositiveSmallIntegerField(
        default=6, help_text="Follow-up section: how many months after closure (or the service starting) families "
                             "are followed up, at the least.")
    follow_up_window_months = models.PositiveSmallIntegerField(
        default=6, help_text="Follow-up section: how many months of closures (or service starts) make the sample.")

    sections = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["-meeting_date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.committee}: {self.title}"

    def period(self) -> Quarter | FinancialYear:
        fy_start = self.tenant.financial_year_start_month
        if self.period_quarter:
            return Quarter(self.period_start_year, self.period_quarter, fy_start)
        return FinancialYear(self.period_start_year, fy_start)


class ReportRun(TenantModel):
    """One rendering of a report: its parameters, the data snapshot it was rendered from, and the PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    report = TenantForeignKey(Report, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(help_text="The report as it was when the run was requested.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    snapshot = models.JSONField(null=True, blank=True, help_text="The data the PDF was rendered from.")
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When the run was last put on the queue.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report} — {self.get_status_display()}"

    @property
    def stalled_since(self):
        """When a queued or running run was last seen moving, if its worker seems to have died or its queue
        message was lost (``earlyhelp.jobs``: no heartbeat for ``RUNNING_JOB_STALL_MINUTES`` while running, not
        started for ``REPORT_RUN_STALL_MINUTES`` while queued); else None."""
        return self.stalled_since_at()

    def stalled_since_at(self, now=None):
        return stalled_since(running=self.status == self.Status.RUNNING, queued=self.status == self.Status.QUEUED,
                             heartbeat_at=self.heartbeat_at, started_at=self.started_at,
                             queued_at=self.queued_at or self.created_at, now=now)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Indicator(models.TextChoices):
    """Statutory caseloads held in the social care system, entered or imported quarterly by officers."""

    CHILDREN_IN_NEED = "cin", "Children in need"
    CHILD_PROTECTION = "cp", "Children subject to a child protection plan"
    CHILDREN_IN_CARE = "cic", "Children in care"
    YOUTH_OFFENDING = "yos", "Young people open to the youth offending service"


class QuarterlyIndicator(TenantModel):
    """One statutory caseload figure for one quarter, with where it came from: a count at quarter end, or an
    average (e.g. 8.6 children a week) kept as a Decimal with the number of decimal places it was entered with."""

    indicator = models.CharField(max_length=10, choices=Indicator.choices)
    fy_start_year = models.PositiveSmallIntegerField()
    quarter_number = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    value = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(0)])
    places = models.PositiveSmallIntegerField(default=0, help_text="Decimal places the figure was entered with.")
    source = models.CharField(max_length=200, blank=True, help_text="e.g. the social care system's quarterly extract")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["indicator", "fy_start_year", "quarter_number"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "indicator", "fy_start_year", "quarter_number"],
                                    name="reporting_indicator_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.quarter}: {self.figure}"

    @property
    def figure(self) -> Decimal:
        """The value at the precision it was entered with (603, 8.6)."""
        return self.value.quantize(Decimal(1).scaleb(-self.places))

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.fy_start_year, self.quarter_number, self.tenant.financial_year_start_month)


class UnitCost(TenantModel):
    """A weekly unit cost used to show the cost avoided by a fall in a caseload (seed 001 §4.17)."""

    name = models.CharField(max_length=200, help_text="e.g. Average care placement")
    indicator = models.CharField(max_length=10, choices=Indicator.choices)
    weekly_cost = models.DecimalField(max_digits=10, decimal_places=2)
    weeks = models.PositiveSmallIntegerField(default=52, help_text="Weeks the saving is counted over.")
    note = models.CharField(max_length=300, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="reporting_unit_cost_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: £{self.weekly_cost} a week"


class Publication(TenantModel):
    """A run of a report as the council published it: taken to a committee as an agenda item on a date, its PDF
    and HTML edition frozen (copied, with their SHA-256), and, if the officer opts in, served at the council's
    public address. A correction is a later version of the same report's publication that says what changed;
    the versions before it stay readable. A withdrawn publication is gone from the public address (410)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    report = TenantForeignKey(Report, on_delete=models.PROTECT, related_name="publications")
    run = TenantForeignKey(ReportRun, on_delete=models.PROTECT, related_name="publications")
    version = models.PositiveSmallIntegerField()
    previous = TenantForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    correction_note = models.TextField(blank=True, help_text="What changed since the previous version.")
    published_on = models.DateField()
    committee = models.CharField(max_length=200)
    item_number = models.CharField(max_length=20, blank=True)
    on_public_site = models.BooleanField(default=False)
    pdf = models.FileField(upload_to="publications/")
    pdf_sha256 = models.CharField(max_length=64)
    html = models.FileField(upload_to="publications/")
    html_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["report", "-version"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "report", "version"], name="reporting_publication_version"),
            models.UniqueConstraint(fields=["tenant", "run"], name="reporting_publication_run"),
        ]

    def __str__(self) -> str:
        return f"{self.report.title} (version {self.version}, {self.get_status_display().lower()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def title(self) -> str:
        return self.run.parameters.get("title") or self.report.title
