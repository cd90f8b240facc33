"""Platform tables: users, tenants (local authorities), their localities and teams, memberships and audit."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .figures_triggers import renewal_trigger
from .permissions import Role
from .tenancy import TenantForeignKey, TenantModel


class User(AbstractUser):
    """A person who signs in. Belongs to tenants only through memberships."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Tenant(models.Model):
    """A local authority, with the settings its figures and reports depend on."""

    class ServiceModel(models.TextChoices):
        EARLY_HELP = "early_help", "Early help only"
        FAMILY_HELP = "family_help", "Family Help: targeted help and section 17"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    financial_year_start_month = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month the financial year starts in (4 = April, as in English local government).",
    )
    re_referral_window_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A referral within this many months of a previous one for the same child is a re-referral.",
    )
    reopen_window_months = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="A case opened within this many months of the family's last closure counts as re-opened.",
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="In Public reports, counts from 1 up to this number are suppressed.",
    )
    rate_decimal_places = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(3)],
        help_text="Decimal places for percentages in reports (rounded half-up, once, at presentation).",
    )
    report_brand_name = models.CharField(max_length=200, blank=True, help_text="Name printed on reports.")
    service_model = models.CharField(
        max_length=12, choices=ServiceModel.choices, default=ServiceModel.EARLY_HELP,
        help_text="Family Help councils hold targeted help and section 17 (child in need) work on one case.")
    s17_lead_must_be_social_worker = models.BooleanField(
        "section 17 lead must be a registered social worker", default=True,
        help_text="The threshold document's rule: while a case is under section 17 its lead practitioner must be a "
                  "social worker registered with Social Work England.")
    supporting_families_enabled = models.BooleanField(
        "Supporting Families outcome library in use", default=True,
        help_text="Untick when the council does not run the Supporting Families programme: its pages, figures "
                  "and report section are hidden; enrolments and claims already recorded are kept.")
    report_logo = models.FileField(upload_to="tenant-logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def brand_name(self) -> str:
        return self.report_brand_name or self.name


class Locality(TenantModel):
    """A geographical area of the authority that teams serve (e.g. "North", "Grays")."""

    name = models.CharField(max_length=120)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "localities"
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="earlyhelp_locality_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(TenantModel):
    """A team of practitioners with a manager, usually serving one locality."""

    name = models.CharField(max_length=120)
    locality = TenantForeignKey(Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="teams")

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="earlyhelp_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user's role in one tenant. A user with memberships in two tenants can switch between them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships")
    is_active = models.BooleanField(default=True)
    is_registered_social_worker = models.BooleanField(
        default=False, help_text="Registered with Social Work England: may lead a case under section 17.")
    social_work_england_number = models.CharField(
        max_length=20, blank=True, help_text="Social Work England registration number, e.g. SW123456.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "user"], name="earlyhelp_membership_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class AuditEvent(TenantModel):
    """One append-only line of the audit log: a write, or a read of a child-level record.

    A trigger refuses UPDATE and DELETE on this table. Rows are written by
    ``earlyhelp.audit.record_event`` only.
    """

    # No foreign-key constraints in the database (``db_constraint=False``) and no single-column indexes: a read's
    # row is written on every API call and page view, and each constraint is checked at commit by locking the
    # referenced row (``FOR KEY SHARE``), so every read of a council took a lock on its one tenant row — a
    # multixact and a WAL record per commit under concurrent reads. The rows are append-only and tamper-evident
    # (keyed hashes, chain, seals); the ORM still refuses to delete a tenant or user they name (PROTECT), and
    # tenants and users are deactivated, never deleted. Queries go through the composite indexes below.
    tenant = models.ForeignKey("earlyhelp.Tenant", on_delete=models.PROTECT, related_name="+", editable=False,
                               db_constraint=False, db_index=False)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              db_constraint=False, db_index=False)
    actor_label = models.CharField(max_length=200, blank=True, help_text="API client or system job name.")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_public_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Hash chain per tenant (earlyhelp.audit): ``row_mac`` is an HMAC of the row's content under the audit key
    # named by ``key_id`` (the key itself is never in the database); ``row_hash`` links it to the previous row's
    # hash. ``manage.py verify_audit_chain`` finds an edited, forged, removed or inserted row, with the signed
    # checkpoints kept outside the database (earlyhelp.audit_checkpoints) for removed newest rows.
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    row_mac = models.CharField(max_length=64, blank=True, help_text="Empty on rows written before keyed hashing.")
    # False for a read (``earlyhelp.audit.record_read``): appended without the chain's lock, outside the chain
    # (no prev_hash/row_hash), its keyed hash under the read label; sealed in batches (earlyhelp.audit_seals).
    chained = models.BooleanField(default=True)

    class Meta(TenantModel.Meta):
        # Newest first by id: rows are numbered as they are written, so this is the order of ``occurred_at``
        # without an index of its own (the tenant's ``(tenant, -id)`` index serves it).
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["tenant", "-id"], name="audit_chain_idx"),
            models.Index(fields=["tenant", "-id"], name="audit_chained_idx", condition=models.Q(chained=True)),
            # Partial: a list read names no one object and an API client's read no person, and nobody searches
            # for those, so such rows (most of the API's) are not written into these two.
            models.Index(fields=["tenant", "object_type", "object_public_id"], name="audit_object_idx",
                         condition=~models.Q(object_public_id="")),
            models.Index(fields=["tenant", "actor", "occurred_at"], name="audit_actor_idx",
                         condition=models.Q(actor__isnull=False)),
            # The records a list read returned (``detail.object_ids``), for "who has seen this record": only rows
            # that list records; pending entries are merged in bulk (GIN's fast update), so a read pays little.
            # (jsonb_path_ops over ``detail``, searched with ``detail @> {"object_ids": [id]}``.)
            GinIndex(fields=["detail"], opclasses=["jsonb_path_ops"], name="audit_listed_idx",
                     condition=models.Q(detail__has_key="object_ids")),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_public_id}"


class AuditSeal(TenantModel):
    """A batch of read rows of the audit log (``AuditEvent.chained`` false), sealed: the ids it covers, a digest of
    their keyed hashes, linked to the seal before it and signed with the audit key (``earlyhelp.audit_seals``).
    Append-only, like the audit log."""

    seq = models.PositiveIntegerField()
    event_ids = models.JSONField(help_text="The ids of the read rows sealed, ascending.")
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64, blank=True)
    seal_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    seal_mac = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, default="scheduled")

    class Meta(TenantModel.Meta):
        ordering = ["seq"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "seq"], name="earlyhelp_auditseal_seq"),
        ]

    def __str__(self) -> str:
        return f"Seal {self.seq} of {len(self.event_ids)} read events"


class DataExport(TenantModel):
    """One export of everything the tenant holds (``earlyhelp.tenant_export``), asked for by a tenant
    administrator, built by a background job and downloadable until it expires (then the file is deleted)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    rows = models.PositiveBigIntegerField(null=True, blank=True)
    tables = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export of {self.created_at:%Y-%m-%d %H:%M} — {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and (
            self.expires_at is None or self.expires_at > timezone.now())


# The figures engine's state per tenant (``earlyhelp.figures_engine``): a version row and the commit-time renewal
# queue. Both tables carry a ``tenant_id`` and have row-level security forced with the tenant policy (earlyhelp
# 0009): the application role sees and writes only the current tenant's row. ``tenant_id`` is a plain column, not
# a foreign key, so deleting a tenant never waits on these rows (an orphan state is harmless: its token is random).


class FiguresVersion(models.Model):
    """A tenant's figures state: a random token (replaced when a write can change every period, which retires
    every stored figure at once), the number of changes committed under it, and the staircase of recent changes
    ``(change number, earliest date it can change)`` that lets a closed period's figures outlive today's work.
    Written only by the commit-time trigger and by the first reader (``figures_engine.data_state``); the database
    defaults are what those writers rely on."""

    tenant_id = models.BigIntegerField(primary_key=True)
    token = models.UUIDField()
    seq = models.BigIntegerField(db_default=0, help_text="Changes committed under this token.")
    change_seqs = ArrayField(models.BigIntegerField(), db_default=[],
                             help_text="The staircase's change numbers, rising.")
    change_since = ArrayField(models.DateField(), db_default=[],
                              help_text="The staircase's earliest dates, rising with the change numbers.")

    def __str__(self) -> str:
        return f"figures of tenant {self.tenant_id}: {self.token}.{self.seq}"


class FiguresPendingRenewal(models.Model):
    """One row per transaction and tenant that wrote to a source table, holding the earliest date the
    transaction's writes can change a figure from. A deferred (commit-time) trigger records the change on the
    tenant's version row and deletes this row, so the version row's lock is held only while the writing
    transaction commits rather than from its first write. Always empty between transactions."""

    tenant_id = models.BigIntegerField()
    since = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "earlyhelp_figurespending"
        triggers = [renewal_trigger()]

    def __str__(self) -> str:
        return f"pending renewal for tenant {self.tenant_id}"


class FiguresSummary(TenantModel):
    """A closed period's figure, counted once and stored (``earlyhelp.figures_engine``): one row per council ×
    measure × period × scope (the council, a locality or a team) × the rest of the measure's key (a tool, a
    threshold). ``value`` is the figure as JSON (``earlyhelp.figures_codec``). The row is served while the council's
    figures token is ``token`` and no change committed after ``counted_seq`` is dated on or before
    ``period_end``; otherwise it is counted again (on the next read, or by the background recount) and
    overwritten. Periods still open (ending today or later) are not stored: they are counted live."""

    class Scope(models.TextChoices):
        COUNCIL = "council", "Council"
        LOCALITY = "locality", "Locality"
        TEAM = "team", "Team"

    measure = models.CharField(max_length=60)
    key_digest = models.CharField(max_length=64, help_text="SHA-256 of the measure's whole key.")
    key_text = models.TextField(help_text="The measure's key as the engine reads it (for people reading the table).")
    period_start = models.DateField()
    period_end = models.DateField()
    scope = models.CharField(max_length=10, choices=Scope.choices)
    scope_id = models.BigIntegerField(null=True, blank=True, help_text="The locality's or team's id.")
    token = models.UUIDField(help_text="The council's figures token the value was counted under.")
    counted_seq = models.BigIntegerField(help_text="The council's change number the value was counted after.")
    counted_at = models.DateTimeField(auto_now=True)
    value = models.JSONField()

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "measure", "key_digest"], name="earlyhelp_figuressummary_key"),
        ]
        indexes = [models.Index(fields=["tenant", "measure", "period_end"], name="earlyhelp_figsum_period")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period_start}–{self.period_end} ({self.scope})"


class FiguresDrawing(TenantModel):
    """A chart drawn from figures (an SVG), kept under the digest of everything it was drawn from (the drawing
    code's version, the figures, the labels): a pure function of those, so it never goes stale, and a page whose
    figures come from the store does not draw again after a restart (``figures_engine.remembered_drawing``)."""

    digest = models.CharField(max_length=64)
    content = models.TextField()
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "digest"], name="earlyhelp_figuresdrawing_digest"),
        ]

    def __str__(self) -> str:
        return f"drawing {self.digest[:12]}"


# The API platform's tables are declared in their own package but belong to this app.



from .api.models import ApiClient, ApiSubmission, IdempotencyRecord  # noqa: E402, F401
from .sharing.models import (  # noqa: E402, F401
    PartnerMembership,
    PartnerOrganisation,
    SharingAgreement,
    SharingSettings,
)
