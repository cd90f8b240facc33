"""The tenant's home page, switching tenant, and health."""

from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import selectors
from .middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from .permissions import Capability, has_capability


def home(request):
    """The signed-in tenant's home page: who you are here, and the teams and localities of the authority."""
    membership = request.membership
    context = {
        "teams": selectors.teams_with_member_counts(),
        "localities": selectors.localities(),
        "my_teams": membership.teams.all(),
    }
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
