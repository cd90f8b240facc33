"""A council's public pages, open to anyone: its published reports (``/public/<council slug>/reports/``) and
"Check a report".

No sign-in. Each view enters the tenant named by the slug and reads only its publications that are on the public
pages, so another council's publication, an unpublished run or a publication not opted in is 404, and a
withdrawn one is 410 Gone. Files are served exactly as frozen when published.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context

from . import publishing, rendering
from .figures_table import figures_csv, figures_open_data
from .forms import ReportCheckForm
from .models import Publication
from .selectors import rendered_run_by_pdf_sha256

_STYLE = re.compile(rb"<style>(.*?)</style>", re.S)


def _gone(request, tenant, publication: Publication):
    return render(request, "reporting/public/withdrawn.html", {"council": tenant, "publication": publication,
                                                               "later": publishing.later_version(publication)},
                  status=410)


@require_safe
def report_list(request, tenant_slug):
    tenant = publishing.public_tenant(tenant_slug)
    with tenant_context(tenant):
        publications = list(publishing.public_publications())
    return render(request, "reporting/public/list.html", {"council": tenant, "publications": publications})


@require_safe
def report(request, tenant_slug, public_id):
    tenant = publishing.public_tenant(tenant_slug)
    with tenant_context(tenant):
        publication = publishing.public_publication(public_id)
        if publication.is_withdrawn:
            return _gone(request, tenant, publication)
        return render(request, "reporting/public/report.html", {
            "council": tenant, "publication": publication, "later": publishing.later_version(publication)})


@require_safe
def report_pdf(request, tenant_slug, public_id):
    tenant = publishing.public_tenant(tenant_slug)
    with tenant_context(tenant):
        publication = publishing.public_publication(public_id)
        if publication.is_withdrawn:
            return _gone(request, tenant, publication)
        return FileResponse(publication.pdf.open("rb"), content_type="application/pdf",
                            filename=f"{publication.title[:60]} v{publication.version}.pdf".replace("/", "-"))


@require_safe
def report_html(request, tenant_slug, public_id):
    """The frozen HTML edition, byte for byte. Its one <style> element is allowed by its hash, so the page keeps
    the app's Content-Security-Policy with no 'unsafe-inline'."""
    tenant = publishing.public_tenant(tenant_slug)
    with tenant_context(tenant):
        publication = publishing.public_publication(public_id)
        if publication.is_withdrawn:
            return _gone(request, tenant, publication)
        with publication.html.open("rb") as handle:
            content = handle.read()
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    styles = [base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() for m in _STYLE.finditer(content)]
    response._csp_update = {"style-src": [f"'sha256-{digest}'" for digest in styles]}
    return response


def _published_figures(tenant_slug, public_id):
    """The council, its publication (404 unless on its public pages) and the published run's snapshot."""
    tenant = publishing.public_tenant(tenant_slug)
    with tenant_context(tenant):
        publication = publishing.public_publication(public_id)
        snapshot = publication.run.snapshot
    return tenant, publication, snapshot


def _figures_name(publication, extension: str) -> str:
    return re.sub(r'[/\\"\r\n]', "-", f"{publication.title[:60]} v{publication.version} figures.{extension}")


@require_safe
def report_figures_csv(request, tenant_slug, public_id):
    """Open data: every figure the published report prints, one row each (measure, period, scope, numerator,
    base, value, suppressed, reason, definition id) — worked out from the run's snapshot, the same cells as the
    PDF, so nothing the PDF hides is in it."""
    tenant, publication, snapshot = _published_figures(tenant_slug, public_id)
    if publication.is_withdrawn:
        with tenant_context(tenant):
            return _gone(request, tenant, publication)
    response = HttpResponse(figures_csv(snapshot), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_figures_name(publication, "csv")}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def report_figures_json(request, tenant_slug, public_id):
    """Open data as JSON: the publication, a data dictionary, the appendix's definitions and the figures."""
    tenant, publication, snapshot = _published_figures(tenant_slug, public_id)
    if publication.is_withdrawn:
        with tenant_context(tenant):
            return _gone(request, tenant, publication)
    _, definitions, _ = rendering.render_bodies(snapshot)
    about = {"council": tenant.name, "title": publication.title, "version": publication.version,
             "published_on": publication.published_on.isoformat(), "committee": publication.committee,
             "item_number": publication.item_number, "period": snapshot["period"],
             "report_pdf_sha256": publication.pdf_sha256,
             "licence": "Open Government Licence v3.0"}
    response = HttpResponse(figures_open_data(snapshot, about=about, definitions=definitions),
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def check_report(request, tenant_slug):
    council = get_object_or_404(Tenant.objects.all(), slug=tenant_slug)
    form = ReportCheckForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    answer = None
    status = 200
    if request.method == "POST":
        if is_ratelimited(request, group="reporting.check_report", key="ip", rate=settings.REPORT_CHECK_RATE,
                          method="POST", increment=True):
            return render(request, "reporting/check_report.html", {"council": council, "form": form,
                                                                    "limited": True}, status=429)
        if form.is_valid():
            sha256 = form.sha256_of_input()
            with tenant_context(council):
                run = rendered_run_by_pdf_sha256(sha256)
                answer = {"sha256": sha256, "found": run is not None, "run": run,
                          "report": run.parameters if run else None}
        else:
            status = 400
    return render(request, "reporting/check_report.html", {"council": council, "form": form, "answer": answer},
                  status=status)
