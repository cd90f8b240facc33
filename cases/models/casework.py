"""Referrals, lead-professional cases and everything recorded on them.

Rows are written by ``cases.services`` only; the rules (dates in order, no review before a plan, no closure
without a summary…) live there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.figures_engine import Anchor, figures_triggers
from earlyhelp.models import Locality, Team
from earlyhelp.tenancy import TenantForeignKey, TenantModel

from ..national_framework import nf_field
from .lists import ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
from .people import Family, Person


class Referral(TenantModel):
    class Route(models.TextChoices):
        DIRECT = "direct", "Direct"
        PANEL = "panel", "Panel or front door (MASH, VCM, MAGS)"

    class Decision(models.TextChoices):
        CASE_OPENED = "case_opened", "Early help case opened"
        SIGNPOSTED = "signposted", "Signposted"
        NO_FURTHER_ACTION = "nfa", "No further action"
        STEPPED_UP = "stepped_up", "Stepped up to social care"

    family = TenantForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")
    children = models.ManyToManyField(Person, related_name="referrals")
    received_on = models.DateField()
    source = TenantForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="referrals")
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.DIRECT)
    presenting_needs = models.ManyToManyField(PresentingNeed, blank=True, related_name="referrals")
    reason = models.TextField(blank=True, help_text="What the referrer is worried about.")
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    is_re_referral = models.BooleanField(default=False, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("least({r}.received_on, {r}.decided_on)", moving=("decided_on",),
                                         ignored=("public_id", "reason", "created_at", "recorded_by_id")))
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["tenant", "received_on"], name="cases_referral_received_idx")]

    def __str__(self) -> str:
        return f"Referral of {self.received_on:%d %b %Y}"


class Case(TenantModel):
    """A lead-professional early help episode for one family."""

    family = TenantForeignKey(Family, on_delete=models.PROTECT, related_name="cases")
    referral = TenantForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    children = models.ManyToManyField(Person, related_name="cases", help_text="Children in scope of the case.")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty while the case waits in its team's queue to be allocated.",
    )
    team = TenantForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    locality = TenantForeignKey(Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    level_of_need = TenantForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    is_reopened = models.BooleanField(
        default=False, editable=False, help_text="Opened within the reopening window of the family's last closure."
    )
    summary = models.TextField(blank=True, help_text="The case summary, kept current by the lead professional.")
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor(
            "least({r}.opened_on, {r}.closed_on, (SELECT x.received_on FROM cases_referral x"
            " WHERE x.tenant_id = {r}.tenant_id AND x.id = {r}.referral_id))",
            moving=("closed_on",), whole_history=True,
            ignored=("public_id", "created_at", "lead_professional_id", "summary", "summary_updated_at",
                     "level_of_need_id")))
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["tenant", "lead_professional", "closed_on"], name="cases_case_lp_idx"),
            models.Index(fields=["tenant", "team", "closed_on"], name="cases_case_team_idx"),
            models.Index(fields=["tenant", "opened_on"], name="cases_case_opened_idx"),
            models.Index(fields=["tenant", "closed_on"], name="cases_case_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family} (opened {self.opened_on:%d %b %Y})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class TeamAroundFamilyMember(TenantModel):
    """Another agency or contact working with the family on this case."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="taf_members")
    agency = models.CharField(max_length=120)
    contact_name = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=120, blank=True)
    contact_details = models.CharField(max_length=200, blank=True)
    # A partner practitioner who signs in (earlyhelp.sharing): they see this case while the rules of
    # cases.partner_access allow (docs/partners.md).
    partner_membership = TenantForeignKey("earlyhelp.PartnerMembership", on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="taf_places")

    class Meta(TenantModel.Meta):
        ordering = ["agency", "contact_name"]

    def __str__(self) -> str:
        return self.agency


class Assessment(TenantModel):
    """An Early Help Assessment."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    needs = models.ManyToManyField(PresentingNeed, blank=True, related_name="assessments")
    child_voice_recorded = models.BooleanField(default=False)
    child_voice = models.TextField(blank=True, help_text="What the child said, in their words where possible.")
    summary = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.completed_on",
                                         ignored=("public_id", "child_voice", "child_voice_recorded", "summary")))
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["tenant", "completed_on"], name="cases_assessment_done_idx")]

    def __str__(self) -> str:
        return f"Early Help Assessment started {self.started_on:%d %b %Y}"


class Plan(TenantModel):
    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    created_on = models.DateField()
    summary = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        # The National Framework counts (outcomes): a plan's goals are set in the period it was made and judged
        # in the period its case closed; the summary changes no figure.
        triggers = figures_triggers(Anchor(
            "least({r}.created_on, (SELECT min(c.closed_on) FROM cases_closure c"
            " WHERE c.tenant_id = {r}.tenant_id AND c.case_id = {r}.case_id))",
            moving=("created_on",), ignored=("public_id", "summary")))
        ordering = ["created_on", "id"]

    def __str__(self) -> str:
        return f"Plan of {self.created_on:%d %b %Y}"


class PlanAction(TenantModel):
    """A SMART action (a goal) of a plan: optionally for named members of the family, and tagged to one of the
    four National Framework outcomes."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    plan = TenantForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=120, help_text="Who will do it (person or agency).")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    nf_outcome = nf_field()
    people = models.ManyToManyField(Person, blank=True, related_name="plan_actions",
                                    help_text="The members of the family the goal is for (none: the whole family).")

    class Meta(TenantModel.Meta):
        # A goal counts in the period its plan was made (set) and the period its case closed (achieved or not):
        # its tag and status change those; what it says, who does it and when it is due change no figure.
        triggers = figures_triggers(Anchor(
            "(SELECT least(p.created_on, (SELECT min(c.closed_on) FROM cases_closure c"
            " WHERE c.tenant_id = p.tenant_id AND c.case_id = p.case_id))"
            " FROM cases_plan p WHERE p.tenant_id = {r}.tenant_id AND p.id = {r}.plan_id)",
            ignored=("public_id", "description", "owner", "due_on")))
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Review(TenantModel):
    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"Review of {self.held_on:%d %b %Y}"


class StepChange(TenantModel):
    class Kind(models.TextChoices):
        STEP_UP = "step_up", "Step-up to social care"
        STEP_DOWN = "step_down", "Step-down from social care into early help"
        DE_ESCALATION = "de_escalation", "De-escalation within social care"
        STEP_UP_MACPT = "step_up_macpt", "Step-up to a multi-agency child protection team (s16EA Children Act 2004)"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="step_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    level_before = TenantForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="+")
    level_after = TenantForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    lead_cp_practitioner_name = models.CharField(
        "lead child protection practitioner", max_length=120, blank=True,
        help_text="For a step-up to a multi-agency child protection team: the lead child protection practitioner.")
    lead_cp_practitioner_contact = models.CharField(
        "lead child protection practitioner's contact details", max_length=200, blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.occurred_on", ignored=("public_id", "notes")))
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %b %Y}"


class PanelDecision(TenantModel):
    """A MASH / VCM / MAGS panel's decision about a referral or a case."""

    class Panel(models.TextChoices):
        MASH = "mash", "MASH"
        VCM = "vcm", "Vulnerable Children's Meeting"
        MAGS = "mags", "MAGS panel"
        OTHER = "other", "Other panel"

    panel = models.CharField(max_length=10, choices=Panel.choices)
    referral = TenantForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="panel_decisions"
    )
    case = TenantForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="panel_decisions")
    decided_on = models.DateField()
    decision = models.TextField()

    class Meta(TenantModel.Meta):
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_panel_display()} decision of {self.decided_on:%d %b %Y}"


class Closure(TenantModel):
    """The closure summary of a case."""

    class Judgement(models.TextChoices):
        FULLY = "fully", "Outcomes achieved fully"
        PARTIALLY = "partially", "Outcomes achieved partially"
        NOT_AT_ALL = "not_at_all", "Outcomes not achieved"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField()
    reason = TenantForeignKey(ClosureReason, on_delete=models.PROTECT, related_name="closures")
    judgement = models.CharField(max_length=12, choices=Judgement.choices)
    summary = models.TextField()
    evidence_reason = models.TextField(
        blank=True, help_text="Why the outcomes were judged achieved although the record shows gaps "
                              "(an assessment not completed, plan actions not started, no end reading).")

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.closed_on", ignored=("public_id", "summary")))
        ordering = ["-closed_on", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "case"], name="cases_closure_one_per_case"),
        ]
        indexes = [models.Index(fields=["tenant", "closed_on"], name="cases_closure_closed_idx")]

    def __str__(self) -> str:
        return f"Closed {self.closed_on:%d %b %Y}: {self.reason}"


class ClosureNeedProgress(TenantModel):
    class Progress(models.TextChoices):
        RESOLVED = "resolved", "Need met"
        IMPROVED = "improved", "Some progress"
        NO_CHANGE = "no_change", "No progress"

    closure = TenantForeignKey(Closure, on_delete=models.CASCADE, related_name="need_progress")
    need = TenantForeignKey(PresentingNeed, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(max_length=12, choices=Progress.choices)

    class Meta(TenantModel.Meta):
        ordering = ["need__sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "closure", "need"], name="cases_closureneedprogress_need"),
        ]


class Feedback(TenantModel):
    """A 'How was it for you' form. ``None`` answers were left blank."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    received_on = models.DateField()
    is_anonymous = models.BooleanField(default=False)
    respondent = models.CharField(max_length=120, blank=True)
    treated_with_respect = models.BooleanField(null=True)
    listened_to = models.BooleanField(null=True)
    helped_with_issues = models.BooleanField(null=True)
    comments = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor("{r}.received_on",
                                         ignored=("public_id", "respondent", "comments", "is_anonymous")))
        verbose_name_plural = "feedback"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["tenant", "received_on"], name="cases_feedback_received_idx")]

    def __str__(self) -> str:
        return f"Feedback of {self.received_on:%d %b %Y}"


class CaseFileAudit(TenantModel):
    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    AREAS = ["assessment", "plan", "review", "voice_of_child", "management_oversight", "overall"]

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="file_audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audited_on = models.DateField()
    assessment = models.CharField(max_length=24, choices=Grade.choices)
    plan = models.CharField(max_length=24, choices=Grade.choices)
    review = models.CharField(max_length=24, choices=Grade.choices)
    voice_of_child = models.CharField("voice of the child", max_length=24, choices=Grade.choices)
    management_oversight = models.CharField(max_length=24, choices=Grade.choices)
    overall = models.CharField(max_length=24, choices=Grade.choices)
    comments = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-audited_on", "-id"]

    def __str__(self) -> str:
        return f"Case file audit of {self.audited_on:%d %b %Y}"
