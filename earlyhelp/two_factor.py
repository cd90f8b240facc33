"""Two-factor sign-in on every door: one rule for pages, the admin sites and the session-authenticated API.

A signed-in session is *pending* while its user must use two-factor sign-in (``TWO_FACTOR_ENFORCED`` and an
active membership in ``TWO_FACTOR_REQUIRED_ROLES`` in any council, or a platform administrator) and has not
yet entered a code in this session. A pending session reaches only :data:`PENDING_ALLOWED_PREFIXES`; anything
else is a redirect to the code page (pages) or a 401 problem (``/api/``). The rule is applied by
:class:`TwoFactorMiddleware` before any view runs, and again by :class:`VerifiedSessionAuthentication`, which
DRF uses instead of its plain session authentication, so neither path depends on the other.

API clients that send ``Authorization: Bearer …`` are machines, not sessions: their tokens are the second
factor of their own kind (issued by a verified administrator, hashed, scoped, expiring), so the middleware
leaves a request with an Authorization header to the API's token authentication, which never falls back to the
session.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from rest_framework.authentication import SessionAuthentication

from .models import Membership
from .tenancy import set_database_user

# What a pending session may reach: the code page itself, signing out, static files and the health check.
# The Open Referral feed is public (no sign-in); for a pending session it serves exactly what it serves anyone.
PENDING_ALLOWED_PREFIXES = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
    "/favicon.ico",
    "/openreferral/",
    "/public/",
)
API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def must_use_two_factor(user) -> bool:
    """Whether this user's sessions need a second factor (whatever council they have chosen)."""
    if not settings.TWO_FACTOR_ENFORCED or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    with transaction.atomic():
        set_database_user(user.pk)  # row-level security lets a user read only their own memberships
        return Membership.all_tenants.filter(
            user=user, is_active=True, role__in=settings.TWO_FACTOR_REQUIRED_ROLES
        ).exists()


def is_pending(user) -> bool:
    """Signed in with a password only, while two-factor sign-in is required of this user."""
    if not getattr(user, "is_authenticated", False):
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return must_use_two_factor(user)


def pending_problem(request) -> JsonResponse:
    body = {
        "type": "urn:earlyhelp:problem:two_factor_required",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Finish two-factor sign-in (enter the code from your authenticator app at /accounts/two-factor/) "
        "before using the API with this session.",
        "instance": request.path,
    }
    request_id = getattr(request, "request_id", "")
    if request_id:
        body["request_id"] = request_id
    response = JsonResponse(body, status=401, content_type=PROBLEM_CONTENT_TYPE)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class TwoFactorMiddleware:
    """Refuse every URL but :data:`PENDING_ALLOWED_PREFIXES` to a pending session. After ``OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(PENDING_ALLOWED_PREFIXES):
            return self.get_response(request)
        if path.startswith(API_PREFIX) and request.headers.get("Authorization"):
            return self.get_response(request)  # a token caller; see VerifiedSessionAuthentication
        user = getattr(request, "user", None)
        if user is None or not is_pending(user):
            return self.get_response(request)
        if path.startswith(API_PREFIX):
            return pending_problem(request)
        return redirect_to_login(request.get_full_path(), reverse("two-factor"))


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, for sessions that have finished two-factor sign-in when it is required.

    A pending session authenticates as nobody, so the API answers 401/403 exactly as for no session at all.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        # result[0] is the Django request's user, on which OTPMiddleware put ``is_verified``.
        if is_pending(result[0]):
            return None
        return result
