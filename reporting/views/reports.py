"""Committee reports in the browser: write, arrange, render, follow progress, download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability, require_capability

from .. import editions, selectors, services
from .. import sections as registry
from ..figure_changes import changes_since_run
from ..figures_table import figures_csv
from ..forms import ReportForm
from ..models import ReportRun

RUN_REPORTS = Capability.RUN_REPORTS


@require_capability(RUN_REPORTS)
def report_list(request):
    return render(request, "reporting/report_list.html", {"reports": selectors.reports()})


@require_capability(RUN_REPORTS)
def report_create(request):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = services.report_create(by=request.membership, **form.cleaned_data)
        messages.success(request, "Report created. Arrange its sections, then render it.")
        return redirect("reporting:report-detail", public_id=report.public_id)
    return render(request, "reporting/report_form.html", {"form": form, "report": None})


@require_capability(RUN_REPORTS)
def report_edit(request, public_id):
    report = selectors.report_by_public_id(public_id)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        services.report_update(report=report, by=request.membership, **form.cleaned_data)
        messages.success(request, "Report saved.")
        return redirect("reporting:report-detail", public_id=report.public_id)
    return render(request, "reporting/report_form.html", {"form": form, "report": report})


@require_capability(RUN_REPORTS)
def report_detail(request, public_id):
    report = selectors.report_by_public_id(public_id)
    layout = [
        {**item, "section": registry.get(item["key"])} for item in registry.normalise_layout(report.sections)
    ]
    return render(request, "reporting/report_detail.html",
                  {"report": report, "layout": layout, "runs": selectors.runs_of(report)})


@require_capability(RUN_REPORTS)
@require_POST
def report_arrange(request, public_id):
    """Order numbers and include boxes for each section (works without JavaScript)."""
    report = selectors.report_by_public_id(public_id)
    layout = []
    for item in registry.normalise_layout(report.sections):
        key = item["key"]
        raw = request.POST.get(f"order-{key}", "")
        try:
            order = int(raw)
        except ValueError:
            messages.error(request, f"Give a whole number for the position of “{registry.get(key).title}”.")
            return redirect("reporting:report-detail", public_id=report.public_id)
        layout.append((order, {"key": key, "include": request.POST.get(f"include-{key}") == "on"}))
    layout.sort(key=lambda pair: pair[0])
    services.report_arrange_sections(report=report, by=request.membership, layout=[item for _, item in layout])
    messages.success(request, "Sections arranged.")
    return redirect("reporting:report-detail", public_id=report.public_id)


@require_capability(RUN_REPORTS)
@require_POST
def report_render(request, public_id):
    report = selectors.report_by_public_id(public_id)
    run = services.report_run_request(report=report, by=request.membership)
    return redirect("reporting:run-detail", public_id=run.public_id)


@require_capability(RUN_REPORTS)
def run_detail(request, public_id):
    run = selectors.run_by_public_id(public_id)
    return render(request, "reporting/run_detail.html", {"run": run, "changes": changes_since_run(run)})


@require_capability(RUN_REPORTS)
@require_POST
def run_retry(request, public_id):
    run = selectors.run_by_public_id(public_id)
    try:
        services.report_run_retry(run=run, by=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reporting:run-detail", public_id=run.public_id)


@require_capability(RUN_REPORTS)
def run_download(request, public_id):
    run = selectors.run_by_public_id(public_id)
    if run.status != ReportRun.Status.DONE or not run.pdf:
        raise Http404("This run has no PDF yet.")
    record_event(action="report_run.downloaded", by=request.membership, obj=run)
    return FileResponse(run.pdf.open("rb"), as_attachment=True, filename=editions.filename(run, "pdf"),
                        content_type="application/pdf")


def _finished_run(public_id) -> ReportRun:
    run = selectors.run_by_public_id(public_id)
    if run.status != ReportRun.Status.DONE or not run.snapshot:
        raise Http404("This run has not finished.")
    return run


@require_capability(RUN_REPORTS)
def run_html(request, public_id):
    """The accessible HTML edition, read in the app (static stylesheet: the page obeys the CSP)."""
    run = _finished_run(public_id)
    back = {"url": reverse("reporting:run-detail", args=[run.public_id]), "text": "Back to the report run"}
    return HttpResponse(editions.render_edition(run.snapshot, inline_css=False, back_link=back))


@require_capability(RUN_REPORTS)
def run_html_download(request, public_id):
    """The accessible HTML edition as one self-contained .html file."""
    run = _finished_run(public_id)
    record_event(action="report_run.downloaded", by=request.membership, obj=run, detail={"edition": "html"})
    response = HttpResponse(editions.render_edition(run.snapshot, inline_css=True),
                            content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{editions.filename(run, "html")}"'
    return response


@require_capability(RUN_REPORTS)
def run_figures(request, public_id):
    """The run's figures table as CSV: every printed figure with its numerator, base, period, scope, whether it
    was hidden and why, and its definition — worked out again from the run's snapshot, the same bytes each time."""
    run = _finished_run(public_id)
    record_event(action="report_run.figures_downloaded", by=request.membership, obj=run)
    response = HttpResponse(figures_csv(run.snapshot), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{editions.filename(run, "csv")}"'
    return response
