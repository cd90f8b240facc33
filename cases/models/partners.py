"""What partners ask of and do with the council's casework: "Known to Family Help?" queries (the log of every
one), and requests for support sent from a case to a partner's service."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.tenancy import TenantForeignKey, TenantModel


class PersonInfoQuery(TenantModel):
    """One "Known to Family Help?" query (the DfE data exchange standard's ``$person-info-query``) and the answer
    given. Who asked, under which legislation, and what they were told — never the details they sent: a hash of
    the identifiers lets the council see repeated queries about one person without keeping who was asked about.

    ``outcome`` says why, for the council's eyes only: a partner is told "match" or "no match" and nothing else.
    """

    class Outcome(models.TextChoices):
        MATCH = "match", "Known: the team to contact was given"
        NOT_KNOWN = "not_known", "Not known (no such person, or no open case)"
        WITHHELD = "withheld", "Known, but withheld: the family refused sharing with this partner"

    client = TenantForeignKey("earlyhelp.ApiClient", on_delete=models.PROTECT, related_name="+")
    partner = TenantForeignKey("earlyhelp.PartnerOrganisation", on_delete=models.PROTECT, null=True,
                               related_name="+")
    reason = models.URLField(max_length=200, help_text="The legislation the partner relies on.")
    identified_by = models.CharField(max_length=20, help_text="nhs_number or name_and_birth_date")
    subject_hash = models.CharField(max_length=64, help_text="HMAC of the identifiers sent (not reversible).")
    matched = models.BooleanField(help_text="What the partner was told.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    case = TenantForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(TenantModel.Meta):
        ordering = ["-asked_at", "-id"]
        verbose_name_plural = "person info queries"

    def __str__(self) -> str:
        return f"Query by {self.client_id} at {self.asked_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"


class SupportRequest(TenantModel):
    """A request for support sent from a case to a service in the council's Open Referral UK feed (a commissioned
    service); the service's provider users (or the partner organisation of that name) accept or decline it with a
    reason. Not a referral: a safeguarding concern is never sent this way (cases.services.support_requests)."""

    class Status(models.TextChoices):
        SENT = "sent", "Waiting for the service"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = TenantForeignKey("cases.Case", on_delete=models.CASCADE, related_name="support_requests")
    service = TenantForeignKey("commissioning.CommissionedService", on_delete=models.PROTECT,
                               related_name="support_requests")
    what_is_needed = models.TextField(help_text="What the family needs from the service: only what it needs to know.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    consent = TenantForeignKey("cases.Consent", on_delete=models.PROTECT, related_name="+",
                               help_text="The family's consent to share with the service's provider it relied on.")
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["tenant", "service", "status"], name="cases_supportrequest_queue_idx")]

    def __str__(self) -> str:
        return f"Request to {self.service_id} ({self.get_status_display()})"
