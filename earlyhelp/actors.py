"""Who is acting: the one convention every service follows (DESIGN.md §3, "Who acts").

A service that reads for someone or changes data takes ``by``, keyword-only, and checks what ``by`` may do
itself with :func:`require` — so the page, the API, the import and a background task cannot differ:

* ``by`` is an :data:`Actor`: the acting :class:`~earlyhelp.models.Membership` (a person in one council — on a
  page, through the API with a session, uploading an import, or the member who asked for a background job), or
  an :class:`~earlyhelp.api.models.ApiClient` (a partner system's token, acting only within its scopes).
* Views pass ``request.membership``; API views pass ``caller.by``; tasks look the requesting membership up
  again from its id (a job records ``requested_by``).
* A rule the council runs on its own schedule, with nobody at a screen (the retention rule, the demo seeding),
  acts as a :class:`RuleActor`: named in the audit log, and able to do only the capabilities it names.
* Audit events take ``by`` too (``record_event(by=...)``): the user of a membership, the label of a client or
  rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from django.core.exceptions import PermissionDenied

from .permissions import ALL_CAPABILITIES, Capability, has_capability

if TYPE_CHECKING:
    from .api.models import ApiClient
    from .models import Membership



@dataclass(frozen=True)
class RuleActor:
    """A rule of one council acting with nobody at a screen: ``name`` is how the audit log names it (e.g.
    ``retention rule``); it may do ``capabilities`` and nothing else. Never built from a request."""

    tenant: Any
    name: str
    capabilities: frozenset[str]

    def __post_init__(self):
        unknown = set(self.capabilities) - ALL_CAPABILITIES
        if unknown:
            raise ValueError(f"unknown capabilities {sorted(unknown)!r}")


Actor = Union["Membership", "ApiClient", RuleActor]

# What a partner system's scopes let it do through the services. Read scopes grant reading only; a scope that
# grants nothing here (``returns:read``: which returns a provider reads is the commissioning selectors'
# business) makes no service call on its own.
CLIENT_SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {
    "referrals:write": frozenset({Capability.EDIT_CHILD_RECORDS}),
    "readings:write": frozenset({Capability.EDIT_CHILD_RECORDS}),
    "referrals:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    "cases:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    # The duplicates queue's merge and unmerge (cases.services.duplicates), a team manager's capability.
    "people:merge": frozenset({Capability.MANAGE_TEAM}),
    "readings:read": frozenset({Capability.VIEW_CHILD_RECORDS}),
    "returns:write": frozenset({Capability.SUBMIT_RETURNS}),
    "stats:read": frozenset({Capability.VIEW_STATISTICS}),
    "reports:write": frozenset({Capability.RUN_REPORTS}),
    "reports:read": frozenset({Capability.RUN_REPORTS}),
    "person-info:query": frozenset({Capability.QUERY_PERSON_INFO}),
}


# (actor, capability) pairs lent for the duration of one use case made of others: see :func:`granted`.
_lent: ContextVar[tuple] = ContextVar("earlyhelp_actors_lent", default=())


@contextmanager
def granted(by, capability: str, *lends: str) -> Iterator[None]:
    """Check ``by`` may do ``capability``; inside the block, ``by`` may also do ``lends``.

    For one use case made of others, checked once as a whole: the migration import (``cases.import``, which a
    tenant administrator holds) records referrals, cases and closures as the importer through the casework
    services, which each require ``cases.edit``. Nothing is lent outside the block, nor to anyone else.
    """
    require(by, capability)
    unknown = set(lends) - ALL_CAPABILITIES
    if unknown:
        raise ValueError(f"unknown capabilities {sorted(unknown)!r}")
    token = _lent.set(_lent.get() + tuple((by, lend) for lend in lends))
    try:
        yield
    finally:
        _lent.reset(token)


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
    if any(lent_to is by and lent == capability for lent_to, lent in _lent.get()):
        return True
    if isinstance(by, RuleActor):
        return capability in by.capabilities
    if is_client(by):
        if not by.is_usable:
            return False
        return any(capability in CLIENT_SCOPE_CAPABILITIES.get(scope, ()) for scope in by.scopes)
    return has_capability(by, capability)


def require(by, capability: str, message: str = "") -> None:
    """Raise ``PermissionDenied`` (403 on a page or in the API) unless ``by`` may do ``capability``; ``message``
    says why to the person, where the service has better words than the capability's name."""
    if not can(by, capability):
        raise PermissionDenied(message or f"Your role cannot do this ({capability}).")


def user_of(by):
    """The person acting: the membership's user, or None for an API client (or nobody)."""
    if by is None or is_client(by) or isinstance(by, RuleActor):
        return None
    return by.user


def label_of(by) -> str:
    """How the audit log names an actor who is not a user: ``API client <name>``, a rule's name; empty for a
    person."""
    if isinstance(by, RuleActor):
        return by.name
    return f"API client {by.name}" if by is not None and is_client(by) else ""


def tenant_of(by):
    """The council ``by`` acts in."""
    return None if by is None else by.tenant
