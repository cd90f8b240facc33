"""The tenant's home page, switching tenant, health, and the tenant administrator's data export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from . import selectors
from .data_exports import data_export_downloaded, data_export_request
from .home import home_panels
from .middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from .models import DataExport
from .permissions import Capability, has_capability, require_capability


def home(request):
    """What the member does now: the panels the apps register for their role (caseload and tasks, team drift,
    returns due, report runs), then the authority's own: administration for a tenant administrator, the latest
    audit entries for an auditor."""
    membership = request.membership
    context = {
        "panels": [render_to_string(panel["template"], panel, request=request) for panel in home_panels(request)],
        "my_teams": membership.teams.all(),
        "administers": has_capability(membership, Capability.ADMINISTER_TENANT),
    }
    if context["administers"]:
        context["teams"] = selectors.teams_with_member_counts()
        context["localities"] = selectors.localities()
    if has_capability(membership, Capability.VIEW_AUDIT_LOG):
        context["recent_events"] = selectors.recent_audit_events()
    return render(request, "earlyhelp/home.html", context)


def switch_tenant(request):
    """Make another of the user's memberships the active one (POST ``membership``: its public id)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    chosen = request.POST.get("membership", "")
    match = next((m for m in request.memberships if str(m.public_id) == chosen), None)
    if match is None:
        raise Http404("No such membership")
    request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = str(match.public_id)
    messages.success(request, f"You are now working in {match.tenant.name}.")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_capability(Capability.ADMINISTER_TENANT)
def data_exports(request):
    """The tenant administrator's full data export: the list of exports, and (POST) ask for a new one."""
    if request.method == "POST":
        try:
            data_export_request(by=request.membership)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Export requested. It is prepared in the background: check this page for "
                                      "the download link.")
        return redirect("data-exports")
    exports = list(DataExport.objects.select_related("requested_by")[:20])
    return render(request, "earlyhelp/data_exports.html", {
        "exports": exports, "pending": any(e.is_pending for e in exports), "days": settings.DATA_EXPORT_DAYS})


@require_capability(Capability.ADMINISTER_TENANT)
def data_export_download(request, public_id):
    export = get_object_or_404(DataExport.objects, public_id=public_id)
    if not export.is_downloadable:
        raise Http404("This export is not ready or has expired.")
    data_export_downloaded(export=export, by=request.membership)
    name = f"{request.tenant.slug}-export-{export.created_at:%Y%m%d-%H%M}.zip"
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=name,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
