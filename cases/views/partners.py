"""Partner practitioners' pages (their shared cases) and the lead professional's link of a Team Around the Family
member to a partner's account. The rules are in cases.partner_access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability
from earlyhelp.sharing.services import partner_casework_agreement, partner_of, sharing_settings

from .. import forms, partner_access
from ..models import SupportRequest
from ..services import support_requests
from ..services.partners import taf_member_link_partner
from ..services.support_requests import support_request_send
from .casework import _case_record_view


@require_capability(Capability.VIEW_SHARED_CASES)
def partner_caseload(request):
    cases = list(partner_access.partner_cases(by=request.membership))
    return render(request, "cases/partner_caseload.html", {
        "cases": cases, "partner": partner_of(request.membership), "today": timezone.localdate(),
        "agreement": partner_casework_agreement(request.membership),
        "days": sharing_settings().partner_days_after_closure})


@require_capability(Capability.VIEW_SHARED_CASES)
def partner_case(request, public_id):
    case = partner_access.partner_case_get(by=request.membership, public_id=public_id)
    return render(request, "cases/partner_case.html", {
        "case": case, "sections": partner_access.partner_case_sections(case=case),
        "partner": partner_of(request.membership)})


taf_partner_link = _case_record_view(
    forms.TafPartnerLinkForm, "Give a Team Around the Family member access",
    lambda case, form, request: taf_member_link_partner(by=request.membership, **form.cleaned_data),
    success="Linked: the partner practitioner can see this case's shared sections.",
    form_kwargs=lambda case, **_: {"case": case},
    intro=lambda case: "A partner practitioner sees only the sections the council allows partners, only while the "
                       "family's consent to share with their organisation stands, and every view is logged.",
)


# Requests for support ----------------------------------------------------------------------------------------


support_request_new = _case_record_view(
    forms.SupportRequestForm, "Ask a service for support",
    lambda case, form, request: support_request_send(by=request.membership, case=case, **form.cleaned_data),
    success="Request sent: the service will accept or decline it.",
    form_kwargs=lambda case, **_: {"case": case},
    intro=lambda case: "The service sees what you write here and the family's name. Share only what it needs. "
                       "A safeguarding concern is not a request for support: make a referral to the front door.",
)


@require_capability(Capability.RESPOND_TO_REQUESTS)
def support_request_queue(request):
    rows = support_requests.support_request_queue(by=request.membership)
    return render(request, "cases/support_request_queue.html", {
        "waiting": [r for r in rows if r.status == SupportRequest.Status.SENT],
        "answered": [r for r in rows if r.status != SupportRequest.Status.SENT]})


@require_capability(Capability.RESPOND_TO_REQUESTS)
def support_request_detail(request, public_id):
    support = support_requests.support_request_get(by=request.membership, public_id=public_id)
    form = forms.SupportRequestDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support_requests.support_request_decide(by=request.membership, request=support,
                                                    accept=form.cleaned_data["decision"],
                                                    reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"You have {support.get_status_display().lower()} the request.")
            return redirect("cases:support-requests")
    return render(request, "cases/support_request_detail.html", {"support": support, "form": form})
