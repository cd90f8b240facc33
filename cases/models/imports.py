"""The migration import of a large file, run by a worker (``cases.import_jobs``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.jobs import stalled_since
from earlyhelp.tenancy import TenantModel


class CaseImportJob(TenantModel):
    """A previous system's referrals and cases (a file above ``IMPORT_BACKGROUND_BYTES``) queued for import by a
    worker: done exactly once however often its task is delivered, all or nothing. The file's bytes are kept
    here until the import finishes, so that any worker can read them."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Refused (see the problems)"
        FAILED = "failed", "Failed (the import worker stopped)"

    FINISHED = (Status.DONE, Status.REJECTED, Status.FAILED)

    filename = models.CharField(max_length=255)
    data = models.BinaryField(editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True,
                                help_text="Each problem as {row, column, message}, as the import page lists them.")
    rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(null=True, blank=True, help_text="What the import created (ImportSummary).")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.filename} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def stalled_since(self, now=None):
        """When the job was last seen moving, if its worker seems to have died (``earlyhelp.jobs``), else None."""
        return stalled_since(running=self.status == self.Status.RUNNING, queued=self.status == self.Status.QUEUED,
                             heartbeat_at=self.heartbeat_at, started_at=self.started_at,
                             queued_at=self.queued_at or self.created_at, now=now)
