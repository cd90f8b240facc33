"""Family Help: section 17 (child in need) episodes on a case, and family meetings (family group decision
making, s31ZA Children Act 1989).

A council that runs Family Help (``Tenant.service_model == "family_help"``) keeps one case across the change of
level: targeted help, section 17 and back again share one assessment, one plan, one chronology and one history of
lead practitioners. A ``Section17Episode`` marks when the case was held under section 17; rows are written by
``cases.services.familyhelp`` only, where the rules (dates in order, no overlap, the tenant's rule on who may
lead) live. The database constraints below are the second wall.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models

from cases.defaults import CIN_CLOSURE_REASONS, CIN_MODULE5_OUTCOMES, CIN_PRIMARY_NEEDS, CIN_REFERRAL_SOURCES
from earlyhelp.tenancy import TenantForeignKey, TenantModel

from .casework import Case
from .people import Person

PRIMARY_NEED_CHOICES = [(code, f"{code} {label}") for code, label in CIN_PRIMARY_NEEDS if code != "N0"]
REFERRAL_SOURCE_CHOICES = [(code, f"{code} {label}") for code, label in CIN_REFERRAL_SOURCES]
CLOSURE_REASON_CHOICES = [(code, f"{code} {label}") for code, label in CIN_CLOSURE_REASONS]
MODULE5_OUTCOME_CHOICES = CIN_MODULE5_OUTCOMES


class Section17Episode(TenantModel):
    """A period in which a Family Help case was held under section 17 (child in need), coded for the CIN census."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="section17_episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    primary_need = models.CharField(max_length=2, choices=PRIMARY_NEED_CHOICES,
                                    help_text="CIN census primary need code (N1–N9).")
    referral_source = models.CharField(max_length=2, choices=REFERRAL_SOURCE_CHOICES, blank=True,
                                       help_text="CIN census referral source code (1A–10).")
    closure_reason = models.CharField(max_length=3, choices=CLOSURE_REASON_CHOICES, blank=True,
                                      help_text="CIN census reason for closure (RC1–RC9), set when the episode ends.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["started_on", "id"]
        verbose_name = "section 17 episode"
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="cases_section17episode_dates_in_order",
            ),
            # daterange(start, end, '[]'): an episode includes both its days; an open end is unbounded.
            ExclusionConstraint(
                name="cases_section17episode_no_overlap",
                expressions=[
                    ("case", RangeOperators.EQUAL),
                    (models.Func("started_on", "ended_on", models.Value("[]"), function="DATERANGE",
                                 output_field=DateRangeField()), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        end = f" to {self.ended_on:%d %b %Y}" if self.ended_on else " (open)"
        return f"Section 17 from {self.started_on:%d %b %Y}{end}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class FamilyMeeting(TenantModel):
    """A family group decision making meeting offered to a family (s31ZA Children Act 1989), with the CIN census
    2026/27 Module 5 pre-proceedings items."""

    class Outcome(models.TextChoices):
        PLAN_AGREED = "plan_agreed", "Family plan agreed"
        PLAN_PARTLY_AGREED = "plan_partly_agreed", "Family plan partly agreed"
        NO_PLAN_AGREED = "no_plan_agreed", "No plan agreed"
        DID_NOT_TAKE_PLACE = "did_not_take_place", "Meeting did not take place"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="family_meetings")
    network_members = models.ManyToManyField(
        Person, related_name="family_meetings",
        help_text="The family's network invited: connected people of the family.",
    )
    offered_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    facilitator = models.CharField(max_length=120, blank=True, help_text="Who facilitates the meeting.")
    family_plan = models.TextField(blank=True, help_text="The family's plan or proposal.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    # CIN census 2026/27 Module 5 (pre-proceedings and FGDM), provisional until DfE publishes the XSD.
    letter_before_proceedings_on = models.DateField(null=True, blank=True, help_text="LBPSentDate (N00827).")
    pre_proceedings_meeting_offered = models.BooleanField(
        default=False, help_text="FGDMMeetingOffer (N00828): a family group decision making meeting was offered "
                                 "in the letter before proceedings.")
    facilitated = models.BooleanField(default=False, help_text="FGDMMeetingFac (N00829): the meeting was "
                                                              "facilitated during pre-proceedings.")
    module5_outcome_code = models.CharField(max_length=1, choices=MODULE5_OUTCOME_CHOICES, blank=True,
                                            help_text="PPOutcome (N00833), codeset CS131.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["offered_on", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(accepted_on__isnull=True) | models.Q(declined_on__isnull=True),
                name="cases_familymeeting_not_accepted_and_declined",
            ),
            models.CheckConstraint(
                condition=models.Q(held_on__isnull=True) | models.Q(held_on__gte=models.F("offered_on")),
                name="cases_familymeeting_held_after_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"Family meeting offered {self.offered_on:%d %b %Y}"

    @property
    def status(self) -> str:
        if self.held_on:
            return "Held"
        if self.declined_on:
            return "Declined"
        if self.accepted_on:
            return "Accepted"
        return "Offered"


class PreProceedings(TenantModel):
    """A period of pre-proceedings (the Public Law Outline before care proceedings) on a case: from the legal
    planning meeting's decision to begin it to the decision to step up (issue proceedings) or step down.

    CIN census 2026/27 Module 5 items that belong to the pre-proceedings as a whole, not to one family meeting:
    the start, the first effective pre-proceedings meeting, the number of review meetings, the step decision, the
    court application and the letter initiating care proceedings. The letter before proceedings, the FGDM offer
    and facilitation and the CS131 outcome stay on ``FamilyMeeting`` (they describe the meeting offered in the
    letter). Written by ``cases.services.familyhelp`` only (dates in order, one open period per case)."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="pre_proceedings")
    started_on = models.DateField(help_text="PPStartDate (N00826): the legal planning meeting (or other decision "
                                            "forum) decided to begin pre-proceedings.")
    initial_meeting_on = models.DateField(null=True, blank=True, help_text="InitialPPMeetingDate (N00830): the "
                                                                           "first effective pre-proceedings meeting.")
    review_meetings = models.PositiveSmallIntegerField(null=True, blank=True, help_text=(
        "ReviewMeetingsCount (N00831): review meetings held after the initial pre-proceedings meeting."))
    step_decision_on = models.DateField(null=True, blank=True, help_text="StepDecisionDate (N00832): the decision "
                                                                         "to step up (issue) or step down.")
    court_application_on = models.DateField(null=True, blank=True, help_text="CourtAppDate (N00834): the court "
                                                                             "application for care proceedings.")
    letter_initiating_proceedings_on = models.DateField(null=True, blank=True, help_text=(
        "LetterInitCPDate: the letter to parents or guardians initiating care proceedings."))
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["started_on", "id"]
        verbose_name = "pre-proceedings"
        verbose_name_plural = "pre-proceedings"
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=(models.Q(initial_meeting_on__isnull=True)
                           | models.Q(initial_meeting_on__gte=models.F("started_on")))
                & (models.Q(step_decision_on__isnull=True) | models.Q(step_decision_on__gte=models.F("started_on")))
                & (models.Q(court_application_on__isnull=True)
                   | models.Q(court_application_on__gte=models.F("step_decision_on")))
                & (models.Q(letter_initiating_proceedings_on__isnull=True)
                   | models.Q(letter_initiating_proceedings_on__gte=models.F("court_application_on"))),
                name="cases_preproceedings_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-proceedings from {self.started_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.step_decision_on is None
