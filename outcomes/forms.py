"""Browser forms: shapes only; the rules live in ``outcomes.services``."""

from __future__ import annotations

from django import forms

from cases.forms import date_field
from cases.models import Person
from cases.national_framework import NationalFrameworkOutcome
from earlyhelp.forms import GovukForm
from earlyhelp.models import Locality, Team
from earlyhelp.periods import Quarter

from .models import CaseFamilyOutcome, DistanceTool, NeedEvidence, ProgrammeOutcome, Stage, Subject


class ReadingForm(GovukForm):
    """A reading with the tool's current areas: one optional score field per area (``score_<key>``)."""

    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who is the reading for?")
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.RadioSelect, label="Stage")
    taken_on = date_field("Date of the reading", initial_today=True)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes",
                            help_text="What the family said about the scores.")

    def __init__(self, *args, tool: DistanceTool, case, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.tool, self.areas = tool, list(areas)
        if tool.subject == Subject.FAMILY:
            del self.fields["person"]
        else:
            kind = Person.Kind.CHILD if tool.subject == Subject.CHILD else Person.Kind.ADULT
            self.fields["person"].queryset = Person.objects.filter(family_id=case.family_id, kind=kind)
        better = "higher" if tool.higher_is_better else "lower"
        for area in self.areas:
            self.fields[f"score_{area.key}"] = forms.IntegerField(
                label=area.label, required=False, min_value=tool.scale_min, max_value=tool.scale_max,
                help_text=f"{tool.scale_min} to {tool.scale_max}; {better} is better. Leave empty if not scored.",
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}))
        # the notes last, after the scores
        self.fields["notes"] = self.fields.pop("notes")

    def scores(self) -> dict[str, int | None]:
        return {a.key: self.cleaned_data.get(f"score_{a.key}") for a in self.areas}


class FamilyOutcomesForm(GovukForm):
    """One question per outcome of the tenant's list: not identified, improved, no change or worse."""

    CHOICES = [("", "Not identified"), *CaseFamilyOutcome.Progress.choices]

    def __init__(self, *args, outcomes, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        for o in self.outcomes:
            self.fields[f"outcome_{o.code}"] = forms.ChoiceField(
                label=o.label, choices=self.CHOICES, required=False, initial=current.get(o.pk, ""),
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}))

    def progress(self) -> dict:
        return {o: self.cleaned_data.get(f"outcome_{o.code}") or None for o in self.outcomes}


class DashboardForm(GovukForm):
    quarter = forms.ChoiceField(label="Quarter")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team",
                                  empty_label="All teams")
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, label="Locality",
                                      empty_label="All localities")
    querysets = {"team": lambda: Team.objects.order_by("name"), "locality": lambda: Locality.objects.order_by("name")}

    def __init__(self, *args, latest: Quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {q.start.isoformat(): q for q in (latest.shifted(-i) for i in range(12))}
        self.fields["quarter"].choices = [(k, str(q)) for k, q in self.quarters.items()]
        self.fields["quarter"].initial = latest.start.isoformat()


# ---------------------------------------------------------------------------------------------------- programme


class EnrolmentForm(GovukForm):
    needs = forms.ModelMultipleChoiceField(
        label="Which problems does the family present with?", queryset=ProgrammeOutcome.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose the headline outcome area of each problem. A claim needs at least three.")
    enrolled_on = date_field("Date enrolled", initial_today=True)

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = framework.outcomes.order_by("sort_order", "id")


class NeedForm(GovukForm):
    outcome = forms.ModelChoiceField(label="Which outcome area is the problem in?",
                                     queryset=ProgrammeOutcome.objects.none(), widget=forms.RadioSelect,
                                     empty_label=None)
    identified_on = date_field("Date the problem was identified", initial_today=True,
                               help_text="On or after the date the family was enrolled.")
    description = forms.CharField(label="Describe the problem", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        taken = enrolment.needs.values_list("outcome_id", flat=True)
        self.fields["outcome"].queryset = (enrolment.framework.outcomes.exclude(pk__in=list(taken))
                                           .order_by("sort_order", "id"))


class EvidenceForm(GovukForm):
    kind = forms.ChoiceField(label="What does the evidence show?", choices=NeedEvidence.Kind.choices,
                             widget=forms.RadioSelect)
    recorded_on = date_field("Date of the evidence", initial_today=True,
                             help_text="For an outcome met, the day it was met: the six months run from it.")
    source = forms.CharField(label="Source", max_length=120, required=False,
                             help_text="For example, school attendance records or a police check.")
    description = forms.CharField(label="Describe the evidence", widget=forms.Textarea(attrs={"rows": 4}))


class ClaimPrepareForm(GovukForm):
    prepared_on = date_field("Date of the claim", initial_today=True)


class ClaimSubmitForm(GovukForm):
    submitted_on = date_field("Date submitted", initial_today=True)


class ClaimDecideForm(GovukForm):
    outcome = forms.ChoiceField(label="What was decided?", widget=forms.RadioSelect,
                                choices=[("paid", "Paid"), ("rejected", "Rejected")])
    decided_on = date_field("Date of the decision", initial_today=True)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           help_text="Required when the claim was rejected: give the reason.")


# ---------------------------------------------------------------------------------------------------- tools


def parse_areas(text: str) -> list[tuple[str, str] | str]:
    """One area a line, in order: ``Label`` or ``key | Label`` (keep the key to keep an area's history)."""
    areas = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            key, label = (part.strip() for part in line.split("|", 1))
            areas.append((key, label) if key else label)
        else:
            areas.append(line)
    return areas


def format_areas(areas) -> str:
    return "\n".join(f"{a.key} | {a.label}" for a in areas)


AREAS_HELP = ("One area a line, in the order they go round the chart. Write \u201ckey | Label\u201d to keep an "
              "existing area\u2019s key (its readings stay comparable when the wording changes); a line with only "
              "a label gets a key made from it.")


class ToolAreasForm(GovukForm):
    areas = forms.CharField(label="Areas", widget=forms.Textarea(attrs={"rows": 10}), help_text=AREAS_HELP,
                            max_length=5000)

    def areas_list(self):
        return parse_areas(self.cleaned_data["areas"])


class ToolForm(ToolAreasForm):
    name = forms.CharField(label="Name", max_length=120)
    code = forms.SlugField(label="Short name", max_length=40,
                           help_text="Letters, numbers and hyphens, used by imports and the API: e.g. wellbeing-web.")
    subject = forms.ChoiceField(label="Who is it for?", choices=Subject.choices, widget=forms.RadioSelect)
    scale_min = forms.IntegerField(label="Lowest score", initial=1, min_value=-100, max_value=100)
    scale_max = forms.IntegerField(label="Highest score", initial=10, min_value=-100, max_value=100)
    higher_is_better = forms.BooleanField(label="A higher score is better", required=False, initial=True)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    field_order = ["name", "code", "subject", "scale_min", "scale_max", "higher_is_better", "areas", "description"]


NF_CHOICES = [("", "Not tagged"), *NationalFrameworkOutcome.choices]


class OutcomeTagsForm(GovukForm):
    """One National Framework choice per closure outcome (``family_<code>``) and per outcome area of the current
    programme framework version (``programme_<key>``)."""

    def __init__(self, *args, family_outcomes, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.family_rows = list(family_outcomes)
        self.programme_rows = list(framework.outcomes.all()) if framework is not None else []
        for prefix, rows in (("family", self.family_rows), ("programme", self.programme_rows)):
            for row in rows:
                code = getattr(row, "code", None) or row.key
                self.fields[f"{prefix}_{code}"] = forms.ChoiceField(
                    label=row.label, choices=NF_CHOICES, required=False, initial=row.nf_outcome)

    def family_fields(self):
        return [self[f"family_{r.code}"] for r in self.family_rows]

    def programme_fields(self):
        return [self[f"programme_{r.key}"] for r in self.programme_rows]

    def tags(self) -> dict:
        data = self.cleaned_data
        return {"family_outcomes": {r: data.get(f"family_{r.code}", "") for r in self.family_rows},
                "programme_outcomes": {r: data.get(f"programme_{r.key}", "") for r in self.programme_rows}}


class FrameworkVersionForm(GovukForm):
    name = forms.CharField(label="Name of the new version", max_length=120,
                           initial="Supporting Families outcome framework")
    valid_from = date_field("In use from", help_text="Families enrolled from this date use the new version.")


class SupportingFamiliesSwitchForm(GovukForm):
    enabled = forms.ChoiceField(
        label="Does the council use the Supporting Families outcome framework?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No: hide its pages' figures, its dashboard table and its report section")])
