"""The outcome library pages (tenant administrators): National Framework tags of the closure outcomes and the
programme's outcome areas, the Supporting Families framework's versions, and the switch that turns it off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cases.national_framework import SOURCE, NationalFrameworkOutcome
from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability

from .. import forms, services
from ..models import FamilyOutcome, ProgrammeFramework

ADMIN = Capability.ADMINISTER_TENANT


def _library_page(request, *, version_form=None, tags_form=None, status=200):
    frameworks = list(ProgrammeFramework.objects.prefetch_related("outcomes"))
    tags_form = tags_form or forms.OutcomeTagsForm(family_outcomes=FamilyOutcome.objects.all(),
                                                   framework=frameworks[0] if frameworks else None)
    version_form = version_form or forms.FrameworkVersionForm()
    return render(request, "outcomes/library.html", {
        "frameworks": frameworks, "tags_form": tags_form, "version_form": version_form, "source": SOURCE,
        "nf_outcomes": NationalFrameworkOutcome.choices, "switch_form": forms.SupportingFamiliesSwitchForm(
            initial={"enabled": "yes" if request.tenant.supporting_families_enabled else "no"}),
        "forms_with_errors": [f for f in (tags_form, version_form) if f.errors],
    }, status=status)


@require_capability(ADMIN)
def library(request):
    return _library_page(request)


@require_capability(ADMIN)
def library_tags(request):
    if request.method != "POST":
        return redirect("outcomes:library")
    framework = ProgrammeFramework.objects.order_by("-version").first()
    form = forms.OutcomeTagsForm(request.POST, family_outcomes=FamilyOutcome.objects.all(), framework=framework)
    if form.is_valid():
        try:
            changed = services.outcome_tags_set(by=request.membership, **form.tags())
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"National Framework tags saved ({changed} changed).")
            return redirect("outcomes:library")
    return _library_page(request, tags_form=form, status=400)


@require_capability(ADMIN)
def library_version(request):
    if request.method != "POST":
        return redirect("outcomes:library")
    form = forms.FrameworkVersionForm(request.POST)
    if form.is_valid():
        try:
            framework = services.programme_framework_new_version(by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Version {framework.version} of the framework started.")
            return redirect("outcomes:library")
    return _library_page(request, version_form=form, status=400)


@require_capability(ADMIN)
def library_switch(request):
    if request.method == "POST":
        form = forms.SupportingFamiliesSwitchForm(request.POST)
        if form.is_valid():
            enabled = form.cleaned_data["enabled"] == "yes"
            services.supporting_families_switch(enabled=enabled, by=request.membership)
            messages.success(request, "The Supporting Families outcome framework is "
                                      f"{'in use' if enabled else 'switched off'}.")
    return redirect("outcomes:library")
