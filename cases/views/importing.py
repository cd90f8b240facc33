"""The migration import page: upload a previous system's referrals and cases, see every problem or what was made."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from earlyhelp.models import Team
from earlyhelp.permissions import Capability, require_capability
from earlyhelp.spreadsheets import CSV_CONTENT_TYPE, MAX_UPLOAD_BYTES, XLSX_CONTENT_TYPE, Problem

from .. import forms, services
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
            else:
                outcome = services.case_records_import(data=upload.read(), filename=upload.name, actor=request.user)
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
