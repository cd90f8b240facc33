"""Browser screens of the commissioning app: thin views over ``selectors``, ``stats`` and ``services``.

Every view checks the member's capability (403) and fetches objects by public id through the scoped selectors
(404 for another tenant's object, or another provider's service for a provider user).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlyhelp.forms import show_service_errors
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Capability, has_capability, require_capability

from . import charts, forms, import_jobs, returns_io, selectors, services, stats
from .models import ReturnStatus

VIEW = Capability.VIEW_COMMISSIONING
MANAGE = Capability.MANAGE_COMMISSIONING
SUBMIT = Capability.SUBMIT_RETURNS


def require_view_or_submit(view):
    """Commissioners and performance officers (view) and provider users (submit) reach service pages; which
    services each sees is then decided by :func:`selectors.services_visible_to`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if not (has_capability(membership, VIEW) or has_capability(membership, SUBMIT)):
            raise PermissionDenied("Your role cannot see commissioned services.")
        return view(request, *args, **kwargs)

    wrapped.required_capability = f"{VIEW}|{SUBMIT}"
    return wrapped


def _today() -> dt.date:
    return timezone.localdate()


def _quarter_from_slug(request, slug: str) -> Quarter:
    """``2014-q2`` → 2014/15 Q2 in the tenant's financial year."""
    try:
        year, number = slug.lower().split("-q")
        return Quarter(int(year), int(number), request.tenant.financial_year_start_month)
    except ValueError as exc:
        raise Http404("No such quarter") from exc


def quarter_slug(quarter: Quarter) -> str:
    return f"{quarter.start_year}-q{quarter.number}"


_apply_errors = show_service_errors


# ---------------------------------------------------------------------------------------------------- dashboard


@require_capability(VIEW)
def dashboard(request):
    """Every service with the chosen quarter's return status and RAG against targets."""
    fy_month = request.tenant.financial_year_start_month
    quarter = selectors.reporting_quarter(_today(), fy_month)
    if request.GET.get("quarter"):
        try:
            quarter = Quarter.parse(request.GET["quarter"], fy_month)
        except ValueError:
            messages.error(request, "Enter a quarter like 2014/15 Q2.")
    rows = []
    for service in selectors.services_visible_to(request.membership).prefetch_related(selectors.kpis_with_versions()):
        kpi_return = selectors.return_of(service, quarter)
        table = stats.kpi_table(service, [quarter])
        rag_counts = {"green": 0, "amber": 0, "red": 0}
        for row in table:
            colour = stats.rag(row, row.cells[0].value)
            if colour:
                rag_counts[colour] += 1
        rows.append({
            "service": service, "state": selectors.return_state(service, kpi_return, quarter, _today()),
            "due": service.due_date(quarter), "rag": rag_counts, "return": kpi_return,
        })
    return render(request, "commissioning/dashboard.html", {
        "quarter": quarter, "quarter_slug": quarter_slug(quarter), "rows": rows,
        "previous": quarter.previous(), "next": quarter.next(), "providers": selectors.providers(),
    })


@require_capability(SUBMIT)
def my_services(request):
    """A provider user's own services (a commissioner sees every service) with their recent returns."""
    quarter = selectors.reporting_quarter(_today(), request.tenant.financial_year_start_month)
    quarters = [quarter.shifted(-i) for i in range(3, -1, -1)]
    rows = []
    for service in selectors.services_visible_to(request.membership):
        cells = []
        for q in quarters:
            kpi_return = selectors.return_of(service, q)
            cells.append({"quarter": q, "slug": quarter_slug(q),
                          "state": selectors.return_state(service, kpi_return, q, _today())})
        rows.append({"service": service, "cells": cells})
    return render(request, "commissioning/my_services.html", {
        "rows": rows, "quarters": quarters, "provider": selectors.provider_of(request.membership),
    })


# ---------------------------------------------------------------------------------------------------- set-up


@require_capability(MANAGE)
def provider_edit(request, provider_id=None):
    provider = selectors.provider_by_public_id(provider_id) if provider_id else None
    form = forms.ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            if provider is None:
                services.provider_create(by=request.membership, **form.cleaned_data)
            else:
                services.provider_update(by=request.membership, provider=provider, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Provider “{form.cleaned_data['name']}” saved.")
            return redirect("commissioning:dashboard")
    return render(request, "commissioning/form.html", {
        "form": form, "title": "Edit provider" if provider else "Add a provider", "submit": "Save provider",
    })


@require_capability(MANAGE)
def provider_users(request, provider_id):
    """The provider's linked users, and a form to link a member with the provider role to it."""
    provider = selectors.provider_by_public_id(provider_id)
    form = forms.ProviderUserLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            services.provider_user_link(by=request.membership, membership=membership, provider=provider)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{membership.user.username} is now linked to {provider.name}.")
            return redirect("commissioning:provider-users", provider_id=provider.public_id)
    return render(request, "commissioning/provider_users.html", {
        "provider": provider, "links": selectors.provider_user_links(provider), "form": form,
    }, status=400 if form.errors else 200)


@require_POST
@require_capability(MANAGE)
def provider_user_unlink(request, provider_id, membership_id):
    provider = selectors.provider_by_public_id(provider_id)
    link = selectors.provider_user_link_for(provider, membership_id)
    username = link.membership.user.username
    services.provider_user_unlink(by=request.membership, link=link)
    messages.success(request, f"{username} is no longer linked to {provider.name}.")
    return redirect("commissioning:provider-users", provider_id=provider.public_id)


@require_capability(MANAGE)
def service_edit(request, service_id=None):
    service = selectors.service_for(request.membership, service_id) if service_id else None
    form = forms.ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            if service is None:
                service = services.service_create(by=request.membership, **form.cleaned_data)
            else:
                service = services.service_update(by=request.membership, service=service, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Service “{service.name}” saved.")
            return redirect("commissioning:service", service_id=service.public_id)
    return render(request, "commissioning/form.html", {
        "form": form, "title": "Edit service" if service else "Add a commissioned service",
        "submit": "Save service", "service": service,
    })


@require_capability(MANAGE)
def kpi_new(request, service_id):
    service = selectors.service_for(request.membership, service_id)
    form = forms.KpiForm(request.POST or None, initial={"higher_is_better": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_define(by=request.membership, service=service, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"KPI “{form.cleaned_data['label']}” added.")
            return redirect("commissioning:service", service_id=service.public_id)
    return render(request, "commissioning/form.html", {
        "form": form, "title": f"Add a KPI to {service.name}", "submit": "Add KPI", "service": service,
    })


@require_capability(MANAGE)
def kpi_edit(request, service_id, kpi_id):
    service = selectors.service_for(request.membership, service_id)
    kpi = selectors.kpi_for(service, kpi_id)
    current = kpi.current
    initial = {"label": current.label, "section": current.section, "target": current.target,
               "red_threshold": current.red_threshold}
    form = forms.KpiVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_relabel(by=request.membership, kpi=kpi, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"KPI “{kpi.code}” has a new version.")
            return redirect("commissioning:service", service_id=service.public_id)
    return render(request, "commissioning/kpi_edit.html", {
        "form": form, "service": service, "kpi": kpi, "versions": kpi.versions.all(),
    })


@require_capability(MANAGE)
def review_new(request, service_id):
    service = selectors.service_for(request.membership, service_id)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_review_record(by=request.membership, service=service, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Service review recorded.")
            return redirect("commissioning:service", service_id=service.public_id)
    return render(request, "commissioning/form.html", {
        "form": form, "title": f"Record a review of {service.name}", "submit": "Record review", "service": service,
    })


# ---------------------------------------------------------------------------------------------------- service page


@require_view_or_submit
def service_detail(request, service_id):
    """Each KPI quarter by quarter (base beside every percentage; small bases flagged), a chart, the returns."""
    service = selectors.service_for(request.membership, service_id)
    fy_month = request.tenant.financial_year_start_month
    current = selectors.reporting_quarter(_today(), fy_month)
    last = current  # the page opens on the quarter being collected now; ?to= looks back
    if request.GET.get("to"):
        try:
            last = min(Quarter.parse(request.GET["to"], fy_month), current)
        except ValueError:
            messages.error(request, "Enter a quarter like 2014/15 Q2.")
    quarters = [last.shifted(-i) for i in range(5, -1, -1)]
    with_returns = stats.quarters_with_returns(service)
    latest_return = with_returns[-1] if with_returns and with_returns[-1] not in quarters else None
    table = stats.kpi_table(service, quarters)
    places = request.tenant.rate_decimal_places
    threshold = request.tenant.small_number_threshold
    footnotes = stats.footnotes(table)
    notes = list(dict.fromkeys(note for _, note in footnotes))  # numbered once each, as the reports do
    display = [_display_row(row, places, threshold, notes) for row in table]
    returns = [
        {"return": r, "slug": quarter_slug(r.quarter),
         "state": selectors.return_state(service, r, r.quarter, _today())}
        for r in service.returns.all().order_by("-fy_start_year", "-quarter_number")
    ]
    return render(request, "commissioning/service.html", {
        "service": service, "quarters": quarters, "rows": display, "footnotes": [
            {"number": n, "note": note, "quarters": [q for q, text in footnotes if text == note]}
            for n, note in enumerate(notes, start=1)],
        "chart": charts.outcome_chart(table, quarters) if quarters else "", "returns": returns,
        "current_slug": quarter_slug(current), "current": current, "threshold": threshold,
        "earlier": quarters[0].previous(), "later": last.shifted(6) if last.shifted(6) <= current else None,
        "latest_return": latest_return, "any_figures": any(c.return_status for r in table for c in r.cells),
        "reviews": selectors.reviews_of(service), "kpis": service.kpis.all(),
        "can_manage": has_capability(request.membership, MANAGE),
    })


def _display_row(row: stats.KpiRow, places: int, threshold: int, notes: list[str]) -> dict:
    cells = []
    for cell in row.cells:
        text, small = "not returned", False
        if cell.base is not None:
            small = cell.base < threshold
            percent = stats.rate(cell.numerator, cell.base, places)
            text = f"{percent}%" if percent is not None else "–"
        elif cell.amount is not None:
            text = f"{cell.amount.normalize():f}"
        elif cell.return_status:
            text = "n/a"
        cells.append({"cell": cell, "text": text, "small": small, "rag": stats.rag(row, cell.value),
                      "note": notes.index(cell.note) + 1 if cell.note in notes else None})
    return {"row": row, "cells": cells}


# ---------------------------------------------------------------------------------------------------- returns


def _return_context(request, service, quarter, **extra) -> dict:
    kpi_return = selectors.return_of(service, quarter)
    membership = request.membership
    values = selectors.values_of(kpi_return) if kpi_return else []
    context = {
        "service": service, "quarter": quarter, "slug": quarter_slug(quarter), "return": kpi_return,
        "values": [{"value": v, "percent": stats.rate(v.numerator, v.base, request.tenant.rate_decimal_places)
                    if v.base else None} for v in values],
        "state": selectors.return_state(service, kpi_return, quarter, _today()),
        "due": service.due_date(quarter),
        "revisions": kpi_return.revisions.select_related("uploaded_by") if kpi_return else [],
        "can_upload": selectors.can_submit_for(membership, service) and (kpi_return is None or kpi_return.is_editable),
        "can_submit": bool(kpi_return) and selectors.can_submit_for(membership, service)
        and kpi_return.is_editable and kpi_return.version > 0,
        "can_decide": bool(kpi_return) and has_capability(membership, MANAGE)
        and kpi_return.status == ReturnStatus.SUBMITTED,
        "can_reopen": bool(kpi_return) and has_capability(membership, MANAGE)
        and kpi_return.status == ReturnStatus.ACCEPTED,
        "upload_form": forms.ReturnUploadForm(), "comment_form": forms.CommentForm(),
        "threshold": request.tenant.small_number_threshold,
    }
    context.update(extra)
    return context


@require_view_or_submit
def return_detail(request, service_id, quarter):
    service = selectors.service_for(request.membership, service_id)
    return render(request, "commissioning/return.html",
                  _return_context(request, service, _quarter_from_slug(request, quarter)))


@require_view_or_submit
def return_template(request, service_id, quarter, file_format):
    if file_format not in ("csv", "xlsx"):
        raise Http404("Templates are CSV or XLSX")
    service = selectors.service_for(request.membership, service_id)
    q = _quarter_from_slug(request, quarter)
    kpi_return = selectors.return_of(service, q)
    rows = returns_io.template_rows(service, q, selectors.values_of(kpi_return) if kpi_return else [])
    content = returns_io.export_template(rows, file_format)
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if file_format == "xlsx"
                    else "text/csv; charset=utf-8")
    response = HttpResponse(content, content_type=content_type)
    filename = f"return_{service.public_id}_{q.start_year}-Q{q.number}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@require_capability(SUBMIT)
def return_upload(request, service_id, quarter):
    service = selectors.service_for(request.membership, service_id)
    q = _quarter_from_slug(request, quarter)
    form = forms.ReturnUploadForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > returns_io.MAX_UPLOAD_BYTES:
            problems = [returns_io.Problem(0, "", "The file is larger than 5 MB")]
        elif upload.size > settings.IMPORT_BACKGROUND_BYTES:  # imported by a worker: the person watches progress
            try:
                job = import_jobs.return_import_request(by=request.membership, service=service, quarter=q,
                                                        data=upload.read(), filename=upload.name)
            except ValidationError as error:
                problems = [returns_io.Problem(0, "", m) for m in error.messages]
            else:
                return redirect("commissioning:import-job", job_id=job.public_id)
        else:
            try:
                outcome = services.return_import(by=request.membership, service=service, quarter=q,
                                                 data=upload.read(), filename=upload.name)
            except services.ReturnWorkflowError as error:
                problems = [returns_io.Problem(0, "", m) for m in error.messages]
            else:
                problems = outcome.problems
                if outcome.ok:
                    messages.success(request, f"The {q} return was uploaded (version {outcome.kpi_return.version}).")
                    return redirect("commissioning:return", service_id=service.public_id, quarter=quarter)
    context = _return_context(request, service, q, upload_form=form, problems=problems)
    return render(request, "commissioning/return.html", context, status=400)


@require_view_or_submit
def import_job_detail(request, job_id):
    """A background import's progress (the page refreshes itself while it runs), then its outcome: the return, or
    every problem by row and column as the upload page lists them."""
    job = selectors.import_job_for(request.membership, job_id)
    return render(request, "commissioning/import_job.html", {
        "job": job, "service": job.service, "quarter": job.quarter, "slug": quarter_slug(job.quarter),
    })


@require_POST
@require_capability(SUBMIT)
def return_action(request, return_id, action):
    kpi_return = selectors.return_for(request.membership, return_id)
    comment = request.POST.get("comment", "")
    actions = {
        "submit": lambda: services.return_submit(by=request.membership, kpi_return=kpi_return),
        "accept": lambda: services.return_accept(by=request.membership, kpi_return=kpi_return, comment=comment),
        "query": lambda: services.return_query(by=request.membership, kpi_return=kpi_return, comment=comment),
        "reopen": lambda: services.return_reopen(by=request.membership, kpi_return=kpi_return, comment=comment),
    }
    if action not in actions:
        raise Http404("No such action")
    try:
        updated = actions[action]()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The return is now {updated.get_status_display().lower()}.")
    url = reverse("commissioning:return", kwargs={"service_id": kpi_return.service.public_id,
                                                  "quarter": quarter_slug(kpi_return.quarter)})
    return redirect(url)
