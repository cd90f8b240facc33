"""Scopes: what an API client may do, and the role capability that gives a signed-in member the same right.

A view declares ``required_scopes`` per HTTP method; a value is one scope or a tuple of scopes of which any
one suffices. A method missing from the mapping is refused (fail closed) unless the view marks it ``None``
(any authenticated caller). HEAD and OPTIONS follow GET.
"""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from ..permissions import Capability
from .models import Scope

# For a signed-in member, each scope is granted by any one of these capabilities of their role.
SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {
    Scope.REFERRALS_WRITE: frozenset({Capability.EDIT_CHILD_RECORDS}),
    Scope.REFERRALS_READ: frozenset({Capability.VIEW_CHILD_RECORDS}),
    Scope.CASES_READ: frozenset({Capability.VIEW_CHILD_RECORDS}),
    Scope.READINGS_WRITE: frozenset({Capability.EDIT_CHILD_RECORDS}),
    Scope.READINGS_READ: frozenset({Capability.VIEW_CHILD_RECORDS}),
    Scope.RETURNS_WRITE: frozenset({Capability.SUBMIT_RETURNS}),
    # Providers read their own returns' status; which returns is the commissioning selectors' business.
    Scope.RETURNS_READ: frozenset({Capability.SUBMIT_RETURNS, Capability.VIEW_COMMISSIONING}),
    Scope.STATS_READ: frozenset({Capability.VIEW_STATISTICS}),
    # Unsuppressed small numbers: the performance officers who produce reports, not every statistics reader.
    Scope.STATS_EXEMPT: frozenset({Capability.RUN_REPORTS}),
    Scope.REPORTS_WRITE: frozenset({Capability.RUN_REPORTS}),
    Scope.REPORTS_READ: frozenset({Capability.RUN_REPORTS}),
    # Merging records of a person is a team manager's decision, in the browser and through the API alike.
    Scope.PEOPLE_MERGE: frozenset({Capability.MANAGE_TEAM}),
    # A partner's system asks, under an agreement; no member's role holds this capability.
    Scope.PERSON_INFO_QUERY: frozenset({Capability.QUERY_PERSON_INFO}),
}

ANY_AUTHENTICATED = None


def scopes_of(required: str | tuple[str, ...]) -> tuple[str, ...]:
    return (required,) if isinstance(required, str) else tuple(required)


def required_scopes_for(view, method: str) -> str | tuple[str, ...] | None:
    """The scope(s) ``view`` needs for ``method``; raises KeyError when the view did not say (refused)."""
    mapping = getattr(view, "required_scopes", {})
    method = "GET" if method in ("HEAD", "OPTIONS") else method
    return mapping[method]


class MissingScope(PermissionDenied):
    default_code = "missing_scope"

    def __init__(self, scopes: tuple[str, ...]):
        self.missing_scopes = list(scopes)
        if len(scopes) == 1:
            detail = f"This needs the scope {scopes[0]}."
        else:
            detail = f"This needs one of the scopes {', '.join(scopes)}."
        super().__init__(detail=detail)


class HasScope(BasePermission):
    """Authenticated callers with the scope the view requires for this method (403 naming it otherwise)."""

    def has_permission(self, request, view) -> bool:
        caller = getattr(request, "auth", None)
        if not request.user or not request.user.is_authenticated or caller is None:
            return False  # DRF turns this into 401 when nobody authenticated
        if request.method.lower() not in view.http_method_names or not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed
        try:
            required = required_scopes_for(view, request.method)
        except KeyError:
            raise PermissionDenied(f"{request.method} is not allowed to any caller here.") from None
        if required is ANY_AUTHENTICATED:
            return True
        scopes = scopes_of(required)
        if any(caller.has_scope(scope) for scope in scopes):
            return True
        raise MissingScope(scopes)
