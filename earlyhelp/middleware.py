"""Enter the signed-in user's tenant for every tenant page, or refuse the page.

Each request gets a request id (also sent back as ``X-Request-ID``) for the audit log. Tenant pages run inside
:func:`earlyhelp.tenancy.tenant_context` for the active membership, kept in the session; a signed-in user with
no active membership gets a 403 page, an anonymous one is sent to sign in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render

from .audit import RequestContext, reset_request_context, set_request_context
from .models import Membership
from .tenancy import set_database_user, tenant_context

ACTIVE_MEMBERSHIP_SESSION_KEY = "earlyhelp_active_membership"

# Paths that are not tenant pages: sign in/out, static files, the platform administrators' site, health
# checks, the API (which enters the tenant context from its own authentication), and the public pages of a
# council chosen by its slug in the path (the Open Referral feed, "Check a report").
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/platform/", "/healthz", "/api/", "/openreferral/", "/public/",
                   "/favicon.ico")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def memberships_of(user) -> list[Membership]:
    """The user's active memberships in every tenant (platform read, allowed by the RLS user policy)."""
    return list(
        Membership.all_tenants.filter(user=user, is_active=True).select_related("tenant").order_by("tenant__name")
    )


def active_membership(request, memberships: list[Membership]) -> Membership | None:
    """The membership chosen in this session, else the user's first (alphabetically by tenant)."""
    chosen = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
    for membership in memberships:
        if str(membership.public_id) == chosen:
            return membership
    return memberships[0] if memberships else None


class NoStoreMiddleware:
    """Pages for signed-in users carry personal data: never store them in a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_context(RequestContext(request_id=request_id, source_ip=client_ip(request)))
        try:
            response = self._handle(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response

    def _handle(self, request):
        request.tenant = None
        request.membership = None
        request.memberships = []
        if request.path.startswith(EXEMPT_PREFIXES) or request.path == "/admin/login/":
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        with transaction.atomic():
            set_database_user(request.user.pk)
            request.memberships = memberships_of(request.user)
            membership = active_membership(request, request.memberships)
            if membership is None:
                if request.user.is_superuser and request.path == "/":  # the platform administrator's home
                    return redirect("platform_admin:index")
                return render(request, "earlyhelp/no_membership.html", status=403)
            request.membership = membership
            request.tenant = membership.tenant
            with tenant_context(membership.tenant):
                return self.get_response(request)
