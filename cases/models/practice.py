"""The records of day-to-day practice on a case: consent and information sharing, contacts and case notes (with
their addenda), management supervision, allocation history and interventions by commissioned services.

Rows are written by ``cases.services`` only; the rules (dates in order, notes locked after a day, consent before
an early help case opens, a lawful reason when sharing without consent…) live there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from commissioning.models import CommissionedService
from earlyhelp.figures_engine import Anchor, figures_triggers
from earlyhelp.models import Team
from earlyhelp.tenancy import TenantForeignKey, TenantModel

from .casework import Case, Referral
from .people import Family


class Consent(TenantModel):
    """A family's decision about consent, dated: to early help itself, or to sharing with one agency.

    Consent is a history, never overwritten: the family's current position for a scope (and agency) is its latest
    decision on or before a date.
    """

    class Scope(models.TextChoices):
        EARLY_HELP = "early_help", "Consent to early help"
        SHARING = "sharing", "Consent to share information with an agency"

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Method(models.TextChoices):
        WRITTEN = "written", "Signed consent form"
        VERBAL = "verbal", "Verbal, recorded by the worker"
        ELECTRONIC = "electronic", "Electronic (email or online form)"

    family = TenantForeignKey(Family, on_delete=models.PROTECT, related_name="consents")
    referral = TenantForeignKey(Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.EARLY_HELP)
    agency = models.CharField(max_length=120, blank=True, help_text="For consent to share: the agency.")
    status = models.CharField(max_length=10, choices=Status.choices)
    decided_on = models.DateField()
    given_by = models.CharField(max_length=120, help_text="Who gave, refused or withdrew consent, e.g. 'Mother'.")
    method = models.CharField(max_length=12, choices=Method.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["tenant", "family", "scope", "decided_on"], name="cases_consent_family_idx")]

    def __str__(self) -> str:
        what = f"sharing with {self.agency}" if self.scope == self.Scope.SHARING else "early help"
        return f"Consent to {what} {self.get_status_display().lower()} on {self.decided_on:%d %b %Y}"


class InformationShare(TenantModel):
    """Information about the family shared with another agency. Without the family's consent to share with that
    agency on that date, the lawful basis for sharing is recorded."""

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "The family consented"
        SAFEGUARDING = "safeguarding", "Safeguarding: risk of significant harm to a child"
        CRIME = "crime", "Prevention or detection of crime"
        VITAL_INTERESTS = "vital_interests", "Vital interests: risk to life"
        LEGAL_DUTY = "legal_duty", "A legal duty or court order"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="information_shares")
    agency = models.CharField(max_length=120)
    shared_on = models.DateField()
    what_was_shared = models.TextField()
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    reason = models.TextField(blank=True, help_text="Why sharing without consent was necessary and proportionate.")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-shared_on", "-id"]

    def __str__(self) -> str:
        return f"Shared with {self.agency} on {self.shared_on:%d %b %Y}"


class CaseNote(TenantModel):
    """A contact, visit or note on a case. Editable by its author for a day; after that only addenda."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        SCHOOL_VISIT = "school_visit", "Visit at school or nursery"
        OFFICE = "office", "Office or centre appointment"
        PHONE = "phone", "Phone or video call"
        MEETING = "meeting", "Meeting (TAF, professionals)"
        NOTE = "note", "Case note (no contact)"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    who_was_seen = models.CharField(max_length=200, blank=True)
    child_seen = models.BooleanField(default=False)
    child_seen_alone = models.BooleanField(default=False)
    narrative = models.TextField()
    is_significant = models.BooleanField(default=False, help_text="Significant events appear on the chronology.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["tenant", "case", "occurred_at"], name="cases_casenote_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%d %b %Y}"


class CaseNoteAddendum(TenantModel):
    """A later addition to a note that can no longer be edited. The note and every addendum are kept."""

    note = TenantForeignKey(CaseNote, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "case note addenda"
        ordering = ["created_at", "id"]


class Supervision(TenantModel):
    """A manager's supervision of a case: what was discussed, decided and is to be done."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    discussion = models.TextField()
    decisions = models.TextField()
    actions = models.TextField(blank=True)
    next_due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Supervision of {self.held_on:%d %b %Y}"


class Allocation(TenantModel):
    """One step of a case's allocation history: into a team's queue, to a lead professional, or a transfer."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ALLOCATED = "allocated", "Allocated"
        TRANSFERRED = "transferred", "Transferred"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on = models.DateField()
    from_team = TenantForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_team = TenantForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%d %b %Y}"


class Intervention(TenantModel):
    """A case's referral to a commissioned service: referred, started (waiting time) and ended."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    service = TenantForeignKey(CommissionedService, on_delete=models.PROTECT, related_name="interventions")
    referred_on = models.DateField()
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.started_on", ignored=("public_id", "notes", "created_at", "ended_on")))
        ordering = ["-referred_on", "-id"]
        indexes = [models.Index(fields=["tenant", "started_on"], name="cases_intervention_start_idx")]

    def __str__(self) -> str:
        return f"{self.service} (referred {self.referred_on:%d %b %Y})"

    @property
    def waiting_days(self) -> int | None:
        return (self.started_on - self.referred_on).days if self.started_on else None
