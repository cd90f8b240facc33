"""Background jobs that say they are alive: a heartbeat written while a job runs, and the rule that says a job
has stalled (its worker died), shared by report runs and import jobs.

Why a heartbeat: a worker killed outright (its main process too, e.g. by the OOM killer or a lost machine) leaves
its late-acknowledged message unacknowledged in Redis until the broker's visibility timeout (two hours by
default) puts it back. Rather than wait that long, the beat check (``*.checks.requeue_stalled_*``, every minute)
queues a job again once nothing has been heard from it for a while:

* a **running** job writes ``heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS`` (30) from a thread of its own, on a
  database connection of its own, so a long step (a five-year report, a 20,000-row import in one transaction)
  keeps beating; it is stalled when no heartbeat came for ``RUNNING_JOB_STALL_MINUTES`` (2). A long job that is
  alive is therefore never queued twice.
* a **queued** job nobody has started (a lost message, or a worker killed before it began) is stalled after
  ``REPORT_RUN_STALL_MINUTES`` (10): a queued job may legitimately wait behind others.

With the defaults, a job whose worker is SIGKILLed is queued again within 2 + 1 minutes of its last heartbeat
(README "Recovery after a worker dies"); the jobs themselves are idempotent, so the original message, when the
broker eventually delivers it again, does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import connections, models
from django.utils import timezone

from .queueing import enqueue
from .tenancy import TenantModel, tenant_context

logger = logging.getLogger(__name__)


def stalled_since(*, running: bool, queued: bool, heartbeat_at, started_at, queued_at, now=None):
    """When a job was last seen moving, if that is longer ago than its state allows (see the module doc), else
    None. ``running`` / ``queued``: the job's state; a finished job is never stalled."""
    now = now or timezone.now()
    if running:
        seen = max((t for t in (heartbeat_at, started_at) if t is not None), default=None)
        limit = dt.timedelta(minutes=settings.RUNNING_JOB_STALL_MINUTES)
    elif queued:
        seen = queued_at
        limit = dt.timedelta(minutes=settings.REPORT_RUN_STALL_MINUTES)
    else:
        return None
    return seen if seen is not None and now - seen > limit else None


class Heartbeat:
    """While the ``with`` block runs, a thread writes ``heartbeat_at`` (and the latest ``progress`` given to
    :meth:`progress`) on the job's row every ``every`` seconds, through a database connection of its own, so the
    writes are seen at once even when the job's own work is one long transaction. Only a row still in one of
    ``running_statuses`` is touched: a finished job is never brought back.

    ``model`` is a tenant model with ``heartbeat_at`` and ``progress`` fields; ``tenant`` the job's tenant."""

    def __init__(self, model, pk: int, tenant, *, running_statuses, every: float | None = None):
        self.model, self.pk, self.tenant = model, pk, tenant
        self.running_statuses = list(running_statuses)
        self.every = settings.JOB_HEARTBEAT_SECONDS if every is None else every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._progress: int | None = None
        self._written: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)

    def progress(self, percent: int) -> None:
        """Record how far the job has got (0-100); written by the heartbeat thread within a second."""
        self._progress = max(0, min(100, int(percent)))
        self._wake.set()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        last_beat = timezone.now()
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=min(1.0, self.every))
                self._wake.clear()
                if self._stop.is_set():
                    break
                due = (timezone.now() - last_beat).total_seconds() >= self.every
                if due or self._progress != self._written:
                    try:
                        self._write()
                    except Exception:  # noqa: BLE001 - a missed beat must not stop the job; the next one retries
                        logger.warning("heartbeat of %s %s not written", self.model.__name__, self.pk, exc_info=True)
                    last_beat = timezone.now()
        finally:
            connections.close_all()  # this thread's connections only

    def _write(self) -> None:
        fields = {"heartbeat_at": timezone.now()}
        progress = self._progress
        if progress is not None:
            fields["progress"] = progress
        with tenant_context(self.tenant):
            self.model.objects.filter(pk=self.pk, status__in=self.running_statuses).update(**fields)
        self._written = progress


# ---------------------------------------------------------------------------------------------------- import jobs
# The steps every queued import job shares (``commissioning.import_jobs``, ``cases.import_jobs``). A job model has
# ``Status`` with QUEUED, RUNNING and FAILED, ``FINISHED`` (the final statuses), and the fields ``attempts``,
# ``progress``, ``problems``, ``data``, ``queued_at``, ``started_at``, ``heartbeat_at`` and ``finished_at``.

MAX_AUTOMATIC_ATTEMPTS = 3


def job_begin(model, *, tenant, job_id: int):
    """Mark a delivery's attempt (committed at once, so it counts even if the worker dies next): the job is then
    running with a fresh heartbeat. Returns the job, or None when it is gone or already finished."""
    with tenant_context(tenant):
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in model.FINISHED:
            return None
        job.status = model.Status.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = timezone.now()
        job.progress = 5
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "progress"])
        return job


def job_lock(namespace: int, job_id: int) -> None:
    """Inside the job's transaction: wait for any other delivery of the same job to finish (an advisory lock held
    until the transaction ends), so that two deliveries never import twice."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, job_id % 2**31])


def jobs_requeue_stalled(model, *, task, now=None, action: str, what: str) -> dict:
    """The current tenant's stalled jobs of ``model`` (see :func:`stalled_since`): queued again with ``task``, or
    failed with the reason once attempted ``MAX_AUTOMATIC_ATTEMPTS`` times. ``action`` prefixes the audit events
    (``<action>.requeued``/``.failed``); ``what`` names the job for people ("import")."""
    from .audit import record_event

    requeued = failed = 0
    candidates = model.objects.select_for_update(skip_locked=True).filter(
        status__in=[model.Status.QUEUED, model.Status.RUNNING])
    for job in candidates:
        if job.stalled_since(now) is None:
            continue
        if job.attempts >= MAX_AUTOMATIC_ATTEMPTS:
            job.status = model.Status.FAILED
            job.problems = [{"row": 0, "column": "", "message": (
                f"The {what} worker stopped {job.attempts} times while importing this file. Nothing was saved: "
                "upload it again, and tell your system administrator if it happens again.")}]
            job.data = b""
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "problems", "data", "finished_at"])
            record_event(action=f"{action}.failed", actor_label="stalled-job check", obj=job,
                         detail={"error": "stalled", "attempts": job.attempts})
            failed += 1
            continue
        job.status = model.Status.QUEUED
        job.queued_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "queued_at", "progress"])
        record_event(action=f"{action}.requeued", actor_label="stalled-job check", obj=job,
                     detail={"attempts": job.attempts})
        enqueue(task, job.tenant_id, job.pk)
        requeued += 1
    return {"requeued": requeued, "failed": failed}


class ImportJob(TenantModel):
    """Abstract: a file queued for import by a worker, done exactly once however often its task is delivered, all
    or nothing (``earlyhelp.jobs``: delivery, heartbeat, recovery). The file's bytes are kept here until the import
    finishes, so that any worker can read them. Case records (``cases.CaseImportJob``) and KPI returns
    (``commissioning.ReturnImportJob``) add what their import makes."""

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
                                help_text="Each problem as {row, column, message}, as the import's page lists them.")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When the job was last put on the queue.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        abstract = True
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
