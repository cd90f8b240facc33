from django import forms

from earlyhelp.periods import Quarter

from .models import Indicator, Report, UnitCost

GOVUK_WIDGET_CLASSES = {
    forms.TextInput: "govuk-input",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.NumberInput: "govuk-input govuk-input--width-4",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


def govuk(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = GOVUK_WIDGET_CLASSES.get(type(field.widget))
        if css:
            field.widget.attrs.setdefault("class", css)
    return form


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = [
            "title", "committee", "meeting_date", "item_number", "wards_affected", "key_decision", "report_of",
            "accountable_director", "is_public", "exempt_reason", "period_start_year", "period_quarter", "author",
            "executive_summary", "recommendations", "introduction", "issues_analysis",
            "reasons_for_recommendation", "consultation", "corporate_policies", "financial_implications",
            "financial_verified_by", "legal_implications", "legal_verified_by", "diversity_implications",
            "diversity_verified_by", "other_implications", "background_papers", "appendices",
            "follow_up_months", "follow_up_window_months",
        ]
        widgets = {
            "meeting_date": forms.DateInput(attrs={"type": "date"}),
            **{name: forms.Textarea(attrs={"rows": 5}) for name in [
                "executive_summary", "recommendations", "introduction", "issues_analysis",
                "reasons_for_recommendation", "consultation", "corporate_policies", "financial_implications",
                "legal_implications", "diversity_implications", "other_implications", "background_papers",
                "appendices"]},
        }
        labels = {
            "period_start_year": "Financial year starting in",
            "period_quarter": "Quarter",
            "is_public": "This report is Public",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk(self)

    def clean(self):
        data = super().clean()
        if not data.get("is_public") and not data.get("exempt_reason"):
            self.add_error("exempt_reason", "Say why the report is exempt from publication.")
        return data


class IndicatorForm(forms.Form):
    indicator = forms.ChoiceField(choices=Indicator.choices)
    quarter = forms.CharField(help_text="For example 2014/15 Q2", max_length=20)
    value = forms.DecimalField(min_value=0, max_digits=12, decimal_places=3, label="Figure for the quarter",
                               help_text="A count at the end of the quarter (603), or an average with up to three "
                                         "decimal places as calculated (8.6)")
    source = forms.CharField(required=False, max_length=200, label="Source")

    def __init__(self, *args, fy_start_month: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.fy_start_month = fy_start_month
        govuk(self)

    def clean_quarter(self):
        try:
            return Quarter.parse(self.cleaned_data["quarter"], self.fy_start_month)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class IndicatorImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: indicator, quarter, value, source")


class UnitCostForm(forms.ModelForm):
    class Meta:
        model = UnitCost
        fields = ["name", "indicator", "weekly_cost", "weeks", "note"]
        labels = {"weekly_cost": "Weekly cost (£)", "indicator": "Caseload it applies to"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk(self)
