"""The statutory returns page (performance officer): ask for the CIN census, the SSD tables or Annex A list 2,
watch the background job, download the file. Thin over ``cases.statutory.jobs``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from earlyhelp.permissions import Capability, require_capability

from ..models import StatutoryReturnJob
from ..statutory import forms
from ..statutory.jobs import statutory_return_downloaded, statutory_return_request

RETURNS = Capability.STATUTORY_RETURNS
Kind = StatutoryReturnJob.Kind
FORMS = {Kind.CIN_CENSUS: forms.CinCensusForm, Kind.SSD: forms.SsdForm, Kind.ANNEX_A: forms.AnnexAForm}


@require_capability(RETURNS)
def statutory_returns(request):
    """GET: the three returns and the latest jobs; POST (``kind``): queue one and show its progress page."""
    kind = request.POST.get("kind") if request.method == "POST" else None
    if request.method == "POST" and kind not in FORMS:
        raise Http404("No such return")
    bound = {k: form_class(request.POST if k == kind else None, prefix=k) for k, form_class in FORMS.items()}
    last_census = StatutoryReturnJob.objects.filter(kind=Kind.CIN_CENSUS).order_by("-created_at").first()
    if last_census and not bound[Kind.CIN_CENSUS].is_bound:  # the council's LA number, as last given
        bound[Kind.CIN_CENSUS].initial["la_number"] = last_census.parameters.get("la_number", "")
    if kind and bound[kind].is_valid():
        try:
            job = statutory_return_request(by=request.membership, kind=kind, parameters=bound[kind].cleaned_data)
        except ValidationError as error:
            bound[kind].add_error(None, error)
        else:
            return redirect("cases:statutory-return", public_id=job.public_id)
    jobs = StatutoryReturnJob.objects.select_related("requested_by")[:20]
    return render(request, "cases/statutory_returns.html", {
        "cin": bound[Kind.CIN_CENSUS], "ssd": bound[Kind.SSD], "annex": bound[Kind.ANNEX_A], "jobs": jobs,
        "forms_with_errors": [f for f in bound.values() if f.errors],
    }, status=400 if kind else 200)


@require_capability(RETURNS)
def statutory_return(request, public_id):
    """One return's progress (the page refreshes itself while it builds), then its download or why it failed."""
    job = get_object_or_404(StatutoryReturnJob.objects.select_related("requested_by"), public_id=public_id)
    return render(request, "cases/statutory_return.html", {"job": job})


@require_capability(RETURNS)
def statutory_return_download(request, public_id):
    job = get_object_or_404(StatutoryReturnJob.objects, public_id=public_id)
    if not job.is_downloadable:
        raise Http404("This return is not ready or has expired.")
    statutory_return_downloaded(by=request.membership, job=job)
    content_type = {Kind.CIN_CENSUS: "application/xml", Kind.SSD: "application/zip",
                    Kind.ANNEX_A: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[job.kind]
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
