"""Browser forms: shapes only; the rules live in ``outcomes.services``."""

from __future__ import annotations

from django import forms

from cases.forms import GovukForm, date_field
from cases.models import Person
from earlyhelp.models import Locality, Team
from earlyhelp.periods import Quarter

from .models import CaseFamilyOutcome, DistanceTool, Stage, Subject


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
