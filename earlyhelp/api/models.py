"""Tables of the API platform (app label ``earlyhelp``; migrations live in ``earlyhelp/migrations``)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from ..tenancy import TenantForeignKey, TenantModel


class Scope(models.TextChoices):
    """What an API client may do. A signed-in member gets a scope through their role (see permissions)."""

    REFERRALS_WRITE = "referrals:write", "Send referrals"
    REFERRALS_READ = "referrals:read", "Read the referrals this client sent"
    CASES_READ = "cases:read", "Read families, people and cases"
    READINGS_WRITE = "readings:write", "Record distance-travelled readings"
    READINGS_READ = "readings:read", "Read distance-travelled readings"
    RETURNS_WRITE = "returns:write", "Submit KPI returns"
    RETURNS_READ = "returns:read", "Read KPI returns and their status"
    STATS_READ = "stats:read", "Read statistics (with disclosure control)"
    STATS_EXEMPT = "stats:exempt", "Read statistics without small-number suppression"
    REPORTS_WRITE = "reports:write", "Start report runs"
    REPORTS_READ = "reports:read", "Read report runs and download their PDFs"
    PEOPLE_MERGE = "people:merge", "List likely duplicate people; merge two records of a person and undo a merge"
    PERSON_INFO_QUERY = "person-info:query", "Ask “Known to Family Help?” (a partner's system, under an agreement)"


class ApiClient(TenantModel):
    """A partner system of one tenant, holding a bearer token.

    Only the token's SHA-256 hash is stored, with a short non-secret prefix to find it by; the token itself
    is shown once, when the client is created (``earlyhelp.api.services.api_client_create``). A client
    authenticates while it is neither revoked nor expired.
    """

    name = models.CharField(max_length=120)
    scopes = models.JSONField(default=list, help_text="Scope names, e.g. [\"cases:read\"].")
    token_prefix = models.CharField(max_length=16, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A partner's system works only while an agreement with that partner covers the purposes of its scopes
    # (earlyhelp.sharing.services.client_refusal); empty for the council's own systems.
    partner = TenantForeignKey("earlyhelp.PartnerOrganisation", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="api_clients")

    class Meta(TenantModel.Meta):
        verbose_name = "API client"
        ordering = ["name", "created_at"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "token_prefix"], name="earlyhelp_apiclient_token_prefix"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


class IdempotencyRecord(TenantModel):
    """The stored outcome of a POST sent with an ``Idempotency-Key`` header, replayed when it is retried.

    ``caller`` names who sent it (``client:<public id>`` or ``user:<public id>``): keys are per caller.
    ``response_status`` is empty while the first request is still running.
    """

    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "caller", "key"], name="earlyhelp_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"


class ApiSubmission(TenantModel):
    """A record that an API client created (a referral, a KPI return, a report run…), so that the client can
    read back its own submissions without the apps' tables carrying an API field.

    ``object_type`` is the model's ``app_label.model_name``; ``object_public_id`` its public id. Written by
    ``earlyhelp.api.services.api_submission_record`` in the same transaction as the object.
    """

    client = TenantForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    object_type = models.CharField(max_length=100)
    object_public_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "object_type", "object_public_id"],
                                    name="earlyhelp_apisubmission_object"),
        ]
        indexes = [models.Index(fields=["tenant", "client", "object_type"], name="earlyhelp_apisubmission_idx")]

    def __str__(self) -> str:
        return f"{self.client} → {self.object_type} {self.object_public_id}"
