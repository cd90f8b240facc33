from django import forms

from earlyhelp.periods import Quarter

from .models import Indicator, Report, UnitCost


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



class ReportCheckForm(forms.Form):
    """A PDF to check against a council's report runs, or its SHA-256."""

    MAX_BYTES = 50 * 1024 * 1024

    pdf = forms.FileField(required=False, label="Upload the PDF",
                          help_text="The report as you received it (up to 50 MB). It is read, not kept.")
    sha256 = forms.CharField(required=False, label="Or paste its SHA-256",
                             help_text="64 letters and digits, for example from sha256sum or Get-FileHash")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pdf"].widget.attrs.update({"class": "govuk-file-upload", "accept": "application/pdf,.pdf"})
        self.fields["sha256"].widget.attrs.update({"class": "govuk-input govuk-input--width-30",
                                                   "spellcheck": "false", "autocomplete": "off"})

    def clean_sha256(self):
        value = "".join(self.cleaned_data["sha256"].split()).lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise forms.ValidationError("A SHA-256 is 64 characters, each 0–9 or a–f.")
        return value

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload is None:
            return None
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB: no report of ours is that large.")
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise forms.ValidationError("The file is not a PDF.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and bool(cleaned.get("pdf")) == bool(cleaned.get("sha256")):
            raise forms.ValidationError("Upload the PDF or paste its SHA-256 (one of the two).")
        return cleaned

    def sha256_of_input(self) -> str:
        import hashlib

        upload = self.cleaned_data.get("pdf")
        if upload is None:
            return self.cleaned_data["sha256"]
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        return digest.hexdigest()


class PublicationForm(forms.Form):
    published_on = forms.DateField(label="Date published", widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text="The date the report was published with the committee's agenda")
    committee = forms.CharField(max_length=200)
    item_number = forms.CharField(max_length=20, required=False, label="Agenda item number")
    on_public_site = forms.BooleanField(
        required=False, label="Put it on the council's public reports page",
        help_text="Anyone can then read the PDF and the HTML edition without signing in. Public reports only.")
    correction_note = forms.CharField(
        required=False, label="What changed", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only when this run corrects a report published before: say what changed since then.")



class WithdrawalForm(forms.Form):
    reason = forms.CharField(label="Why is it withdrawn?", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept in the record and the audit log; the public page says only that it "
                                       "was withdrawn, and when.")

