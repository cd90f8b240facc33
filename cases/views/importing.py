"""The migration import page: upload a previous system's referrals and cases, see every problem or what was made."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from earlyhelp.models import Team
from earlyhelp.permissions import Capability, require_capability
from earlyhelp.spreadsheets import CSV_CONTENT_TYPE, MAX_UPLOAD_BYTES, XLSX_CONTENT_TYPE, Problem

from .. import forms, services
from ..import_jobs import case_import_request
from ..models import CaseImportJob
from ..resources import import_template
from ..services.importing import COLUMN_HELP, REQUIRED_COLUMNS

IMPORT = Capability.IMPORT_CASE_RECORDS


@require_capability(IMPORT)
def case_import(request):
    """GET: the upload form and the columns; POST: check the whole file and import it only if it is all valid."""
    posted = request.method == "POST"
    form = forms.CaseImportForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[Problem] = []
    outcome = None
    status = 200
    if posted:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                problems = [Problem(0, "", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")]
            elif upload.size > settings.IMPORT_BACKGROUND_BYTES:  # a worker imports it; the page shows progress
                try:
                    job = case_import_request(by=request.membership, data=upload.read(), filename=upload.name)
                except ValidationError as error:
                    problems = [Problem(0, "", m) for m in error.messages]
                else:
                    return redirect("cases:import-job", job_id=job.public_id)
            else:
                outcome = services.case_records_import(data=upload.read(), filename=upload.name, by=request.membership)
                problems = outcome.problems
        if problems or form.errors:
            status = 400
    columns = [{"name": name, "help": help_text, "required": name in REQUIRED_COLUMNS}
               for name, help_text in COLUMN_HELP.items()]
    return render(request, "cases/import.html", {
        "form": form, "problems": problems, "outcome": outcome if outcome and outcome.ok else None,
        "columns": columns, "forms_with_errors": [form] if form.errors else [],
    }, status=status)


@require_capability(IMPORT)
def case_import_job(request, job_id):
    """A background import's progress (the page refreshes itself while it runs), then what it created or every
    problem by row and column, as the import page shows them."""
    job = get_object_or_404(CaseImportJob.objects.select_related("requested_by").defer("data"), public_id=job_id)
    problems = [Problem(p["row"], p["column"], p["message"]) for p in job.problems]
    return render(request, "cases/import_job.html", {"job": job, "problems": problems})


@require_capability(IMPORT)
def case_import_template(request):
    """The import template with an example row: ``?format=csv`` (the default) or ``?format=xlsx``."""
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404("Templates are CSV or XLSX")
    team = request.membership.teams.order_by("name").first() or Team.objects.order_by("name").first()
    response = HttpResponse(import_template(file_format, team_name=team.name if team else ""),
                            content_type=XLSX_CONTENT_TYPE if file_format == "xlsx" else CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="early-help-import-template.{file_format}"'
    return response
