"""Tables of the partner registers (app label ``earlyhelp``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from ..tenancy import TenantForeignKey, TenantModel


class Purpose(models.TextChoices):
    """What an agreement lets a partner do with the council's records. Every use by a partner names one."""

    KNOWN_TO_FAMILY_HELP = "known_to_family_help", "Answering “Known to Family Help?” queries"
    REFERRALS = "referrals", "Sending referrals and reading them back"
    CASE_RECORDS = "case_records", "Reading case records and readings through the API"
    CASEWORK = "casework", "Partner practitioners working on shared cases (Team Around the Family)"
    REQUESTS_FOR_SUPPORT = "requests_for_support", "Requests for support sent to the partner's services"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1): the lawful basis the agreement relies on."""

    PUBLIC_TASK = "public_task", "Public task (Article 6(1)(e))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Article 6(1)(d))"
    CONSENT = "consent", "Consent (Article 6(1)(a))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Article 6(1)(f)) — not for public tasks"


class PartnerOrganisation(TenantModel):
    """Another organisation the council shares with: a school (DfE URN), a health body (NHS ODS code), the police
    or a voluntary organisation."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "School or college"
        HEALTH = "health", "Health (NHS trust, GP practice, ICB)"
        POLICE = "police", "Police"
        VOLUNTARY = "voluntary", "Voluntary or community organisation"
        OTHER = "other", "Other public body"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    urn = models.CharField(
        "URN", max_length=6, blank=True,
        validators=[RegexValidator(r"^\d{6}$", "A school's URN is 6 digits, e.g. 100000.")],
        help_text="For a school: its unique reference number in Get Information about Schools (6 digits).",
    )
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{3,10}$", "An ODS code is 3 to 10 capital letters and digits.")],
        help_text="For a health organisation: its NHS Organisation Data Service code, e.g. RJ1 or Y01234.",
    )
    contact_email = models.EmailField(blank=True, help_text="Who the council writes to about the agreement.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="earlyhelp_partner_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        if self.urn:
            return f"URN {self.urn}"
        if self.ods_code:
            return f"ODS {self.ods_code}"
        return ""


class SharingAgreement(TenantModel):
    """A signed data-sharing agreement between the council and one or more partners.

    It is *in force* on a day from ``starts_on`` to ``ends_on`` inclusive (or to the day before ``ended_on`` when
    it was ended early), once its signed copy is uploaded. Outside that, nothing it covers works.
    """

    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, blank=True, help_text="The council's reference, e.g. ISA-2026-014.")
    partners = models.ManyToManyField(PartnerOrganisation, related_name="agreements")
    purposes = models.JSONField(default=list, help_text="Purpose names (earlyhelp.sharing.models.Purpose).")
    lawful_basis = models.CharField(max_length=24, choices=LawfulBasis.choices)
    special_category_condition = models.CharField(
        max_length=300, blank=True,
        help_text="For health or other special category data: the Article 9 condition and DPA 2018 Schedule 1 "
                  "paragraph relied on.")
    data_items = models.TextField(help_text="The data items shared, one a line.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Ended early: not in force from this day.")
    end_reason = models.TextField(blank=True)
    signed_copy = models.FileField(upload_to="sharing-agreements/", blank=True)
    signed_copy_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the daily review (earlyhelp.sharing.services.sharing_agreements_review), so each notice goes once.
    expiry_notice_sent_on = models.DateField(null=True, blank=True)
    lapse_recorded_on = models.DateField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-ends_on", "title"]
        indexes = [models.Index(fields=["tenant", "ends_on"], name="earlyhelp_agreement_ends_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def data_item_list(self) -> list[str]:
        return [line.strip() for line in self.data_items.splitlines() if line.strip()]

    @property
    def last_day(self) -> dt.date:
        """The last day it is in force (inclusive)."""
        if self.ended_on is not None:
            return min(self.ends_on, self.ended_on - dt.timedelta(days=1))
        return self.ends_on

    def in_force_on(self, day: dt.date) -> bool:
        return bool(self.signed_copy) and self.starts_on <= day <= self.last_day

    def status_on(self, day: dt.date) -> str:
        if not self.signed_copy:
            return "Awaiting signed copy"
        if self.ended_on is not None and day >= self.ended_on:
            return "Ended"
        if day < self.starts_on:
            return "Not started"
        if day > self.last_day:
            return "Expired"
        return "In force"

    def get_purposes_display(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [labels.get(p, p) for p in self.purposes]


class PartnerMembership(TenantModel):
    """The partner organisation a partner practitioner's membership (role ``partner``) works for."""

    membership = TenantForeignKey("earlyhelp.Membership", on_delete=models.CASCADE, related_name="+")
    partner = TenantForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="practitioners")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "membership"], name="earlyhelp_partnermembership_one"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} at {self.partner}"


class SharingSettings(TenantModel):
    """The council's settings for partners (one row per tenant)."""

    class Section(models.TextChoices):
        SUMMARY = "summary", "Case summary"
        CHILDREN = "children", "Children in the case (names and dates of birth)"
        TEAM_AROUND_FAMILY = "taf", "Team Around the Family"
        ASSESSMENT = "assessment", "Assessments (needs identified)"
        PLAN = "plan", "Plan and its actions"
        REVIEWS = "reviews", "Reviews"
        READINGS = "readings", "Distance-travelled readings"

    DEFAULT_SECTIONS = ["plan", "reviews", "readings"]

    partner_days_after_closure = models.PositiveSmallIntegerField(
        default=28, validators=[MaxValueValidator(365)],
        help_text="A partner practitioner still sees a case this many days after it closes (0: only while open).")
    partner_sections = models.JSONField(default=list, help_text="The sections of a case partners may see.")
    expiry_warning_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text="Tenant administrators are told this many days before an agreement ends.")
    # Who a partner told "known to Family Help" contacts (the data exchange standard's Organization).
    contact_name = models.CharField(max_length=200, blank=True, help_text="e.g. Family Help front door.")
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_address = models.TextField(blank=True, help_text="One line per address line.")
    contact_postcode = models.CharField(max_length=10, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name_plural = "sharing settings"
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant"], name="earlyhelp_sharingsettings_one"),
        ]

    def __str__(self) -> str:
        return "Sharing settings"

    @property
    def sections(self) -> list[str]:
        return [s for s in self.partner_sections if s in self.Section.values]
