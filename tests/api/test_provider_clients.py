"""API clients tied to a provider: a provider's own system submits and reads only its provider's returns.

alice (tenant admin) makes them in the browser; bob (practitioner) gets 403; the outsider (admin of another
tenant) cannot tie a client to alice's providers and never sees them.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commissioning import services
from commissioning.models import KpiReturn, ProviderApiClient
from earlyhelp.api.models import ApiClient
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem
from tests.api.test_returns import URL, payload

EXPIRES = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, role=Role.TENANT_ADMIN, username="alice")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, role=Role.PRACTITIONER, username="bob")


@pytest.fixture
def outsider(tenant_b, member):
    return member(tenant_b, role=Role.TENANT_ADMIN, username="outsider")


@pytest.fixture
def steps(tenant_a):
    return makers.service(tenant_a)


@pytest.fixture
def refuge(tenant_a):
    """A service of another provider of the same council."""
    return makers.service(tenant_a)


@pytest.fixture
def tied(tenant_a, steps, make_api_client):
    """(client, token) of Women's Aid's own system, tied to the provider of ``steps``."""
    client, token = make_api_client(tenant_a, scopes=["returns:write", "returns:read"], name="Women's Aid CRM")
    with tenant_context(tenant_a):
        services.provider_api_client_tie(by=makers.membership(tenant_a, Role.TENANT_ADMIN), client=client,
                                         provider=steps.provider)
    return client, token


# ------------------------------------------------------------------------------------------ the admin's pages


def test_alice_makes_a_client_for_a_provider_and_it_is_tied(alice, tenant_a, steps, sign_in):
    client = sign_in(alice)
    page = client.get(reverse("api-client-add")).content.decode()
    assert escape(steps.provider.name) in page
    response = client.post(reverse("api-client-add"), {
        "name": "Women's Aid CRM", "scopes": ["returns:write", "returns:read"], "expires_on": EXPIRES,
        "provider": str(steps.provider.public_id)})
    assert response.status_code == 302, response.content[:2000]
    stored = ApiClient.all_tenants.get(name="Women's Aid CRM")
    link = ProviderApiClient.all_tenants.get(client=stored)
    assert (link.tenant, link.provider) == (tenant_a, steps.provider)
    assert AuditEvent.all_tenants.filter(action="provider.api_client_tied").exists()
    listing = client.get(reverse("api-clients")).content.decode()
    assert escape("Women's Aid CRM") in listing and escape(steps.provider.name) in listing


def test_a_provider_client_may_hold_only_the_returns_scopes(alice, steps, sign_in):
    response = sign_in(alice).post(reverse("api-client-add"), {
        "name": "Women's Aid CRM", "scopes": ["returns:write", "cases:read"], "expires_on": EXPIRES,
        "provider": str(steps.provider.public_id)})
    assert response.status_code == 200
    assert "only the returns:read and returns:write" in response.content.decode()
    assert not ApiClient.all_tenants.filter(name="Women's Aid CRM").exists()


def test_without_a_provider_the_client_is_the_councils_own(alice, steps, sign_in):
    response = sign_in(alice).post(reverse("api-client-add"), {
        "name": "BI tool", "scopes": ["stats:read"], "expires_on": EXPIRES, "provider": ""})
    assert response.status_code == 302
    assert not ProviderApiClient.all_tenants.exists()


def test_bob_without_the_role_gets_403(bob, steps, sign_in):
    response = sign_in(bob).post(reverse("api-client-add"), {
        "name": "Women's Aid CRM", "scopes": ["returns:write"], "expires_on": EXPIRES,
        "provider": str(steps.provider.public_id)})
    assert response.status_code == 403
    assert not ApiClient.all_tenants.exists()


def test_the_outsider_cannot_tie_a_client_to_another_councils_provider(outsider, steps, sign_in, tied):
    client = sign_in(outsider)
    assert escape(steps.provider.name) not in client.get(reverse("api-client-add")).content.decode()
    response = client.post(reverse("api-client-add"), {
        "name": "Sneaky", "scopes": ["returns:write"], "expires_on": EXPIRES,
        "provider": str(steps.provider.public_id)})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ApiClient.all_tenants.filter(name="Sneaky").exists()
    assert escape(steps.provider.name) not in client.get(reverse("api-clients")).content.decode()
    assert client.post(reverse("api-client-revoke", args=[tied[0].public_id])).status_code == 404


def test_tying_needs_a_tenant_admin_and_returns_scopes_only(tenant_a, steps, make_api_client):
    reader, _ = make_api_client(tenant_a, scopes=["cases:read"])
    writer, _ = make_api_client(tenant_a, scopes=["returns:write"], name="CRM")
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError):
            services.provider_api_client_tie(by=makers.membership(tenant_a, Role.TENANT_ADMIN), client=reader,
                                             provider=steps.provider)
        with pytest.raises(PermissionDenied):
            services.provider_api_client_tie(by=makers.membership(tenant_a, Role.COMMISSIONER), client=writer,
                                             provider=steps.provider)
        assert not ProviderApiClient.objects.exists()


# ------------------------------------------------------------------------------------------ the API


def test_a_tied_client_submits_and_reads_its_providers_returns(tied, steps, bearer):
    api = bearer(tied[1])
    response = api.post(URL, payload(steps), format="json")
    assert response.status_code == 201, response.content
    assert api.get(f"{URL}{response.json()['id']}/").status_code == 200


def test_a_tied_client_is_refused_another_providers_service_naming_the_reason(tied, steps, refuge, bearer,
                                                                              tenant_a):
    body = assert_problem(bearer(tied[1]).post(URL, payload(refuge), format="json"), 403, "other_provider")
    assert steps.provider.name in body["detail"] and refuge.name in body["detail"]
    assert body["errors"][0]["pointer"] == "/service"
    with tenant_context(tenant_a):
        assert not KpiReturn.objects.exists()


def test_a_tied_client_does_not_find_another_providers_return(tied, refuge, tenant_a, bearer, make_api_client):
    with tenant_context(tenant_a):
        theirs = KpiReturn.objects.create(service=refuge, fy_start_year=2014, quarter_number=1)
    assert_problem(bearer(tied[1]).get(f"{URL}{theirs.public_id}/"), 404)
    _, councils_own = make_api_client(tenant_a, scopes=["returns:read"], name="Commissioning BI")
    assert bearer(councils_own).get(f"{URL}{theirs.public_id}/").status_code == 200


def test_the_service_refuses_a_tied_client_for_another_providers_service(tied, refuge, tenant_a):
    client = ApiClient.all_tenants.get(pk=tied[0].pk)
    rows = [(0, {"service": refuge.name, "quarter": "2014/15 Q1", "kpi_code": "referrals", "value": 3})]
    with tenant_context(tenant_a), pytest.raises(PermissionDenied, match="only for"):
        services.return_rows_import(by=client, service=refuge, quarter=makers.Q1_2014, rows=rows,
                                    source="api.json")
