"""The migration import of a large file, run by a worker (``cases.import_jobs``)."""

from __future__ import annotations

from django.db import models

from earlyhelp.jobs import ImportJob


class CaseImportJob(ImportJob):
    """A previous system's referrals and cases (a file above ``IMPORT_BACKGROUND_BYTES``) queued for import by a
    worker: done exactly once however often its task is delivered, all or nothing (``earlyhelp.models.ImportJob``:
    the file, the status, progress and heartbeat)."""

    rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(null=True, blank=True, help_text="What the import created (ImportSummary).")

    class Meta(ImportJob.Meta):
        pass
