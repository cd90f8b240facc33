"""Roles and what each may do: the one permission helper that views, the API and templates all use.

A capability is a short string naming something a role may do. Views use ``@require_capability``, the API its
permission class, templates the ``can`` dictionary from the context processor. Outsiders never reach this
check: another tenant's object is simply not found (404) by the scoped managers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner / lead professional"
    TEAM_MANAGER = "team_manager", "Team manager"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider user"
    PERFORMANCE_OFFICER = "performance_officer", "Performance officer"
    AUDITOR = "auditor", "Auditor"
    TENANT_ADMIN = "tenant_admin", "Tenant administrator"
    # A practitioner of a partner organisation (school, health, police, voluntary): only the cases they work on,
    # only while an agreement is in force and the family consented to sharing with their organisation.
    PARTNER = "partner", "Partner practitioner"


class Capability:
    """Names of capabilities. Child-level records are seen only by case-working roles and auditors, and (as the
    statutory returns' files, never on screen) by the performance officer who sends those returns."""

    VIEW_CHILD_RECORDS = "cases.view"
    EDIT_CHILD_RECORDS = "cases.edit"
    MANAGE_TEAM = "cases.manage_team"
    AUDIT_CASE_FILES = "cases.audit"
    IMPORT_CASE_RECORDS = "cases.import"  # the migration import of a previous system's referrals and cases
    MANAGE_COMMISSIONING = "commissioning.manage"
    VIEW_COMMISSIONING = "commissioning.view"
    SUBMIT_RETURNS = "commissioning.submit_return"
    VIEW_STATISTICS = "stats.view"
    RUN_REPORTS = "reports.run"
    VIEW_AUDIT_LOG = "audit.view"
    # Subject access requests: everything held about one person, exported as JSON or PDF (audited).
    EXPORT_PERSONAL_DATA = "dataprotection.export"
    # The statutory and sector returns (CIN census XML, SSD CSVs, Ofsted Annex A list 2): child-level files, built
    # by a background job for the performance officer who sends them to DfE, Ofsted or the regional dataset.
    STATUTORY_RETURNS = "returns.statutory"
    ADMINISTER_TENANT = "tenancy.administer"
    # Partners (earlyhelp.sharing, cases.partner_access): a partner practitioner's own shared cases, and
    # answering requests for support sent to their organisation's services.
    VIEW_SHARED_CASES = "partners.view_shared_cases"
    RESPOND_TO_REQUESTS = "partners.respond_to_requests"
    # Asked by a partner's system only (scope person-info:query); no role holds it.
    QUERY_PERSON_INFO = "partners.query_person_info"


_ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.PRACTITIONER: frozenset({Capability.VIEW_CHILD_RECORDS, Capability.EDIT_CHILD_RECORDS}),
    Role.TEAM_MANAGER: frozenset(
        {
            Capability.VIEW_CHILD_RECORDS,
            Capability.EDIT_CHILD_RECORDS,
            Capability.MANAGE_TEAM,
            Capability.VIEW_STATISTICS,
            Capability.IMPORT_CASE_RECORDS,
            Capability.AUDIT_CASE_FILES,  # their own teams' cases only: cases.services.case_file_audit_allowed
        }
    ),
    Role.COMMISSIONER: frozenset(
        {
            Capability.MANAGE_COMMISSIONING,
            Capability.VIEW_COMMISSIONING,
            Capability.SUBMIT_RETURNS,
            Capability.VIEW_STATISTICS,
        }
    ),
    Role.PROVIDER: frozenset({Capability.SUBMIT_RETURNS, Capability.RESPOND_TO_REQUESTS}),
    Role.PARTNER: frozenset({Capability.VIEW_SHARED_CASES, Capability.RESPOND_TO_REQUESTS}),
    Role.PERFORMANCE_OFFICER: frozenset(
        {Capability.VIEW_STATISTICS, Capability.RUN_REPORTS, Capability.VIEW_COMMISSIONING,
         Capability.STATUTORY_RETURNS}
    ),
    Role.AUDITOR: frozenset(
        {Capability.VIEW_CHILD_RECORDS, Capability.AUDIT_CASE_FILES, Capability.VIEW_AUDIT_LOG,
         Capability.EXPORT_PERSONAL_DATA}
    ),
    Role.TENANT_ADMIN: frozenset(
        {Capability.ADMINISTER_TENANT, Capability.VIEW_AUDIT_LOG, Capability.EXPORT_PERSONAL_DATA,
         Capability.IMPORT_CASE_RECORDS}
    ),
}

# Capabilities no role holds: only a partner system's scope grants them (earlyhelp.actors).
CLIENT_ONLY_CAPABILITIES = frozenset({Capability.QUERY_PERSON_INFO})
ALL_CAPABILITIES = frozenset().union(*_ROLE_CAPABILITIES.values(), CLIENT_ONLY_CAPABILITIES)


def capabilities_for(role: str | None) -> frozenset[str]:
    return _ROLE_CAPABILITIES.get(role or "", frozenset())


def has_capability(membership, capability: str) -> bool:
    """True when the active membership's role grants ``capability``. No membership grants nothing."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if membership is None or not membership.is_active:
        return False
    return capability in capabilities_for(membership.role)


def require_capability(capability: str) -> Callable:
    """View decorator: 403 unless the request's active membership has ``capability``."""

    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_capability(getattr(request, "membership", None), capability):
                raise PermissionDenied(f"Your role cannot do this ({capability}).")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
