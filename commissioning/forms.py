"""Browser forms of the commissioning app. Forms only parse input; writes go through ``services``."""

from __future__ import annotations

from django import forms

from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role

from .models import CommissionedService, KpiKind, Provider, ServiceReview


class DateInput(forms.DateInput):
    input_type = "date"


class QuarterField(forms.CharField):
    """A quarter written like ``2014/15 Q2``."""

    def __init__(self, *args, fy_start_month: int = 4, **kwargs):
        self.fy_start_month = fy_start_month
        kwargs.setdefault("help_text", "For example 2014/15 Q1")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Quarter.parse(value, self.fy_start_month)
        except ValueError as exc:
            raise forms.ValidationError("Enter a quarter like 2014/15 Q1") from exc


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "contact_email", "notes"]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = CommissionedService
        fields = ["name", "provider", "commissioning_priority", "contract_start", "contract_end", "annual_value",
                  "funding_partners", "return_due_days"]
        widgets = {"contract_start": DateInput(), "contract_end": DateInput()}
        labels = {"annual_value": "Annual value (£)", "return_due_days": "Return due (days after quarter end)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.all()  # scoped: this tenant's providers only
        self.fields["provider"].to_field_name = "public_id"

    def _post_clean(self):  # the tenant is set by the service; skip model validation that needs it
        pass


class KpiForm(forms.Form):
    code = forms.SlugField(max_length=60, help_text="A short code used in return files, e.g. feeling-safer")
    label = forms.CharField(max_length=300)
    section = forms.CharField(max_length=200, required=False, help_text="Optional heading, e.g. % of women reporting…")
    kind = forms.ChoiceField(choices=KpiKind.choices)
    target = forms.DecimalField(required=False, max_digits=10, decimal_places=2,
                                help_text="For outcome measures, a percentage")
    red_threshold = forms.DecimalField(required=False, max_digits=10, decimal_places=2,
                                       help_text="Red when worse than this; amber between this and the target")
    higher_is_better = forms.BooleanField(required=False, initial=True)
    valid_from = QuarterField(label="In force from quarter")


class KpiVersionForm(forms.Form):
    label = forms.CharField(max_length=300)
    section = forms.CharField(max_length=200, required=False)
    target = forms.DecimalField(required=False, max_digits=10, decimal_places=2)
    red_threshold = forms.DecimalField(required=False, max_digits=10, decimal_places=2)
    valid_from = QuarterField(label="New version in force from quarter",
                              help_text="Returns for earlier quarters keep the label they were made with")


class ReturnUploadForm(forms.Form):
    file = forms.FileField(label="Return file (CSV or XLSX)")


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea, required=False, label="Comment to the provider")


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ServiceReview
        fields = ["started_on", "completed_on", "reviewers", "findings", "social_worker_comments"]
        widgets = {"started_on": DateInput(), "completed_on": DateInput()}
        labels = {"social_worker_comments": "Social workers' comments"}

    def _post_clean(self):
        pass


class ProviderUserLinkForm(forms.Form):
    """Choose a member with the provider role (of this authority: the scoped manager) to link to a provider."""

    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(), label="Provider user",
        help_text="Members with the provider role. A user linked to another provider is moved to this one.",
        empty_label="Choose a provider user",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = (Membership.objects.filter(role=Role.PROVIDER, is_active=True)
                          .select_related("user").order_by("user__username"))
        field.to_field_name = "public_id"
        field.label_from_instance = lambda m: f"{m.user.get_full_name() or m.user.username} ({m.user.username})"
