"""Casework pages. Thin: parse the request, call a selector or a service, render. Objects are fetched by public
id through the scoped managers (another tenant's object is not found: 404); roles are checked by capability."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit import record_event, record_read
from earlyhelp.forms import show_service_errors
from earlyhelp.periods import FinancialYear
from earlyhelp.permissions import Capability, require_capability

from .. import forms, selectors, services, stats
from ..case_file import case_file_pdf
from ..models import Assessment, Plan, PlanAction
from .audits import audit_tables

VIEW = Capability.VIEW_CHILD_RECORDS
EDIT = Capability.EDIT_CHILD_RECORDS


_form_errors = show_service_errors


def _render_form(request, form, *, title: str, case=None, back: str, caption: str = "", intro: str = "",
                 extra: dict | None = None):
    return render(request, "cases/form.html", {
        "form": form, "title": title, "case": case, "back": back, "caption": caption, "intro": intro,
        "forms_with_errors": [form] if form.errors else [], **(extra or {}),
    })


# Caseloads ---------------------------------------------------------------------------------------------------


@require_capability(VIEW)
def caseload(request):
    scope = request.GET.get("scope", "mine")
    form = forms.CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    level = filters.get("level")
    load = selectors.caseload(
        membership=request.membership, scope=scope, search=filters.get("q", ""),
        level_rank=level.rank if level else None, drifting_only=filters.get("drifting", False),
    )
    return render(request, "cases/caseload.html", {"load": load, "form": form})


@require_capability(Capability.MANAGE_TEAM)
def team_view(request):
    workers, load = selectors.team_overview(membership=request.membership)
    drifting = [c for c in load.cases if c.assessment_drift or c.review_overdue]
    overdue = [c for c in load.cases if c.supervision_overdue and c.lead_professional_id]
    year = FinancialYear.containing(timezone.localdate(), request.tenant.financial_year_start_month)
    audits = stats.audit_stats(period=year, teams=request.membership.teams.all())
    return render(request, "cases/team.html", {"workers": workers, "load": load, "drifting_cases": drifting,
                                               "unallocated": selectors.unallocated(load),
                                               "supervision_overdue": overdue, "audit_year": year,
                                               **audit_tables(audits, request.tenant)})


# Referrals ---------------------------------------------------------------------------------------------------


@require_capability(VIEW)
def referral_list(request):
    referrals = selectors.referrals_awaiting_decision(membership=request.membership)
    return render(request, "cases/referral_list.html", {"referrals": referrals})


@require_capability(VIEW)
def referral_detail(request, public_id):
    referral = selectors.referral_get(membership=request.membership, public_id=public_id)
    response = _referral_page(request, referral, forms.DecisionForm())
    # A view is a read row (earlyhelp.audit.record_read): outside the chain, without the council's chain lock.
    record_read(action="referral.viewed", by=request.membership, obj=referral)
    return response


def _referral_page(request, referral, decision_form, status=200):
    return render(request, "cases/referral_detail.html", {
        "referral": referral, "decision_form": decision_form, "cases": referral.cases.all(),
        "consent": services.consent_position(family=referral.family),
        "forms_with_errors": [decision_form] if decision_form.errors else [],
    }, status=status)


@require_capability(EDIT)
def referral_decide(request, public_id):
    referral = selectors.referral_get(membership=request.membership, public_id=public_id)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_decide(referral=referral, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("cases:referral", public_id=referral.public_id)
    return _referral_page(request, referral, form)


@require_capability(EDIT)
def case_open(request, public_id):
    referral = selectors.referral_get(membership=request.membership, public_id=public_id)
    form = forms.CaseOpenForm(request.POST or None, referral=referral, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(referral=referral, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Case opened.")
            return redirect("cases:case", public_id=case.public_id)
    back = reverse("cases:referral", kwargs={"public_id": referral.public_id})
    return _render_form(request, form, title="Open an early help case", back=back, caption=str(referral.family))


# The case page and the records on it --------------------------------------------------------------------------


@require_capability(VIEW)
def case_detail(request, public_id):
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    page = selectors.case_page(case=case)
    response = render(request, "cases/case_detail.html", {
        "case": case, **page, "can_audit": services.case_file_audit_refusal(request.membership, case) is None})
    # Views are read rows (earlyhelp.audit.record_read), outside the chain: no case page of a council waits for
    # another's audit row. (As chained rows they took the council's chain lock, and rendering under it serialised
    # every case page of a council under load: bench/load.py --national.)
    record_read(action="case.viewed", by=request.membership, obj=case)
    if any(e.kind == "note" for e in page["timeline"]):  # significant notes are shown on the chronology
        record_read(action="case_notes.viewed", by=request.membership, obj=case, detail={"significant_only": True})
    return response


@require_capability(VIEW)
def case_file_print(request, public_id):
    """The case file as a PDF, with the family's genogram (cases.case_file). Audited as a print of the case."""
    case = selectors.case_get(membership=request.membership, public_id=public_id)
    pdf = case_file_pdf(case=case)
    # A print is chained (data leaving the system), as the last write: the council's chain lock is held from the
    # append to the commit only, not through the PDF's rendering.
    record_event(action="case.printed", actor=request.user, obj=case, detail={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-file-{case.public_id}.pdf"'
    return response


def _case_record_view(form_class, title: str, save, *, capability: str = EDIT, success: str = "Saved.",
                      form_kwargs=None, prepare=None, intro=None):
    """Build a view showing ``form_class`` for a case and calling ``save(case, form, request, **kwargs)`` on
    submit. ``prepare(case, request, **kwargs)`` may fetch the record the URL names (404 when it is not the
    case's) and return a response to send instead of the form, or extra keyword arguments for ``form_kwargs``
    and ``save``. ``save`` may return a message to show instead of ``success``."""

    @require_capability(capability)
    def view(request, public_id, **kwargs):
        case = selectors.case_get(membership=request.membership, public_id=public_id)
        if prepare is not None:
            prepared = prepare(case, request, **kwargs)
            if isinstance(prepared, HttpResponse):
                return prepared
            kwargs = prepared
        extra = form_kwargs(case, **kwargs) if form_kwargs else {}
        form = form_class(request.POST or None, request.FILES or None, **extra)
        if request.method == "POST" and form.is_valid():
            try:
                message = save(case, form, request, **kwargs)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, message if isinstance(message, str) else success)
                return redirect("cases:case", public_id=case.public_id)
        back = reverse("cases:case", kwargs={"public_id": case.public_id})
        return _render_form(request, form, title=title, case=case, back=back, caption=str(case.family),
                            intro=intro(case, **kwargs) if intro else "")

    return view


def _assessment(case, public_id) -> Assessment:
    return get_object_or_404(Assessment, case=case, public_id=public_id)


assessment_start = _case_record_view(
    forms.AssessmentStartForm, "Start an Early Help Assessment",
    lambda case, form, request: services.assessment_start(case=case, by=request.membership, **form.cleaned_data),
    success="Assessment started.",
)
assessment_complete = _case_record_view(
    forms.AssessmentCompleteForm, "Complete the Early Help Assessment",
    lambda case, form, request, assessment_id: services.assessment_complete(
        assessment=_assessment(case, assessment_id), by=request.membership, **form.cleaned_data),
    success="Assessment completed.",
)
plan_create = _case_record_view(
    forms.PlanForm, "Make a plan",
    lambda case, form, request: services.plan_create(case=case, by=request.membership, **form.cleaned_data),
    success="Plan made: now add its actions.",
)
plan_action_add = _case_record_view(
    forms.PlanGoalForm, "Add a SMART action",
    lambda case, form, request, plan_id: services.plan_goal_add(
        plan=get_object_or_404(Plan, case=case, public_id=plan_id), by=request.membership, **form.cleaned_data),
    success="Action added.", form_kwargs=lambda case, **kwargs: {"case": case},
)


plan_goal_focus = _case_record_view(
    forms.PlanGoalFocusForm, "Who the action is for and its National Framework outcome",
    lambda case, form, request, action: services.plan_goal_focus_set(
        action=action, by=request.membership, **form.cleaned_data),
    success="Action updated.",
    prepare=lambda case, request, action_id: {
        "action": get_object_or_404(PlanAction.objects.select_related("plan__case"), plan__case=case,
                                    public_id=action_id)},
    form_kwargs=lambda case, action: {"case": case, "initial": {
        "people": list(action.people.all()), "nf_outcome": action.nf_outcome}},
    intro=lambda case, action: f"Action: {action.description}",
)
case_children = _case_record_view(
    forms.CaseChildrenForm, "Children the case covers",
    lambda case, form, request: services.case_children_set(case=case, by=request.membership, **form.cleaned_data),
    success="Children in scope changed.", form_kwargs=lambda case: {"case": case},
    intro=lambda case: "A case works with the family's children: choose which of them it covers. Goals and "
                       "readings recorded for a child stay on the case.",
)
plan_action_status = _case_record_view(
    forms.PlanActionStatusForm, "Update an action",
    lambda case, form, request, action_id: services.plan_action_update(
        action=get_object_or_404(PlanAction, plan__case=case, public_id=action_id), by=request.membership,
        **form.cleaned_data),
    success="Action updated.",
)
review_record = _case_record_view(
    forms.ReviewForm, "Record a review",
    lambda case, form, request: services.review_record(case=case, by=request.membership, **form.cleaned_data),
    success="Review recorded.",
)
step_change = _case_record_view(
    forms.StepChangeForm, "Record a step-up, step-down or de-escalation",
    lambda case, form, request: services.step_change_record(case=case, by=request.membership, **form.cleaned_data),
    success="Step change recorded.",
)
panel_decision = _case_record_view(
    forms.PanelDecisionForm, "Record a panel decision",
    lambda case, form, request: services.panel_decision_record(case=case, by=request.membership, **form.cleaned_data),
    success="Panel decision recorded.",
)
taf_member_add = _case_record_view(
    forms.TafMemberForm, "Add to the Team Around the Family",
    lambda case, form, request: services.taf_member_add(case=case, by=request.membership, **form.cleaned_data),
    success="Added to the Team Around the Family.",
)


def _close(case, form, request):
    data = dict(form.cleaned_data)
    data = {k: data[k] for k in ("closed_on", "reason", "judgement", "summary", "evidence_reason")}
    services.case_close(case=case, need_progress=form.need_progress(), by=request.membership, **data)


case_close = _case_record_view(forms.ClosureForm, "Close the case", _close, success="Case closed.",
                               form_kwargs=lambda case, **_: {"case": case})


def _feedback(case, form, request):
    data = dict(form.cleaned_data)
    for key in ("treated_with_respect", "listened_to", "helped_with_issues"):
        data[key] = forms.yes_no(data[key])
    services.feedback_record(case=case, by=request.membership, **data)


feedback_record = _case_record_view(forms.FeedbackForm, "Record 'How was it for you' feedback", _feedback,
                                    success="Feedback recorded.")


def _audit(case, form, request):
    data = form.cleaned_data
    grades = {area: data[area] for area in forms.CaseFileAudit.AREAS}
    services.case_file_audit_record(case=case, by=request.membership, audited_on=data["audited_on"], grades=grades,
                                    comments=data["comments"])


def _may_audit(case, request):
    """403 on the form too (not only on saving) for a manager outside the case's team, or its own case."""
    refusal = services.case_file_audit_refusal(request.membership, case)
    if refusal:
        raise PermissionDenied(refusal)
    return {}


case_file_audit = _case_record_view(forms.CaseFileAuditForm, "Audit the case file", _audit, prepare=_may_audit,
                                    capability=Capability.AUDIT_CASE_FILES, success="Case file audit recorded.")
