"""Pages for the records of practice on a case: consent and information sharing, notes and the case summary,
supervision, allocation and transfer, interventions and documents; and each member's task list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit import record_read
from earlyhelp.permissions import Capability, require_capability

from .. import forms, reminders, selectors, services
from ..models import CaseDocument, CaseNote, Consent, Intervention
from .casework import EDIT, VIEW, _case_record_view, _form_errors, _render_form

MANAGE = Capability.MANAGE_TEAM


# Consent ------------------------------------------------------------------------------------------------------


@require_capability(EDIT)
def referral_consent(request, public_id):
    """Record the family's consent from the referral, before a case is opened."""
    referral = selectors.referral_get(membership=request.membership, public_id=public_id)
    form = forms.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(family=referral.family, referral=referral, by=request.membership,
                                    **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("cases:referral", public_id=referral.public_id)
    back = reverse("cases:referral", kwargs={"public_id": referral.public_id})
    return _render_form(request, form, title="Record consent", back=back, caption=str(referral.family))


def _consent(case, form, request):
    consent = services.consent_record(family=case.family, referral=case.referral, by=request.membership,
                                      **form.cleaned_data)
    if (consent.scope == Consent.Scope.EARLY_HELP and consent.status == Consent.Status.WITHDRAWN
            and case.closed_on is None):
        return "Consent to early help withdrawn. The case should now be closed: record the closure summary."
    return "Consent recorded."


consent_record = _case_record_view(forms.ConsentForm, "Record consent", _consent)
information_share = _case_record_view(
    forms.InformationShareForm, "Record information shared",
    lambda case, form, request: services.information_share_record(case=case, by=request.membership,
                                                                   **form.cleaned_data),
    success="Information sharing recorded.",
)


# Notes, chronology and the case summary ------------------------------------------------------------------------


@require_capability(VIEW)
def case_notes(request, public_id):
    """Every contact and note of a case with its addenda. Reading notes is audited."""
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    notes = selectors.case_notes(case=case)
    now = timezone.now()
    for note in notes:
        note.editable = services.note_is_editable(note, by=request.membership, now=now)
    response = render(request, "cases/notes.html", {"case": case, "notes": notes})
    # A view is a read row (earlyhelp.audit.record_read): outside the chain, without the council's chain lock.
    record_read(action="case_notes.viewed", by=request.membership, obj=case, detail={"notes": len(notes)})
    return response


def _note(case, request, note_id):
    return {"note": get_object_or_404(CaseNote, case=case, public_id=note_id)}


note_add = _case_record_view(
    forms.CaseNoteForm, "Record a contact or note",
    lambda case, form, request: services.case_note_record(case=case, by=request.membership, **form.cleaned_data),
    success="Note recorded.",
)


def _note_editable(case, request, note_id):
    note = get_object_or_404(CaseNote, case=case, public_id=note_id)
    if not services.note_is_editable(note, by=request.membership):
        messages.info(request, "Notes can be corrected by their author for 24 hours only: add an addendum instead.")
        return redirect("cases:note-addendum", public_id=case.public_id, note_id=note.public_id)
    return {"note": note}


def _note_initial(case, note):
    initial = {name: getattr(note, name) for name in services.notes.NOTE_FIELDS}
    initial["occurred_at"] = timezone.localtime(note.occurred_at).strftime("%Y-%m-%dT%H:%M")
    return {"initial": initial}


note_edit = _case_record_view(
    forms.CaseNoteForm, "Correct a note",
    lambda case, form, request, note: services.case_note_edit(note=note, by=request.membership, **form.cleaned_data),
    prepare=_note_editable, form_kwargs=_note_initial, success="Note corrected.",
)
note_addendum = _case_record_view(
    forms.AddendumForm, "Add an addendum",
    lambda case, form, request, note: services.case_note_addendum_add(note=note, by=request.membership,
                                                                      **form.cleaned_data),
    prepare=_note, success="Addendum added.",
    intro=lambda case, note: f"To the {note.get_kind_display().lower()} of {note.occurred_at:%d %B %Y}.",
)
case_summary = _case_record_view(
    forms.CaseSummaryForm, "Update the case summary",
    lambda case, form, request: services.case_summary_update(case=case, by=request.membership, **form.cleaned_data),
    form_kwargs=lambda case: {"initial": {"summary": case.summary}}, success="Case summary updated.",
)


# Supervision, allocation and transfer (managers) ----------------------------------------------------------------

supervision_record = _case_record_view(
    forms.SupervisionForm, "Record supervision",
    lambda case, form, request: services.supervision_record(case=case, by=request.membership, **form.cleaned_data),
    capability=MANAGE, success="Supervision recorded.",
)
case_allocate = _case_record_view(
    forms.AllocateForm, "Allocate the case",
    lambda case, form, request: services.case_allocate(case=case, by=request.membership, **form.cleaned_data),
    capability=MANAGE, success="Case allocated.", form_kwargs=lambda case, **_: {"case": case},
)
case_transfer = _case_record_view(
    forms.TransferForm, "Transfer the case",
    lambda case, form, request: services.case_transfer(case=case, by=request.membership, **form.cleaned_data),
    capability=MANAGE, success="Case transferred.",
)


# Interventions ------------------------------------------------------------------------------------------------

intervention_refer = _case_record_view(
    forms.InterventionForm, "Refer to a commissioned service",
    lambda case, form, request: services.intervention_refer(case=case, by=request.membership, **form.cleaned_data),
    success="Referral to the service recorded.",
)


def _intervention(case, request, intervention_id):
    return {"intervention": get_object_or_404(Intervention.objects.select_related("service"), case=case,
                                              public_id=intervention_id)}


intervention_dates = _case_record_view(
    forms.InterventionDatesForm, "Record the service's start and end",
    lambda case, form, request, intervention: services.intervention_dates_record(
        intervention=intervention, by=request.membership, **form.cleaned_data),
    prepare=_intervention, success="Dates recorded.",
    form_kwargs=lambda case, intervention: {"initial": {"started_on": intervention.started_on,
                                                        "ended_on": intervention.ended_on}},
    intro=lambda case, intervention: f"{intervention.service}, referred on {intervention.referred_on:%d %B %Y}.",
)


# Documents ----------------------------------------------------------------------------------------------------

document_upload = _case_record_view(
    forms.DocumentForm, "Upload a document",
    lambda case, form, request: services.document_upload(case=case, by=request.membership, **form.cleaned_data),
    success="Document uploaded.",
)


@require_capability(VIEW)
def document_download(request, public_id, document_id):
    """Stream a document to someone who may see the case; every download is audited."""
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    document = get_object_or_404(CaseDocument, case=case, public_id=document_id)
    handle = services.document_download(document=document, by=request.membership)
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The task list --------------------------------------------------------------------------------------------------


@require_capability(VIEW)
def task_list(request):
    tasks = reminders.task_list(membership=request.membership)
    return render(request, "cases/tasks.html", {"tasks": tasks})
