"""The statutory and sector returns built by a background job (``cases.statutory.jobs``): the DfE children in
need census (XML), the Standard Safeguarding Dataset's early help tables (CSV) and Ofsted's Annex A list 2 (XLSX)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.jobs import stalled_since
from earlyhelp.tenancy import TenantModel


class StatutoryReturnJob(TenantModel):
    """One file of one council's return, asked for by a performance officer and built by a worker. Its council is
    fixed when it is asked for (the job's ``tenant``): the worker builds it inside that council's context only.
    The file is kept until ``STATUTORY_RETURN_DAYS`` after it was built, then deleted."""

    class Kind(models.TextChoices):
        CIN_CENSUS = "cin_census", "Children in need census (XML)"
        SSD = "ssd", "Standard Safeguarding Dataset: early help episodes and linked identifiers (CSV)"
        ANNEX_A = "annex_a", "Ofsted Annex A list 2: early help (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    FINISHED = (Status.DONE, Status.FAILED, Status.EXPIRED)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    parameters = models.JSONField(default=dict, blank=True, help_text="What was asked for (year, period, options).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="statutory-returns/", blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="The name the download is given.")
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    records = models.PositiveIntegerField(null=True, blank=True, help_text="Rows (or child episodes) in the file.")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_downloadable(self) -> bool:
        from django.utils import timezone

        return self.status == self.Status.DONE and bool(self.file) and (
            self.expires_at is None or self.expires_at > timezone.now())

    def stalled_since(self, now=None):
        """When the job was last seen moving, if its worker seems to have died (``earlyhelp.jobs``), else None."""
        return stalled_since(running=self.status == self.Status.RUNNING, queued=self.status == self.Status.QUEUED,
                             heartbeat_at=self.heartbeat_at, started_at=self.started_at,
                             queued_at=self.queued_at or self.created_at, now=now)
