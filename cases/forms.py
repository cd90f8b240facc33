"""Browser forms. They parse and validate input shapes; the rules live in ``cases.services``."""

from __future__ import annotations

import datetime as dt

from django import forms

from commissioning.models import CommissionedService
from earlyhelp import limits
from earlyhelp.forms import GovukForm
from earlyhelp.models import Locality, Membership, Team, User
from earlyhelp.periods import FinancialYear
from earlyhelp.permissions import Role

from .defaults import CIN_DISABILITIES
from .models import (
    Case,
    CaseDocument,
    CaseFileAudit,
    CaseNote,
    Closure,
    ClosureNeedProgress,
    ClosureReason,
    Consent,
    FamilyMeeting,
    InformationShare,
    LevelOfNeed,
    LinkedIdentifier,
    PanelDecision,
    Person,
    PlanAction,
    PresentingNeed,
    Referral,
    ReferralSource,
    Relationship,
    StepChange,
)
from .models.familyhelp import (
    CLOSURE_REASON_CHOICES,
    MODULE5_OUTCOME_CHOICES,
    PRIMARY_NEED_CHOICES,
    REFERRAL_SOURCE_CHOICES,
)
from .models.people import ETHNICITY_CHOICES, SEX_CHOICES
from .national_framework import NationalFrameworkOutcome
from .services.documents import ACCEPT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "", initial_today: bool = False):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text,
                           initial=dt.date.today if initial_today else None)


YES_NO = [("", "Not answered"), ("yes", "Yes"), ("no", "No")]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PersonSearchForm(GovukForm):
    name = forms.CharField(label="Name", required=False, max_length=200)
    date_of_birth = date_field("Date of birth", required=False)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def has_criteria(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class NewChildForm(GovukForm):
    """A child not yet known, with their family."""

    family_name = forms.CharField(label="Family name", max_length=120, help_text="For example, 'Ashby family'.")
    first_name = forms.CharField(label="Child's first name", max_length=100)
    last_name = forms.CharField(label="Child's last name", max_length=100)
    date_of_birth = date_field("Child's date of birth", required=False)
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, initial="U")
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=ETHNICITY_CHOICES, initial="NOBT")
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    ward = forms.CharField(label="Ward", max_length=120, required=False)


class ReferralForm(GovukForm):
    received_on = date_field("Date received", initial_today=True)
    source = forms.ModelChoiceField(label="Referral source", queryset=None)
    route = forms.ChoiceField(label="Route", choices=Referral.Route.choices, widget=forms.RadioSelect,
                              initial=Referral.Route.DIRECT)
    presenting_needs = forms.ModelMultipleChoiceField(
        label="Presenting needs", queryset=None,
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    querysets = {
        "source": lambda: ReferralSource.objects.filter(is_active=True),
        "presenting_needs": lambda: PresentingNeed.objects.filter(is_active=True),
    }
    reason = forms.CharField(label="What is the referrer worried about?", widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, max_length=limits.REFERRAL_REASON)


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[c for c in Referral.Decision.choices if c[0] != Referral.Decision.CASE_OPENED],
        widget=forms.RadioSelect,
    )
    decided_on = date_field("Date of decision", initial_today=True)


def _workers(team: Team | None = None):
    """Practitioners and managers who may lead a case (of ``team`` when given)."""
    memberships = Membership.objects.filter(is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER])
    if team is not None:
        memberships = memberships.filter(teams=team)
    return User.objects.filter(memberships__in=memberships).distinct().order_by("last_name", "first_name")


class CaseOpenForm(GovukForm):
    lead_professional = forms.ModelChoiceField(label="Lead professional", queryset=None)
    team = forms.ModelChoiceField(label="Team", queryset=None)
    level_of_need = forms.ModelChoiceField(label="Level of need", queryset=None)
    opened_on = date_field("Date opened", initial_today=True)
    querysets = {"team": lambda: Team.objects.all(), "level_of_need": lambda: LevelOfNeed.objects.all()}
    children = forms.ModelMultipleChoiceField(label="Children in scope", queryset=None,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, referral: Referral, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].queryset = _workers()
        self.fields["lead_professional"].initial = user
        self.fields["children"].queryset = referral.family.people.filter(kind=Person.Kind.CHILD)
        self.fields["children"].initial = list(referral.children.all())
        self.fields["level_of_need"].initial = LevelOfNeed.objects.filter(rank=2).first()


class AssessmentStartForm(GovukForm):
    started_on = date_field("Date started", initial_today=True)
    needs = forms.ModelMultipleChoiceField(label="Needs identified so far", queryset=None,
                                           widget=forms.CheckboxSelectMultiple, required=False)
    child_voice_recorded = forms.BooleanField(label="The child's voice has been recorded", required=False)
    child_voice = forms.CharField(label="What the child said", widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    querysets = {"needs": lambda: PresentingNeed.objects.filter(is_active=True)}
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class AssessmentCompleteForm(GovukForm):
    querysets = {"needs": lambda: PresentingNeed.objects.filter(is_active=True)}
    completed_on = date_field("Date completed", initial_today=True)
    needs = forms.ModelMultipleChoiceField(label="Needs identified", queryset=None,
                                           widget=forms.CheckboxSelectMultiple)
    child_voice_recorded = forms.BooleanField(label="The child's voice has been recorded", required=False)
    child_voice = forms.CharField(label="What the child said", widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)


class PlanForm(GovukForm):
    created_on = date_field("Date of the plan", initial_today=True)
    summary = forms.CharField(label="What the plan aims to achieve", widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)


class PlanActionForm(GovukForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Specific, measurable and time-bound.")
    owner = forms.CharField(label="Who will do it", max_length=120)
    due_on = date_field("Due by")


NF_CHOICES = [("", "Not tagged")] + list(NationalFrameworkOutcome.choices)


class _FamilyMembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        born = f", born {obj.date_of_birth:%-d %b %Y}" if obj.date_of_birth else ""
        return f"{obj.full_name} ({obj.get_kind_display().lower()}{born})"


class PlanGoalFocusForm(GovukForm):
    """Who a plan goal is for and the National Framework outcome it serves."""

    people = _FamilyMembersChoice(
        label="Who is this for?", queryset=None, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Choose the members of the family the action is for. Choose none when it is for the whole "
                  "family.")
    nf_outcome = forms.ChoiceField(label="National Framework outcome", choices=NF_CHOICES, required=False,
                                   widget=forms.RadioSelect,
                                   help_text="Which of the four outcomes of the Children's Social Care National "
                                             "Framework this action works towards.")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = case.family.people.order_by("kind", "date_of_birth", "first_name")


class PlanGoalForm(PlanActionForm, PlanGoalFocusForm):
    """A SMART action of a plan, for named members of the family, tagged to a National Framework outcome."""

    field_order = ["description", "owner", "due_on", "people", "nf_outcome"]


class CaseChildrenForm(GovukForm):
    children = _FamilyMembersChoice(label="Children the case covers", queryset=None,
                                    widget=forms.CheckboxSelectMultiple,
                                    help_text="Choose every child of the family the case works with.")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = case.family.people.filter(kind=Person.Kind.CHILD).order_by(
            "date_of_birth", "first_name")
        self.fields["children"].initial = list(case.children.all())


class PlanActionStatusForm(GovukForm):
    status = forms.ChoiceField(label="Status", choices=PlanAction.Status.choices)


class ReviewForm(GovukForm):
    held_on = date_field("Date of review", initial_today=True)
    next_review_on = date_field("Next review by", required=False, help_text="Leave blank when closing.")
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class StepChangeForm(GovukForm):
    kind = forms.ChoiceField(label="Kind of step change", widget=forms.RadioSelect,
                             choices=[c for c in StepChange.Kind.choices if c[0] != StepChange.Kind.STEP_UP_MACPT])
    occurred_on = date_field("Date", initial_today=True)
    level_after = forms.ModelChoiceField(label="Level of need after", queryset=None)
    querysets = {"level_after": lambda: LevelOfNeed.objects.all()}
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PanelDecisionForm(GovukForm):
    panel = forms.ChoiceField(label="Panel", choices=PanelDecision.Panel.choices)
    decided_on = date_field("Date of the panel", initial_today=True)
    decision = forms.CharField(label="What the panel decided", widget=forms.Textarea(attrs={"rows": 3}))


class TafMemberForm(GovukForm):
    agency = forms.CharField(label="Agency", max_length=120)
    contact_name = forms.CharField(label="Contact name", max_length=120, required=False)
    role = forms.CharField(label="Role", max_length=120, required=False)
    contact_details = forms.CharField(label="Phone or email", max_length=200, required=False)


class ClosureForm(GovukForm):
    closed_on = date_field("Date closed", initial_today=True)
    reason = forms.ModelChoiceField(label="Reason for closure", queryset=None)
    querysets = {"reason": lambda: ClosureReason.objects.filter(is_active=True)}
    judgement = forms.ChoiceField(label="Were the outcomes achieved?", choices=Closure.Judgement.choices,
                                  widget=forms.RadioSelect)
    summary = forms.CharField(label="Closure summary", widget=forms.Textarea(attrs={"rows": 5}), required=False,
                              max_length=limits.LONG_TEXT)
    evidence_reason = forms.CharField(
        label="Why were the outcomes achieved, if the record shows gaps?", required=False,
        max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when outcomes are judged achieved fully while the assessment is not completed, a "
                  "plan action has not started, a need shows no progress or a distance-travelled tool has no end "
                  "reading.")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(PresentingNeed.objects.filter(assessments__case=case).distinct())
        for need in self.needs:
            self.fields[f"need_{need.pk}"] = forms.ChoiceField(
                label=f"Progress: {need.label}", choices=ClosureNeedProgress.Progress.choices,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                error_messages={"required": f"Select the progress made with '{need.label}'"},
            )

    def need_progress(self) -> dict:
        return {need: self.cleaned_data[f"need_{need.pk}"] for need in self.needs}


class FeedbackForm(GovukForm):
    received_on = date_field("Date received", initial_today=True)
    is_anonymous = forms.BooleanField(label="The form was returned anonymously", required=False)
    respondent = forms.CharField(label="Who filled it in", max_length=120, required=False)
    treated_with_respect = forms.ChoiceField(label="Were you treated with respect?", choices=YES_NO, required=False)
    listened_to = forms.ChoiceField(label="Did the worker listen to you?", choices=YES_NO, required=False)
    helped_with_issues = forms.ChoiceField(label="Were you helped with the issues identified?", choices=YES_NO,
                                           required=False)
    comments = forms.CharField(label="Comments", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CaseFileAuditForm(GovukForm):
    audited_on = date_field("Date of audit", initial_today=True)
    comments = forms.CharField(label="Comments", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in CaseFileAudit.AREAS:
            label = CaseFileAudit._meta.get_field(area).verbose_name.capitalize()
            self.fields[area] = forms.ChoiceField(label=label, choices=CaseFileAudit.Grade.choices,
                                                  widget=forms.Select(attrs={"class": "govuk-select"}))
        self.order_fields(["audited_on", *CaseFileAudit.AREAS, "comments"])


class CaseloadFilterForm(GovukForm):
    q = forms.CharField(label="Search by family, child or postcode", required=False, max_length=100)
    level = forms.ModelChoiceField(label="Level of need", queryset=None, required=False,
                                   empty_label="Any level", to_field_name="rank")
    querysets = {"level": lambda: LevelOfNeed.objects.all()}
    drifting = forms.BooleanField(label="Drifting only", required=False)



# Practice records: consent, information sharing, notes, supervision, allocation, interventions, documents ------


class ConsentForm(GovukForm):
    scope = forms.ChoiceField(label="Consent to", choices=Consent.Scope.choices, widget=forms.RadioSelect,
                              initial=Consent.Scope.EARLY_HELP)
    agency = forms.CharField(label="Agency", max_length=120, required=False,
                             help_text="For consent to share information: the agency, e.g. 'Northbridge Primary'.")
    status = forms.ChoiceField(label="Decision", choices=Consent.Status.choices, widget=forms.RadioSelect)
    decided_on = date_field("Date of the decision", initial_today=True)
    given_by = forms.CharField(label="Given, refused or withdrawn by", max_length=120,
                               help_text="Name and relationship, e.g. 'Claire Ashby (mother)'.")
    method = forms.ChoiceField(label="How it was recorded", choices=Consent.Method.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class InformationShareForm(GovukForm):
    agency = forms.CharField(label="Agency shared with", max_length=120)
    shared_on = date_field("Date shared", initial_today=True)
    what_was_shared = forms.CharField(label="What was shared", widget=forms.Textarea(attrs={"rows": 3}))
    lawful_basis = forms.ChoiceField(
        label="Lawful basis when the family has not consented to sharing with this agency", required=False,
        choices=[("", "Not needed: the family consented")]
        + [c for c in InformationShare.LawfulBasis.choices if c[0] != "consent"],
    )
    reason = forms.CharField(label="Why sharing without consent was necessary and proportionate", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CaseNoteForm(GovukForm):
    occurred_at = forms.DateTimeField(label="Date and time", widget=DateTimeInput(),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    kind = forms.ChoiceField(label="Kind of contact", choices=CaseNote.Kind.choices)
    who_was_seen = forms.CharField(label="Who was seen", max_length=200, required=False)
    child_seen = forms.BooleanField(label="The child was seen", required=False)
    child_seen_alone = forms.BooleanField(label="The child was seen alone", required=False)
    narrative = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}))
    is_significant = forms.BooleanField(label="Significant: show it on the chronology", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].widget.attrs["class"] = "govuk-input govuk-input--width-20"


class AddendumForm(GovukForm):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="The note stays as it was written; the addendum is shown beneath it.")


class CaseSummaryForm(GovukForm):
    summary = forms.CharField(label="Case summary", widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="Who the family are, why we are involved, what has changed and what next.")


class SupervisionForm(GovukForm):
    held_on = date_field("Date of supervision", initial_today=True)
    discussion = forms.CharField(label="Discussion", widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(label="Actions", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AllocateForm(GovukForm):
    lead_professional = forms.ModelChoiceField(label="Lead professional", queryset=None)
    on = date_field("Date allocated", initial_today=True)
    reason = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the case's team: choosing someone outside it would be refused after the form was filled in.
        self.fields["lead_professional"].queryset = _workers(team=case.team)
        self.fields["lead_professional"].help_text = f"Practitioners and managers of {case.team}."


class TransferForm(GovukForm):
    team = forms.ModelChoiceField(label="Team", queryset=None)
    lead_professional = forms.ModelChoiceField(label="Lead professional", queryset=None, required=False,
                                               empty_label="None yet: the team's queue",
                                               help_text="Leave empty to put the case in the team's queue.")
    on = date_field("Date of transfer", initial_today=True)
    reason = forms.CharField(label="Reason for the transfer", widget=forms.Textarea(attrs={"rows": 3}))
    querysets = {"team": lambda: Team.objects.all()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].queryset = _workers()


class InterventionForm(GovukForm):
    service = forms.ModelChoiceField(label="Commissioned service", queryset=None)
    referred_on = date_field("Date referred", initial_today=True)
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    querysets = {"service": lambda: CommissionedService.objects.select_related("provider")}


class InterventionDatesForm(GovukForm):
    started_on = date_field("Date the service started", required=False)
    ended_on = date_field("Date the service ended", required=False)


class DocumentForm(GovukForm):
    upload = forms.FileField(label="File", help_text="PDF, DOCX, PNG, JPEG or TXT, smaller than 10 MB.",
                             widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload",
                                                                    "accept": ACCEPT}))
    kind = forms.ChoiceField(label="Kind of document", choices=CaseDocument.Kind.choices)
    title = forms.CharField(label="Title", max_length=200, required=False,
                            help_text="Leave blank to use the file's name.")


class CaseImportForm(GovukForm):
    file = forms.FileField(
        label="Import file (CSV or XLSX)", help_text="At most 5 MB. The first row holds the column names.",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx"}),
    )


class AuditGradesForm(GovukForm):
    """The financial year, scope and audited area of the case file audit grades page."""

    year = forms.ChoiceField(label="Financial year", required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team",
                                  empty_label="All teams")
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, label="Locality",
                                      empty_label="All localities")
    area = forms.ChoiceField(label="Area graded", initial="overall", required=False,
                             choices=[(a, str(CaseFileAudit._meta.get_field(a).verbose_name).capitalize())
                                      for a in CaseFileAudit.AREAS])
    querysets = {"team": lambda: Team.objects.order_by("name"), "locality": lambda: Locality.objects.order_by("name")}

    def __init__(self, *args, latest: FinancialYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = {str(y.start_year): y for y in (FinancialYear(latest.start_year - i, latest.fy_start_month)
                                                       for i in range(6))}
        self.fields["year"].choices = [(k, str(y)) for k, y in self.years.items()]
        self.fields["year"].initial = str(latest.start_year)


# The family's record: relationships, the NHS number's verification, linked identifiers, a move ----------------


class RelationshipForm(GovukForm):
    """Add a relationship: ``person`` is ``relative``'s ``kind``. Both people are of the family on the page."""

    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who", empty_label="Choose a person")
    kind = forms.ChoiceField(label="is the", choices=[("", "Choose a relationship"), *Relationship.Kind.choices])
    relative = forms.ModelChoiceField(queryset=Person.objects.none(), label="of", empty_label="Choose a person",
                                      help_text="The relationship is recorded both ways: a mother's child is "
                                                "shown as her child.")
    parental_responsibility = forms.BooleanField(
        label="Has parental responsibility for them", required=False,
        help_text="Only a parent or carer of a child.")

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        people = family.people.order_by("kind", "date_of_birth", "pk")
        for name in ("person", "relative"):
            self.fields[name].queryset = people
            self.fields[name].to_field_name = "public_id"
            self.fields[name].label_from_instance = _person_choice


def _person_choice(person) -> str:
    born = f", born {person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else ""
    return f"{person.full_name}{born}"


class RelationshipChangeForm(GovukForm):
    kind = forms.ChoiceField(label="Relationship", choices=Relationship.Kind.choices)
    parental_responsibility = forms.BooleanField(
        label="Has parental responsibility for them", required=False,
        help_text="Only a parent or carer of a child.")


class NhsNumberForm(GovukForm):
    nhs_number = forms.CharField(label="NHS number", max_length=20,
                                 help_text="10 digits, like 943 476 5919. The last digit is a check digit.",
                                 widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10",
                                                               "inputmode": "numeric", "spellcheck": "false",
                                                               "autocomplete": "off"}))
    verified = forms.ChoiceField(
        label="Is it verified as this person's NHS number?", widget=forms.RadioSelect,
        choices=[("no", "Not verified"), ("yes", "Verified")],
        help_text="A well-formed number may still belong to someone else: verified means it was checked against "
                  "an NHS source.")
    how = forms.ChoiceField(label="How was it verified?", required=False, widget=forms.RadioSelect,
                            choices=Person.NhsNumberVerifiedHow.choices, help_text="If verified.")


class IdentifierAddForm(GovukForm):
    identifier_type = forms.ChoiceField(label="Type of identifier", widget=forms.RadioSelect,
                                        choices=LinkedIdentifier.Type.choices)
    value = forms.CharField(label="Identifier", max_length=60,
                            help_text="A unique pupil number is 13 characters: a check letter then 12 digits. A "
                                      "National Insurance number is like QQ 12 34 56 C.",
                            widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20",
                                                          "spellcheck": "false", "autocomplete": "off"}))
    valid_from = date_field("Valid from", required=False)


class IdentifierRemoveForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why is it going?", widget=forms.RadioSelect,
        choices=[("ended", "It stopped being this person's identifier (kept in the history)"),
                 ("error", "It was recorded in error (removed)")])
    valid_to = date_field("Date it stopped being valid", required=False, help_text="If it stopped.")

    def clean(self):
        data = super().clean()
        if data.get("reason") == "ended" and not data.get("valid_to"):
            self.add_error("valid_to", "Enter the date it stopped being valid.")
        return data


class FamilyMoveForm(GovukForm):
    address = forms.CharField(label="New address", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", max_length=10, required=False,
                               widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10",
                                                             "autocomplete": "postal-code"}))
    moved_on = date_field("Date they moved in", help_text="The previous address ends the day before.")
# Family Help ---------------------------------------------------------------------------------------------------


class Section17StartForm(GovukForm):
    started_on = date_field("Date section 17 starts", initial_today=True)
    primary_need = forms.ChoiceField(label="Primary need (CIN census)", choices=[("", "Choose"), *PRIMARY_NEED_CHOICES])
    referral_source = forms.ChoiceField(label="Referral source (CIN census)", required=False,
                                        choices=[("", "Not given"), *REFERRAL_SOURCE_CHOICES])
    notes = forms.CharField(label="Why section 17 now", required=False, max_length=limits.LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 3}))


class Section17EndForm(GovukForm):
    ended_on = date_field("Date section 17 ends", initial_today=True)
    closure_reason = forms.ChoiceField(label="Reason section 17 ended (CIN census)",
                                       choices=[("", "Choose"), *CLOSURE_REASON_CHOICES])
    notes = forms.CharField(label="Notes", required=False, max_length=limits.LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 3}))


class FamilyMeetingForm(GovukForm):
    """Offer a family meeting, or record what happened next. The network comes from the family's people."""

    network_members = forms.ModelMultipleChoiceField(
        label="Who is invited from the family's network", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="The family and their connected people (see the family page).")
    offered_on = date_field("Date offered", initial_today=True)
    accepted_on = date_field("Date the family accepted", required=False)
    declined_on = date_field("Date the family declined", required=False)
    held_on = date_field("Date the meeting was held", required=False)
    facilitator = forms.CharField(label="Facilitator", max_length=120, required=False,
                                  help_text="An independent family group conference coordinator where possible.")
    family_plan = forms.CharField(label="The family's plan", required=False, max_length=limits.LONG_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.ChoiceField(label="Outcome", required=False,
                                choices=[("", "Not yet known"), *FamilyMeeting.Outcome.choices])
    letter_before_proceedings_on = date_field(
        "Date of the letter before proceedings", required=False,
        help_text="Pre-proceedings only (CIN census Module 5, LBPSentDate).")
    pre_proceedings_meeting_offered = forms.BooleanField(
        label="The letter before proceedings offered a family group decision making meeting", required=False)
    facilitated = forms.BooleanField(label="The meeting was facilitated during pre-proceedings", required=False)
    module5_outcome_code = forms.ChoiceField(label="Pre-proceedings outcome (CS131)", required=False,
                                             choices=[("", "Not given"), *MODULE5_OUTCOME_CHOICES])

    def __init__(self, *args, case: Case, meeting: FamilyMeeting | None = None, **kwargs):
        if meeting is not None and (not args or args[0] is None):
            kwargs["initial"] = {**{f: getattr(meeting, f) for f in self.base_fields if f != "network_members"},
                                 "network_members": list(meeting.network_members.all())}
        super().__init__(*args, **kwargs)
        self.fields["network_members"].queryset = Person.objects.filter(family=case.family).order_by(
            "kind", "last_name", "first_name")


class DisabilitiesForm(GovukForm):
    disabilities = forms.MultipleChoiceField(
        label="The child's disabilities", required=False, widget=forms.CheckboxSelectMultiple,
        choices=CIN_DISABILITIES,
        help_text="CIN census codes. Choose 'No disability' when the child has none; choose nothing when it is "
                  "not known yet.")


class PreProceedingsForm(GovukForm):
    """Begin pre-proceedings, or record what happened next (CIN census 2026/27 Module 5)."""

    started_on = date_field("Date pre-proceedings began",
                            help_text="The legal planning meeting (or other decision forum) that decided to begin "
                                      "pre-proceedings.")
    initial_meeting_on = date_field("Date of the initial pre-proceedings meeting", required=False,
                                    help_text="The first effective pre-proceedings meeting with the parents.")
    review_meetings = forms.IntegerField(label="Number of review meetings held after the initial meeting",
                                         required=False, min_value=0, max_value=99,
                                         widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    step_decision_on = date_field("Date of the decision to step up or step down", required=False,
                                  help_text="Step up: issue care proceedings. Step down: end pre-proceedings.")
    court_application_on = date_field("Date the court application was submitted", required=False)
    letter_initiating_proceedings_on = date_field("Date of the letter initiating care proceedings", required=False,
                                                  help_text="Sent to the parents or guardians.")
    notes = forms.CharField(label="Notes", required=False, max_length=limits.LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, record=None, **kwargs):
        if record is not None and (not args or args[0] is None):
            kwargs["initial"] = {f: getattr(record, f) for f in self.base_fields}
        super().__init__(*args, **kwargs)


class StepUpMacptForm(GovukForm):
    occurred_on = date_field("Date of the step-up", initial_today=True)
    level_after = forms.ModelChoiceField(label="Level of need after", queryset=None)
    querysets = {"level_after": lambda: LevelOfNeed.objects.filter(is_statutory=True)}
    lead_cp_practitioner_name = forms.CharField(label="Lead child protection practitioner", max_length=120)
    lead_cp_practitioner_contact = forms.CharField(label="Their phone or email", max_length=200, required=False)
    notes = forms.CharField(label="Notes", required=False, max_length=limits.LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 3}))
class TafPartnerLinkForm(GovukForm):
    """Link a Team Around the Family member to a partner practitioner's account (earlyhelp.sharing)."""

    member = forms.ModelChoiceField(label="Team Around the Family member", queryset=None,
                                    widget=forms.RadioSelect)
    practitioner = forms.ModelChoiceField(
        label="Partner practitioner", queryset=None,
        help_text="They will see this case's sections the council allows partners, while the family's consent to "
                  "share with their organisation stands and an agreement is in force.")

    def __init__(self, *args, case, **kwargs):
        from earlyhelp.sharing.models import PartnerMembership

        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = case.taf_members.all()
        self.fields["practitioner"].queryset = PartnerMembership.objects.filter(
            membership__is_active=True, partner__is_active=True).select_related("membership__user", "partner")
        self.fields["practitioner"].label_from_instance = lambda link: f"{link.membership.user} ({link.partner})"


class SupportRequestForm(GovukForm):
    """A request for support to a service in the council's Open Referral UK feed (cases.services.support_requests)."""

    service = forms.ModelChoiceField(label="Service", queryset=None,
                                     help_text="Services in the council's directory whose contract is running.")
    safeguarding_concern = forms.TypedChoiceField(
        label="Is this about a child who may be at risk of significant harm?",
        choices=[("no", "No"), ("yes", "Yes")], coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        help_text="A safeguarding concern is never a request for support: make a referral to the front door (MASH).")
    what_is_needed = forms.CharField(
        label="What the family needs from the service", max_length=1500,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Share only what the service needs to decide whether it can help: no case history, no details "
                  "of other family members it does not need, no notes from other agencies.")
    shares_only_what_is_needed = forms.BooleanField(
        label="I have shared only what this service needs", required=False)

    def __init__(self, *args, case=None, **kwargs):
        from .services.support_requests import services_open_to_requests

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_open_to_requests()
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.provider})"


class SupportRequestDecisionForm(GovukForm):
    decision = forms.TypedChoiceField(label="Your decision", choices=[("accept", "Accept"), ("decline", "Decline")],
                                      coerce=lambda value: value == "accept", widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The lead professional sees this, e.g. when you will contact the family, or "
                                       "why the service cannot help and who might.")
