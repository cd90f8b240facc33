"""Setting up distance-travelled tools: list, create, and revise a tool's areas.

These pages are for tenant administrators. A tool is configuration shared by every practitioner of the authority
and its wording decides what the statistics compare, so it sits with the other tenant settings (API clients,
lists) rather than with performance officers, who read the aggregates but do not change what is recorded.
Revising the areas of a version that has readings makes a new version (``services.tool_areas_revise``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability

from .. import forms, selectors, services

ADMIN = Capability.ADMINISTER_TENANT


@require_capability(ADMIN)
def tool_list(request):
    return render(request, "outcomes/tool_list.html", {"tools": selectors.tools_list()})


@require_capability(ADMIN)
def tool_new(request):
    form = forms.ToolForm(request.POST or None, initial={"subject": "family"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tool = services.tool_create(
                code=data["code"], name=data["name"], subject=data["subject"], scale_min=data["scale_min"],
                scale_max=data["scale_max"], higher_is_better=data["higher_is_better"], areas=form.areas_list(),
                description=data["description"], by=request.membership)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"{tool.name} created.")
            return redirect("outcomes:tool", public_id=tool.public_id)
    return render(request, "outcomes/tool_form.html", {"form": form,
                                                       "forms_with_errors": [form] if form.errors else []})


@require_capability(ADMIN)
def tool_detail(request, public_id):
    """The tool's versions and their areas, and the form that revises the current areas."""
    tool = selectors.tool_get(public_id=public_id)
    versions = list(tool.versions.all())
    current = versions[0] if versions else None
    form = forms.ToolAreasForm(request.POST or None,
                               initial={"areas": forms.format_areas(current.areas.all()) if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.tool_areas_revise(tool=tool, areas=form.areas_list(), by=request.membership)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            made = current is None or version.pk != current.pk
            messages.success(request, f"Areas saved as version {version.number}." if made
                             else f"Areas of version {version.number} changed (it has no readings yet).")
            return redirect("outcomes:tool", public_id=tool.public_id)
    return render(request, "outcomes/tool_detail.html", {
        "tool": tool, "versions": versions, "current": current, "form": form,
        "forms_with_errors": [form] if form.errors else []})


@require_POST
@require_capability(ADMIN)
def tool_active(request, public_id):
    """Switch a tool off (practitioners can no longer record readings with it) or back on."""
    tool = selectors.tool_get(public_id=public_id)
    active = request.POST.get("active") == "on"
    services.tool_active_set(tool=tool, active=active, by=request.membership)
    if active:
        messages.success(request, f"{tool.name} switched on: practitioners can record readings with it again.")
    else:
        messages.success(request, f"{tool.name} switched off: no new readings can be recorded with it; its "
                                  "readings stay in the statistics and reports.")
    return redirect("outcomes:tool", public_id=tool.public_id)
