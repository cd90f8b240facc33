from django import forms

from .models import Report

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
