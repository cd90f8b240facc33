"""Outcomes pages. Thin: parse the request, call a selector, a service or a statistic, render. Cases are
fetched through ``cases.selectors.case_get`` (404 for another tenant's case, 403 for roles that may not see
child records); the dashboard shows aggregates only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cases import selectors as case_selectors
from earlyhelp.audit import record_read
from earlyhelp.forms import show_service_errors as _form_errors
from earlyhelp.permissions import Capability, require_capability

from .. import charts, forms, selectors, services
from .. import dashboard as dashboard_data
from ..models import DistanceTool, FamilyOutcome, Reading, Stage

VIEW = Capability.VIEW_CHILD_RECORDS
EDIT = Capability.EDIT_CHILD_RECORDS


@require_capability(VIEW)
def case_list(request):
    """The member's cases (open and closed) with a link to each one's outcomes page."""
    load = case_selectors.caseload(membership=request.membership, scope=request.GET.get("scope", "mine"),
                                   include_closed=True)
    return render(request, "outcomes/case_list.html", {"load": load})


@require_capability(VIEW)
def case_outcomes(request, public_id):
    case = case_selectors.case_get(membership=request.membership, public_id=public_id)
    record_read(action="outcomes.case_viewed", by=request.membership, obj=case)
    page = selectors.case_outcomes_page(case=case)
    for group in page["groups"]:
        group.chart = charts.radar_svg(labels=group.labels, series=group.series(), scale_min=group.tool.scale_min,
                                       scale_max=group.tool.scale_max)
    return render(request, "outcomes/case_outcomes.html", {"case": case, **page})


@require_capability(EDIT)
def reading_new(request, public_id):
    """Record a reading. Without ``?tool=`` the tools are offered; "Preview the chart" redraws the radar of the
    start reading and the scores entered, without saving (no JavaScript needed)."""
    case = case_selectors.case_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:case", kwargs={"public_id": case.public_id})
    code = request.GET.get("tool") or request.POST.get("tool")
    if not code:
        tools = DistanceTool.objects.filter(is_active=True)
        return render(request, "outcomes/tool_choice.html", {"case": case, "tools": tools, "back": back})
    tool = get_object_or_404(DistanceTool, code=code, is_active=True)
    areas = selectors.current_areas(tool)
    form = forms.ReadingForm(request.POST or None, tool=tool, case=case, areas=areas)
    chart = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = data.get("person")
        if request.POST.get("action") == "save":
            try:
                services.reading_record(case=case, tool=tool, person=person, stage=data["stage"],
                                        taken_on=data["taken_on"], scores=form.scores(), notes=data["notes"],
                                        by=request.membership)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"{tool.name} reading recorded.")
                return redirect(back)
        if not form.errors:
            chart = _preview(case, tool, person, areas, form.scores())
    return render(request, "outcomes/reading_form.html", {
        "case": case, "tool": tool, "form": form, "chart": chart, "back": back,
        "forms_with_errors": [form] if form.errors else [],
    })


def _preview(case, tool, person, areas, scores) -> str:
    labels = [a.label for a in areas]
    series = []
    start = Reading.objects.filter(case=case, tool=tool, person=person, stage=Stage.START).first()
    if start is not None:
        by_key = dict(start.scores.values_list("area__key", "score"))
        series.append((f"Start ({start.taken_on:%d %b %Y})", [by_key.get(a.key) for a in areas]))
    series.append(("Scores entered", [scores.get(a.key) for a in areas]))
    return charts.radar_svg(labels=labels, series=series, scale_min=tool.scale_min, scale_max=tool.scale_max)


@require_capability(EDIT)
def family_outcomes(request, public_id):
    case = case_selectors.case_get(membership=request.membership, public_id=public_id)
    back = reverse("outcomes:case", kwargs={"public_id": case.public_id})
    current = dict(case.family_outcomes.values_list("outcome_id", "progress"))
    outcomes = FamilyOutcome.objects.filter(is_active=True) | FamilyOutcome.objects.filter(pk__in=list(current))
    form = forms.FamilyOutcomesForm(request.POST or None, outcomes=outcomes.distinct(), current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_outcomes_record(case=case, progress=form.progress(), by=request.membership)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Family outcomes recorded.")
            return redirect(back)
    return render(request, "outcomes/family_outcomes_form.html", {
        "case": case, "form": form, "back": back, "forms_with_errors": [form] if form.errors else [],
    })


@require_capability(Capability.VIEW_STATISTICS)
def dashboard(request):
    """The performance framework for a chosen quarter beside the four before it: aggregates only."""
    latest = dashboard_data.latest_quarter()
    form = forms.DashboardForm(request.GET or None, latest=latest)
    data = form.cleaned_data if form.is_valid() else {}
    quarter = form.quarters.get(data.get("quarter")) or latest
    board = dashboard_data.dashboard_figures(quarter=quarter, team=data.get("team"), locality=data.get("locality"))
    rows = []
    for s_index, section in enumerate(board.current.sections):
        rows.append({"section": section, "measures": [
            {"measure": m, "history": [f.sections[s_index].measures[m_index] for f in board.frameworks]}
            for m_index, m in enumerate(section.measures)]})
    return render(request, "outcomes/dashboard.html", {
        "form": form, "quarter": quarter, "quarters": [str(q) for q in board.quarters],
        "framework": board.current, "rows": rows, "chart_rates": board.chart_rates,
        "chart_counts": board.chart_counts, "programme": board.programme,
        "programme_enabled": request.tenant.supporting_families_enabled,
        "national_framework": board.national_framework,
    })
