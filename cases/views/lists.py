"""The tenant administrator's pages for the council's lists (levels of need, referral sources, presenting needs,
closure reasons) and its casework settings; the writes are ``cases.services.lists``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability

from ..models import CaseSettings
from ..services.lists import (
    CASE_SETTINGS_FIELDS,
    TENANT_LISTS,
    case_settings_update,
    list_entry_save,
    tenant_list,
)
from ..services.lists import case_settings as _case_settings

ADMIN = Capability.ADMINISTER_TENANT
LABELS = {"code": "Code", "label": "Label", "sort_order": "Position in the list", "is_active": "In use",
          "rank": "Rank", "is_statutory": "Statutory social care (child in need, child protection, looked after)",
          "is_front_door": "A multi-agency front door or panel", "is_step_up": "Closed because the case went to "
                                                                             "social care"}
HELP = {"code": "Short and fixed once saved: imports and statistics use it.",
        "rank": "1 for the lowest level. Fixed once saved.",
        "sort_order": "Lower numbers come first.",
        "is_active": "An entry not in use stays on old records but is not offered for new ones."}


def _kind(slug):
    try:
        return tenant_list(slug)
    except LookupError as error:
        raise Http404("No such list.") from error


def _entry_form(kind, *, data=None, entry=None):
    fields = kind.fields if entry is None else kind.editable_fields
    form_class = forms.modelform_factory(kind.model, fields=fields, labels=LABELS,
                                         help_texts={f: HELP[f] for f in fields if f in HELP})
    # A copy of the entry: the form's cleaning writes into its instance, and the service compares with the saved one.
    form = form_class(data, instance=type(entry).objects.get(pk=entry.pk) if entry else None)
    if "label" in form.fields:
        form.fields["label"].widget.attrs["class"] = "govuk-input"
    if "code" in form.fields:
        form.fields["code"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
    return form


@require_capability(ADMIN)
def lists(request):
    counts = {kind.slug: kind.model.objects.count() for kind in TENANT_LISTS.values()}
    return render(request, "cases/lists/index.html", {
        "lists": [(kind, counts[kind.slug]) for kind in TENANT_LISTS.values()], "settings": _case_settings()})


@require_capability(ADMIN)
def list_entries(request, kind):
    kind = _kind(kind)
    return render(request, "cases/lists/entries.html", {"kind": kind, "entries": kind.model.objects.all()})


@require_capability(ADMIN)
def list_entry(request, kind, public_id=None):
    kind = _kind(kind)
    entry = get_object_or_404(kind.model.objects, public_id=public_id) if public_id else None
    form = _entry_form(kind, data=request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            saved = list_entry_save(by=request.membership, kind=kind, entry=entry,
                                    **{name: form.cleaned_data[name] for name in form.fields})
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{saved.label}” is saved.")
            return redirect("cases:list", kind=kind.slug)
    title = f"Change “{entry.label}”" if entry else f"Add to {kind.title.lower()}"
    return render(request, "cases/lists/form.html", {
        "form": form, "title": title, "caption": kind.title, "entry": entry, "kind": kind,
        "back": reverse("cases:list", kwargs={"kind": kind.slug})},
        status=400 if form.is_bound and not form.is_valid() else 200)


class CaseSettingsForm(forms.ModelForm):
    class Meta:
        model = CaseSettings
        fields = CASE_SETTINGS_FIELDS
        labels = {"assessment_limit_days": "Days to complete an assessment",
                  "supervision_interval_days": "Days between supervisions",
                  "retention_enabled": "Apply the retention rule every night",
                  "retention_age_years": "Keep records until the youngest child is this age (years)",
                  "retention_years_without_birth_date": "Years to keep records when no child's birth date is known",
                  "retention_action": "When records reach the end of retention"}
        widgets = {"retention_action": forms.RadioSelect}


@require_capability(ADMIN)
def case_settings(request):
    row = _case_settings()
    form = CaseSettingsForm(request.POST or None, instance=CaseSettings.objects.get(pk=row.pk))
    if request.method == "POST" and form.is_valid():
        try:
            case_settings_update(by=request.membership,
                                 **{name: form.cleaned_data[name] for name in form.changed_data})
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The casework settings are saved.")
            return redirect("cases:lists")
    return render(request, "cases/lists/form.html", {
        "form": form, "title": "Casework settings", "caption": "Lists used in casework",
        "back": reverse("cases:lists")}, status=400 if form.is_bound and not form.is_valid() else 200)
