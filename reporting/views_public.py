"""Public pages of a council, no sign-in: "Check a report".

A reader with a PDF in hand (or its SHA-256) asks whether it is one of this council's committee reports. The
answer is the report's title, committee, meeting date, run and date of rendering, or that it is not one of the
council's; nothing else is listed or revealed, the two answers have the same shape, and each address may ask a
limited number of times (``REPORT_CHECK_RATE``).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django_ratelimit.core import is_ratelimited

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context

from .forms import ReportCheckForm
from .selectors import rendered_run_by_pdf_sha256


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
