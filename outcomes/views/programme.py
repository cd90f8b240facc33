"""Supporting Families pages: enrol a family from its case, record evidence of progress per need, see a family's
programme page with the claim rules checked today, and take a claim from prepared to paid or rejected.

Who may do what: anyone who sees child records (practitioners, team managers, auditors) reads the programme
pages; the case-working roles (practitioners and team managers) enrol families and record evidence, as they do
the rest of the case; only team managers prepare, submit and settle claims, because a claim is money claimed
from the national programme on the authority's behalf and is signed off above the lead professional.
Enrolments and claims are fetched through ``outcomes.selectors`` (404 for another tenant's)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from cases import selectors as case_selectors
from earlyhelp.audit import record_read
from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability

from .. import forms, selectors, services
from ..models import Claim

VIEW = Capability.VIEW_CHILD_RECORDS
EDIT = Capability.EDIT_CHILD_RECORDS
CLAIM = Capability.MANAGE_TEAM


def _page(request, template, context, form):
    return render(request, template, {**context, "form": form, "forms_with_errors": [form] if form.errors else []})


@require_capability(VIEW)
def programme_list(request):
    """Families enrolled on the programme, with their needs met and the state of their claim."""
    enrolments = selectors.enrolments_list(membership=request.membership)
    for e in enrolments:
        needs = list(e.needs.all())
        e.needs_met = sum(1 for n in needs if n.met_on)
        e.needs_total = len(needs)
        e.live_claim = next((c for c in e.claims.all() if c.status != Claim.Status.REJECTED), None)
    return render(request, "outcomes/programme_list.html", {"enrolments": enrolments})


@require_capability(EDIT)
def enrol(request, public_id):
    """Enrol the family of a case, with the problems it presents (one need a headline outcome area)."""
    case = case_selectors.case_get(membership=request.membership, public_id=public_id)
    framework = services.programme_framework_ensure(tenant=request.tenant)
    existing = case.family.programme_enrolments.filter(framework=framework).first()
    if existing is not None:
        messages.info(request, "The family is already enrolled.")
        return redirect("outcomes:enrolment", public_id=existing.public_id)
    form = forms.EnrolmentForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_create(
                family=case.family, framework=framework, case=case, enrolled_on=form.cleaned_data["enrolled_on"],
                lead_professional=case.lead_professional, needs=list(form.cleaned_data["needs"]),
                by=request.membership)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"{case.family.name} enrolled on {framework.name}.")
            return redirect("outcomes:enrolment", public_id=enrolment.public_id)
    return _page(request, "outcomes/enrol_form.html", {
        "case": case, "framework": framework, "back": reverse("cases:case", kwargs={"public_id": case.public_id}),
    }, form)


@require_capability(VIEW)
def enrolment_detail(request, public_id):
    """A family's programme page: each need's status and evidence, and whether a claim could be made today."""
    enrolment = selectors.enrolment_get(membership=request.membership, public_id=public_id)
    record_read(action="outcomes.enrolment_viewed", by=request.membership, obj=enrolment)
    page = selectors.enrolment_page(enrolment=enrolment)
    check = services.claim_check(enrolment=enrolment, as_of=dt.date.today())
    sustained = {need.pk: start for need, start in check.needs}
    for need in page["needs"]:
        need.sustained_from = sustained.get(need.pk)
        need.sustained = need.sustained_from is not None and need.sustained_from <= check.as_of
    return render(request, "outcomes/enrolment_detail.html", {"enrolment": enrolment, "check": check, **page})


@require_capability(EDIT)
def need_new(request, public_id):
    """Add a need that came to light after enrolment."""
    enrolment = selectors.enrolment_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:enrolment", kwargs={"public_id": enrolment.public_id})
    form = forms.NeedForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_add(enrolment=enrolment, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Need added: {need.outcome.label.lower()}.")
            return redirect(back)
    return _page(request, "outcomes/need_form.html", {"enrolment": enrolment, "back": back}, form)


@require_capability(EDIT)
def evidence_new(request, public_id, need_id):
    enrolment = selectors.enrolment_get(membership=request.membership, public_id=public_id)
    need = selectors.need_get(enrolment=enrolment, public_id=need_id)
    back = reverse("outcomes:enrolment", kwargs={"public_id": enrolment.public_id})
    form = forms.EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_evidence_record(need=need, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Evidence recorded for {need.outcome.label.lower()}.")
            return redirect(back)
    return _page(request, "outcomes/evidence_form.html", {"enrolment": enrolment, "need": need, "back": back}, form)


@require_capability(CLAIM)
def claim_new(request, public_id):
    """Prepare a claim: refused, with the reasons, unless every rule holds on the day of the claim."""
    enrolment = selectors.enrolment_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:enrolment", kwargs={"public_id": enrolment.public_id})
    form = forms.ClaimPrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_prepare(enrolment=enrolment, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Claim prepared. Check the evidence pack, then submit it.")
            return redirect("outcomes:claim", public_id=claim.public_id)
    return _page(request, "outcomes/claim_form.html", {
        "enrolment": enrolment, "back": back, "title": "Prepare a claim", "button": "Prepare the claim"}, form)


@require_capability(VIEW)
def claim_list(request):
    status = request.GET.get("status", "")
    claims = selectors.claims_list(membership=request.membership, status=status)
    return render(request, "outcomes/claim_list.html", {
        "claims": claims, "status": status if status in Claim.Status.values else "",
        "statuses": Claim.Status.choices})


@require_capability(VIEW)
def claim_detail(request, public_id):
    """A claim and its evidence pack: every need with the evidence recorded up to the day it was prepared."""
    claim = selectors.claim_get(membership=request.membership, public_id=public_id)
    record_read(action="outcomes.claim_viewed", by=request.membership, obj=claim)
    framework = claim.enrolment.framework
    needs = selectors.evidence_pack(claim=claim)
    for need in needs:
        need.sustained_from = services.sustained_from(need.met_on, framework.sustain_months) if need.met_on else None
    return render(request, "outcomes/claim_detail.html", {"claim": claim, "enrolment": claim.enrolment,
                                                          "needs": needs})


@require_capability(CLAIM)
def claim_submit(request, public_id):
    claim = selectors.claim_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:claim", kwargs={"public_id": claim.public_id})
    form = forms.ClaimSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_submit(claim=claim, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Claim submitted.")
            return redirect(back)
    return _page(request, "outcomes/claim_form.html", {
        "enrolment": claim.enrolment, "claim": claim, "back": back, "title": "Submit the claim",
        "button": "Submit the claim"}, form)


@require_capability(CLAIM)
def claim_decide(request, public_id):
    claim = selectors.claim_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:claim", kwargs={"public_id": claim.public_id})
    form = forms.ClaimDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.claim_decide(claim=claim, paid=data["outcome"] == "paid", decided_on=data["decided_on"],
                                  note=data["note"], by=request.membership)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Claim marked {claim.get_status_display().lower()}.")
            return redirect(back)
    return _page(request, "outcomes/claim_form.html", {
        "enrolment": claim.enrolment, "claim": claim, "back": back, "title": "Record the decision on the claim",
        "button": "Save the decision"}, form)
