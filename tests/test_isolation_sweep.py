"""The isolation sweep: every browser URL × every role × (own tenant's object, another tenant's object).

Each named URL pattern must have an entry in ``SWEEP``: the roles allowed, the HTTP method to use, and how to
make the object its URL points at. A role not allowed gets 403; an allowed role asking for another tenant's
object gets 404. A new URL without an entry fails ``test_every_url_is_declared``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

ALL_ROLES = set(Role.values)

# URLs outside the sweep, with the reason.
EXEMPT = {
    "login": "public sign-in page",
    "logout": "sign-out",
    "healthz": "unauthenticated health check with no tenant data",
    "home": "every member's landing page (tested in tests/test_pages.py)",
    "switch-tenant": "acts only on the user's own memberships (tested in tests/test_pages.py)",
}
EXEMPT_NAMESPACES = {"tenant_admin", "platform_admin", "api"}  # tested in their own suites


def _report(tenant, user):
    from reporting import services

    with tenant_context(tenant):
        return services.report_create(
            created_by=user, title="Sweep", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=1,
        )


def _run(tenant, user):
    from reporting.models import ReportRun

    report = _report(tenant, user)
    with tenant_context(tenant):
        return ReportRun.objects.create(report=report, requested_by=user, parameters={})


@dataclass
class Entry:
    roles: set[str]
    method: str = "get"
    make: Callable | None = None  # (tenant, user) -> object with public_id; None: the URL takes no object
    ok: set[int] = field(default_factory=lambda: {200, 302})


REPORTERS = {Role.PERFORMANCE_OFFICER}

SWEEP: dict[str, Entry] = {
    "reporting:report-list": Entry(REPORTERS),
    "reporting:report-create": Entry(REPORTERS),
    "reporting:report-detail": Entry(REPORTERS, make=_report),
    "reporting:report-edit": Entry(REPORTERS, make=_report),
    "reporting:report-arrange": Entry(REPORTERS, method="post", make=_report),
    "reporting:report-render": Entry(REPORTERS, method="post", make=_report),
    "reporting:run-detail": Entry(REPORTERS, make=_run),
    "reporting:run-retry": Entry(REPORTERS, method="post", make=_run),
    "reporting:run-download": Entry(REPORTERS, make=_run, ok={200, 404}),  # 404 while it has no PDF
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in EXEMPT_NAMESPACES or str(pattern.pattern).startswith("api/"):
                continue
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_declared():
    undeclared = sorted(n for n in set(_named_urls()) if n not in SWEEP and n not in EXEMPT)
    assert undeclared == [], f"add these URLs to the isolation sweep: {undeclared}"


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_each_role_gets_what_the_table_says(name, tenant_a, tenant_b, member, client):
    entry = SWEEP[name]
    owner = member(tenant_a, role=next(iter(entry.roles)), username="owner")
    own = entry.make(tenant_a, owner) if entry.make else None
    foreign_owner = member(tenant_b, role=next(iter(entry.roles)), username="foreign-owner")
    foreign = entry.make(tenant_b, foreign_owner) if entry.make else None

    def url(obj):
        return reverse(name, args=[obj.public_id]) if obj is not None else reverse(name)

    for role in sorted(ALL_ROLES):
        user = member(tenant_a, role=role, username=f"sweep-{role}")
        client.force_login(user)
        status = getattr(client, entry.method)(url(own)).status_code
        if role in entry.roles:
            assert status in entry.ok, f"{name} as {role}: {status}"
            if foreign is not None:
                status = getattr(client, entry.method)(url(foreign)).status_code
                assert status == 404, f"{name} as {role} on another tenant's object: {status}"
        else:
            assert status == 403, f"{name} as {role} (not allowed): {status}"
        client.logout()
