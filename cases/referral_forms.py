"""The forms of a family referral in the browser: the family, each child, each adult (with their relationship to
every child), who consented, and a search for a child already known. "Add another child / adult" is the GOV.UK
add-another pattern without JavaScript: a submit button re-renders the page with one more fieldset, keeping what
was typed. The rules live in ``cases.services.referral_record``; these only parse."""

from __future__ import annotations

from django import forms

from earlyhelp.forms import GovukForm

from .forms import date_field
from .models import Consent, Person
from .models.people import ADULT_TO_CHILD_KINDS, ETHNICITY_CHOICES, SEX_CHOICES

ABSENT_CHOICES = [("", "An NHS number is given"), *Person.NhsNumberAbsent.choices]
RELATIONSHIP_CHOICES = [("", "Not related / not known"), *[(k.value, k.label) for k in ADULT_TO_CHILD_KINDS]]


def values_of(form: forms.Form) -> dict:
    """What was typed into ``form``, as initial values for the same form re-rendered without errors."""
    return {name: form[name].value() for name in form.fields}


class FamilyForm(GovukForm):
    """A new family (when no known person is in the referral)."""

    name = forms.CharField(label="Family name", max_length=120, required=False,
                           help_text="How the family is known, for example 'Fenwick family'.")
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)


class PersonFields(GovukForm):
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    date_of_birth = date_field("Date of birth", required=False)
    nhs_number = forms.CharField(label="NHS number", max_length=20, required=False,
                                 help_text="10 digits, for example 943 476 5919.")
    nhs_number_absent_reason = forms.ChoiceField(label="If there is no NHS number, why", required=False,
                                                 choices=ABSENT_CHOICES)
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def is_blank(self) -> bool:
        """Nothing typed (an added fieldset left empty is ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(name) for name in ("first_name", "last_name", "date_of_birth", "nhs_number",
                                                   "person"))


class ChildForm(PersonFields):
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, initial="U", required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=ETHNICITY_CHOICES, initial="NOBT", required=False)
    upn = forms.CharField(label="Unique pupil number (optional)", max_length=13, required=False)


class AdultForm(PersonFields):
    """An adult, with a relationship (and parental responsibility) to each child of the referral, by number."""

    phone = forms.CharField(label="Phone", max_length=30, required=False)
    email = forms.CharField(label="Email", max_length=254, required=False)
    address = forms.CharField(label="Address (if not the family's)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    preferred_language = forms.CharField(label="Preferred language", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    in_household = forms.BooleanField(label="Lives in the household", required=False, initial=True)

    def __init__(self, *args, children: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for i, name in enumerate(children):
            self.fields[f"rel_{i}"] = forms.ChoiceField(label=f"Relationship to {name}", required=False,
                                                        choices=RELATIONSHIP_CHOICES)
            self.fields[f"rel_{i}"].widget.attrs["class"] = "govuk-select"
            self.fields[f"pr_{i}"] = forms.BooleanField(label=f"Has parental responsibility for {name}",
                                                        required=False)
            self.fields[f"pr_{i}"].widget.attrs["class"] = "govuk-checkboxes__input"

    def person_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("rel_", "pr_", "person"))]

    def relationship_fields(self):
        return [self[name] for name in self.fields if name.startswith(("rel_", "pr_"))]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return super().is_blank() and not any(data.get(f"rel_{i}") for i in range(len(self.children)))


class ConsentForm(GovukForm):
    given = forms.ChoiceField(label="Who consented to early help", required=False, choices=[])
    given_by = forms.CharField(label="If someone else, who", max_length=120, required=False)
    decided_on = date_field("Date of consent", required=False)
    method = forms.ChoiceField(label="How consent was recorded", choices=Consent.Method.choices,
                               initial=Consent.Method.WRITTEN)

    def __init__(self, *args, adults: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given"].choices = [("", "Not recorded yet"), *[(str(i), name) for i, name in enumerate(adults)],
                                        ("other", "Someone else")]


class FindForm(GovukForm):
    """Look for a child (or adult) already recorded, to add them to this referral."""

    name = forms.CharField(label="Name", required=False, max_length=200)
    date_of_birth = date_field("Date of birth", required=False)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)


