"""The tenant administrator's pages: partner organisations, data-sharing agreements, sharing settings."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from ..forms import show_service_errors
from ..permissions import Capability, require_capability
from . import services
from .forms import (
    EndEarlyForm,
    ExtendForm,
    PartnerOrganisationEditForm,
    PartnerOrganisationForm,
    PartnerPractitionerForm,
    SharingAgreementForm,
    SharingSettingsForm,
    SignedCopyForm,
)
from .models import PartnerMembership, PartnerOrganisation, SharingAgreement

ADMIN = Capability.ADMINISTER_TENANT


@require_capability(ADMIN)
def partner_list(request):
    partners = PartnerOrganisation.objects.prefetch_related("agreements")
    return render(request, "earlyhelp/sharing/partner_list.html", {"partners": partners})


@require_capability(ADMIN)
def partner_add(request):
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_organisation_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{partner.name} is in the register.")
            return redirect("partner-detail", public_id=partner.public_id)
    return render(request, "earlyhelp/sharing/form.html", {"form": form, "title": "Add a partner organisation",
                                                           "back": "partners", "button": "Add the partner"})


@require_capability(ADMIN)
def partner_detail(request, public_id):
    partner = get_object_or_404(PartnerOrganisation.objects, public_id=public_id)
    edit = PartnerOrganisationEditForm(initial={f: getattr(partner, f) for f in (
        "name", "kind", "urn", "ods_code", "contact_email", "is_active")}, prefix="edit")
    link = PartnerPractitionerForm(prefix="link")
    if request.method == "POST" and "edit-name" in request.POST:
        edit = PartnerOrganisationEditForm(request.POST, prefix="edit")
        if edit.is_valid():
            try:
                services.partner_organisation_update(by=request.membership, partner=partner, **edit.cleaned_data)
            except ValidationError as error:
                show_service_errors(edit, error)
            else:
                messages.success(request, f"{partner.name} is saved.")
                return redirect("partner-detail", public_id=partner.public_id)
    elif request.method == "POST":
        link = PartnerPractitionerForm(request.POST, prefix="link")
        if link.is_valid():
            try:
                services.partner_membership_link(by=request.membership, partner=partner,
                                                 membership=link.cleaned_data["membership"])
            except ValidationError as error:
                show_service_errors(link, error)
            else:
                messages.success(request, f"{link.cleaned_data['membership'].user} now works for {partner.name}.")
                return redirect("partner-detail", public_id=partner.public_id)
    context = {
        "partner": partner, "edit": edit, "link": link, "today": services.today(),
        "agreements": partner.agreements.all(),
        "practitioners": PartnerMembership.objects.filter(partner=partner).select_related("membership__user"),
        "clients": partner.api_clients.all(),
        "forms_with_errors": [f for f in (edit, link) if f.errors],
    }
    return render(request, "earlyhelp/sharing/partner_detail.html", context)


@require_capability(ADMIN)
def agreement_list(request):
    agreements = SharingAgreement.objects.prefetch_related("partners")
    return render(request, "earlyhelp/sharing/agreement_list.html",
                  {"agreements": agreements, "today": services.today()})


@require_capability(ADMIN)
def agreement_add(request):
    form = SharingAgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.sharing_agreement_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The agreement “{agreement.title}” is recorded.")
            return redirect("agreement-detail", public_id=agreement.public_id)
    return render(request, "earlyhelp/sharing/form.html", {"form": form, "title": "Record a data-sharing agreement",
                                                           "back": "agreements", "button": "Record the agreement",
                                                           "multipart": True})


@require_capability(ADMIN)
def agreement_detail(request, public_id):
    agreement = get_object_or_404(SharingAgreement.objects.prefetch_related("partners"), public_id=public_id)
    forms = {"upload": SignedCopyForm(prefix="upload"), "extend": ExtendForm(prefix="extend"),
             "end": EndEarlyForm(prefix="end")}
    action = request.POST.get("action") if request.method == "POST" else None
    if action in forms:
        form_class = type(forms[action])
        form = forms[action] = form_class(request.POST, request.FILES or None, prefix=action)
        if form.is_valid():
            try:
                if action == "upload":
                    services.sharing_agreement_upload_signed_copy(by=request.membership, agreement=agreement,
                                                                  **form.cleaned_data)
                elif action == "extend":
                    services.sharing_agreement_extend(by=request.membership, agreement=agreement, **form.cleaned_data)
                else:
                    services.sharing_agreement_end(by=request.membership, agreement=agreement, **form.cleaned_data)
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.success(request, "The agreement is saved.")
                return redirect("agreement-detail", public_id=agreement.public_id)
    return render(request, "earlyhelp/sharing/agreement_detail.html", {
        "agreement": agreement, "today": services.today(), **forms,
        "forms_with_errors": [f for f in forms.values() if f.errors]})


@require_capability(ADMIN)
def agreement_signed_copy(request, public_id):
    agreement = get_object_or_404(SharingAgreement.objects, public_id=public_id)
    if not agreement.signed_copy:
        raise Http404("No signed copy.")
    extension = os.path.splitext(agreement.signed_copy.name)[1]
    return FileResponse(agreement.signed_copy.open("rb"), as_attachment=True,
                        filename=f"{agreement.reference or agreement.public_id}{extension}")


@require_capability(ADMIN)
def sharing_settings(request):
    row = services.sharing_settings()
    form = SharingSettingsForm(request.POST or None, initial={f: getattr(row, f) for f in services.SETTINGS_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_settings_update(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The sharing settings are saved.")
            return redirect("sharing-settings")
    return render(request, "earlyhelp/sharing/form.html", {"form": form, "title": "Sharing settings",
                                                           "back": "agreements", "button": "Save the settings"})
