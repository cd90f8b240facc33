"""Who is acting: the one convention every service follows (DESIGN.md §3, "Who acts").

A service that reads for someone or changes data takes ``by``, keyword-only, and checks what ``by`` may do
itself with :func:`require` — so the page, the API, the import and a background task cannot differ:

* ``by`` is an :data:`Actor`: the acting :class:`~earlyhelp.models.Membership` (a person in one council — on a
  page, through the API with a session, uploading an import, or the member who asked for a background job), or
  an :class:`~earlyhelp.api.models.ApiClient` (a partner system's token, acting only within its scopes).
* Views pass ``request.membership``; API views pass ``caller.by``; tasks look the requesting membership up
  again from its id (a job records ``requested_by``).
* Audit events take ``by`` too (``record_event(by=...)``): the user of a membership, the label of a client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from django.core.exceptions import PermissionDenied

from .permissions import ALL_CAPABILITIES, Capability, has_capability

if TYPE_CHECKING:
    from .api.models import ApiClient
    from .models import Membership

Actor = Union["Membership", "ApiClient"]

# What a partner system's scopes let it do through the services. Read scopes grant reading only; a scope that
# grants nothing here (``returns:read``: which returns a provider reads is the commissioning selectors'
# business) makes no service call on its own.
CLIENT_SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {
    "referrals:write": frozenset({Capability.EDIT_CHILD_RECORDS}),
    "readings:write": frozenset({Capability.EDIT_CHILD_RECORDS}),
    "referrals:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    "cases:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    "readings:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    "returns:write": frozenset({Capability.SUBMIT_RETURNS}),
    "stats:read": frozenset({Capability.VIEW_STATISTICS}),
    "reports:write": frozenset({Capability.RUN_REPORTS}),
    "reports:read": frozenset({Capability.RUN_REPORTS}),
    "person-info:query": frozenset({Capability.QUERY_PERSON_INFO}),
}


def is_client(by) -> bool:
    """True when ``by`` is a partner system's API client rather than a person's membership.

    Told by the model's label, not by importing the API package (which sits beside this module and uses it).
    """
    return getattr(getattr(by, "_meta", None), "label_lower", "") == "earlyhelp.apiclient"


def can(by, capability: str) -> bool:
    """True when ``by`` may do ``capability``. Nobody (``None``) may do nothing."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if by is None:
        return False
    if is_client(by):
        if not by.is_usable:
            return False
        return any(capability in CLIENT_SCOPE_CAPABILITIES.get(scope, ()) for scope in by.scopes)
    return has_capability(by, capability)


def require(by, capability: str) -> None:
    """Raise ``PermissionDenied`` (403 on a page or in the API) unless ``by`` may do ``capability``."""
    if not can(by, capability):
        raise PermissionDenied(f"Your role cannot do this ({capability}).")


def user_of(by):
    """The person acting: the membership's user, or None for an API client (or nobody)."""
    if by is None or is_client(by):
        return None
    return by.user


def label_of(by) -> str:
    """How the audit log names an actor who is not a user: ``API client <name>``; empty for a person."""
    return f"API client {by.name}" if by is not None and is_client(by) else ""


def tenant_of(by):
    """The council ``by`` acts in."""
    return None if by is None else by.tenant
