"""Fixtures of the commissioning tests: a service with one KPI of each kind, a commissioner and provider users."""

from __future__ import annotations

import csv
import io

import pytest

from commissioning import services
from commissioning.models import KpiKind
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

Q1 = Quarter(2014, 1)
Q2 = Quarter(2014, 2)
HEADER = ["service", "quarter", "kpi_code", "kpi_label", "value", "numerator", "base", "note"]


def membership_of(user, tenant) -> Membership:
    return Membership.all_tenants.get(user=user, tenant=tenant)


def csv_file(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def good_rows(service_name="STEPS", quarter="2014/15 Q1", safer=("14", "15")):
    return [
        [service_name, quarter, "referrals", "Referrals received", "12", "", "", ""],
        [service_name, quarter, "waiting-days", "Mean waiting time (days)", "17.5", "", "", ""],
        [service_name, quarter, "feeling-safer", "Feeling safer", "", safer[0], safer[1], "Demo note"],
    ]


@pytest.fixture
def commissioner(tenant_a, member):
    return membership_of(member(tenant_a, Role.COMMISSIONER, username="alice"), tenant_a)


@pytest.fixture
def steps(tenant_a, commissioner):
    """The STEPS service of Women's Aid, with a count, a mean and an outcome measure."""
    with tenant_context(tenant_a):
        provider = services.provider_create(by=commissioner, name="Women's Aid")
        service = services.service_create(by=commissioner, name="STEPS", provider=provider)
        services.kpi_define(by=commissioner, service=service, code="referrals", label="Referrals received",
                            kind=KpiKind.OUTPUT_COUNT, valid_from=Q1)
        services.kpi_define(by=commissioner, service=service, code="waiting-days", label="Mean waiting time (days)",
                            kind=KpiKind.MEAN, valid_from=Q1, target=28, red_threshold=42, higher_is_better=False)
        services.kpi_define(by=commissioner, service=service, code="feeling-safer", label="Feeling safer",
                            kind=KpiKind.OUTCOME, valid_from=Q1, target=80, red_threshold=60)
    return service


@pytest.fixture
def other_service(tenant_a, commissioner):
    """A service of another provider in the same tenant."""
    with tenant_context(tenant_a):
        provider = services.provider_create(by=commissioner, name="DVIP")
        service = services.service_create(by=commissioner, name="Perpetrators programme", provider=provider)
        services.kpi_define(by=commissioner, service=service, code="referrals", label="Referrals received",
                            kind=KpiKind.OUTPUT_COUNT, valid_from=Q1)
    return service


@pytest.fixture
def provider_user(tenant_a, member, commissioner, steps):
    """Women's Aid's provider user (linked to the STEPS provider)."""
    user = member(tenant_a, Role.PROVIDER, username="pat")
    with tenant_context(tenant_a):
        services.provider_user_link(by=commissioner, membership=membership_of(user, tenant_a),
                                    provider=steps.provider)
    return membership_of(user, tenant_a)


@pytest.fixture
def other_provider_user(tenant_a, member, commissioner, other_service):
    user = member(tenant_a, Role.PROVIDER, username="dana")
    with tenant_context(tenant_a):
        services.provider_user_link(by=commissioner, membership=membership_of(user, tenant_a),
                                    provider=other_service.provider)
    return membership_of(user, tenant_a)
