"""Family Help pages on a case: section 17 episodes, family meetings (family group decision making) and the
step-up to a multi-agency child protection team. Thin over ``cases.services.familyhelp``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from earlyhelp.audit import record_read
from earlyhelp.permissions import require_capability

from .. import forms, selectors, services
from ..models import FamilyMeeting, PreProceedings, Section17Episode
from .casework import VIEW, _case_record_view


@require_capability(VIEW)
def family_help(request, public_id):
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    record_read(action="case.family_help_viewed", by=request.membership, obj=case)
    return render(request, "cases/family_help.html", {
        "case": case, **selectors.family_help_page(case=case),
        "family_help": services.is_family_help(request.tenant)})


section17_start = _case_record_view(
    forms.Section17StartForm, "Start section 17 (child in need)",
    lambda case, form, request: services.section17_start(case=case, by=request.membership, **form.cleaned_data),
    success="Section 17 started: the case keeps its assessment, plan and chronology.",
    intro=lambda case: "The case stays one case: its assessment, plan, chronology and lead practitioner history "
                       "carry on under section 17.",
)


def _episode(case, episode_id):
    return {"episode": get_object_or_404(Section17Episode, case=case, public_id=episode_id)}


section17_end = _case_record_view(
    forms.Section17EndForm, "End section 17",
    lambda case, form, request, episode: services.section17_end(episode=episode, by=request.membership,
                                                                **form.cleaned_data),
    prepare=lambda case, request, episode_id: _episode(case, episode_id),
    form_kwargs=lambda case, **_: {},
    success="Section 17 ended: the case carries on as targeted Family Help.",
)


@require_capability(VIEW)
def family_meetings(request, public_id):
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    record_read(action="case.family_meetings_viewed", by=request.membership, obj=case)
    meetings = FamilyMeeting.objects.filter(case=case).prefetch_related("network_members").order_by("-offered_on")
    return render(request, "cases/family_meetings.html", {"case": case, "meetings": list(meetings)})


def _meeting_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["network_members"] = list(data["network_members"])
    return data


family_meeting_offer = _case_record_view(
    forms.FamilyMeetingForm, "Offer a family meeting",
    lambda case, form, request: services.family_meeting_offer(case=case, by=request.membership,
                                                              **_meeting_data(form)),
    form_kwargs=lambda case, **_: {"case": case},
    success="Family meeting offered.",
    intro=lambda case: "A family group decision making meeting (s31ZA Children Act 1989) brings the family and "
                       "their network together to make a plan for the children.",
)


def _meeting(case, meeting_id):
    return {"meeting": get_object_or_404(FamilyMeeting, case=case, public_id=meeting_id)}


family_meeting_update = _case_record_view(
    forms.FamilyMeetingForm, "Update the family meeting",
    lambda case, form, request, meeting: services.family_meeting_update(meeting=meeting, by=request.membership,
                                                                        **_meeting_data(form)),
    prepare=lambda case, request, meeting_id: _meeting(case, meeting_id),
    form_kwargs=lambda case, meeting: {"case": case, "meeting": meeting},
    success="Family meeting updated.",
)

step_up_macpt = _case_record_view(
    forms.StepUpMacptForm, "Step up to a multi-agency child protection team",
    lambda case, form, request: services.step_up_macpt_record(case=case, by=request.membership,
                                                              **form.cleaned_data),
    success="Step-up recorded: the case keeps one chronology; record the step-down here when it comes.",
    intro=lambda case: "Section 16EA Children Act 2004: child protection is led by the multi-agency child "
                       "protection team. Name the lead child protection practitioner.",
)


pre_proceedings_start = _case_record_view(
    forms.PreProceedingsForm, "Begin pre-proceedings",
    lambda case, form, request: services.pre_proceedings_start(case=case, by=request.membership,
                                                               **form.cleaned_data),
    success="Pre-proceedings recorded.",
    intro=lambda case: "Pre-proceedings (the Public Law Outline) before care proceedings. These dates are the "
                       "CIN census 2026/27 Module 5 items; the letter before proceedings is recorded on the "
                       "family meeting it offered.",
)


def _pre_proceedings(case, record_id):
    return {"record": get_object_or_404(PreProceedings, case=case, public_id=record_id)}


pre_proceedings_update = _case_record_view(
    forms.PreProceedingsForm, "Update pre-proceedings",
    lambda case, form, request, record: services.pre_proceedings_update(record=record, by=request.membership,
                                                                        **form.cleaned_data),
    prepare=lambda case, request, record_id: _pre_proceedings(case, record_id),
    form_kwargs=lambda case, record: {"record": record},
    success="Pre-proceedings updated.",
)
