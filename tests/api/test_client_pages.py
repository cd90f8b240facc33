"""The tenant admin manages API clients in the browser: alice (admin) may; bob (practitioner) gets 403; the
outsider (admin of another tenant) gets 404 for alice's clients."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.api.models import ApiClient
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, role=Role.TENANT_ADMIN, username="alice")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, role=Role.PRACTITIONER, username="bob")


@pytest.fixture
def outsider(tenant_b, member):
    return member(tenant_b, role=Role.TENANT_ADMIN, username="outsider")


def test_alice_creates_a_client_sees_its_token_once_and_it_works(alice, tenant_a, sign_in, bearer):
    client = sign_in(alice)
    response = client.post(reverse("api-client-add"), {
        "name": "Thurrock MASH", "scopes": ["referrals:write", "cases:read"], "expires_on": "2099-01-01"})
    assert response.status_code == 200 and "three years" in response.content.decode()  # too far ahead
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(reverse("api-client-add"), {
        "name": "Thurrock MASH", "scopes": ["referrals:write", "cases:read"], "expires_on": expires}, follow=True)
    stored = ApiClient.all_tenants.get(name="Thurrock MASH")
    assert response.redirect_chain == [(reverse("api-client-created", args=[stored.public_id]), 302)]
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token and token in response.content.decode()
    assert stored.tenant == tenant_a and stored.created_by == alice
    assert stored.scopes == ["cases:read", "referrals:write"]
    assert AuditEvent.all_tenants.filter(action="api_client.created", object_public_id=str(stored.public_id)).exists()
    listing = client.get(reverse("api-clients")).content.decode()
    assert "Thurrock MASH" in listing and token not in listing and f"eh_{stored.token_prefix}_" in listing
    assert bearer(token).get("/api/v1/me/").json()["client"]["name"] == "Thurrock MASH"


def test_alice_revokes_a_client_and_its_token_stops_working(alice, tenant_a, sign_in, make_api_client, bearer):
    api_client, token = make_api_client(tenant_a)
    response = sign_in(alice).post(reverse("api-client-revoke", args=[api_client.public_id]))
    assert response.status_code == 302
    assert ApiClient.all_tenants.get(pk=api_client.pk).revoked_at is not None
    assert AuditEvent.all_tenants.filter(action="api_client.revoked").exists()
    assert bearer(token).get("/api/v1/me/").status_code == 401


def test_bob_without_the_role_gets_403(bob, tenant_a, sign_in, make_api_client):
    api_client, _ = make_api_client(tenant_a)
    client = sign_in(bob)
    assert client.get(reverse("api-clients")).status_code == 403
    assert client.post(reverse("api-client-add"), {"name": "x"}).status_code == 403
    assert client.post(reverse("api-client-revoke", args=[api_client.public_id])).status_code == 403
    assert ApiClient.all_tenants.get(pk=api_client.pk).revoked_at is None


def test_the_outsider_gets_404_and_sees_only_their_own_clients(outsider, tenant_a, sign_in, make_api_client):
    api_client, _ = make_api_client(tenant_a, name="Northbridge MASH")
    client = sign_in(outsider)
    assert client.post(reverse("api-client-revoke", args=[api_client.public_id])).status_code == 404
    assert "Northbridge MASH" not in client.get(reverse("api-clients")).content.decode()
    assert ApiClient.all_tenants.get(pk=api_client.pk).revoked_at is None


def test_reloading_the_token_page_creates_nothing_and_shows_the_token_no_more(alice, tenant_a, sign_in):
    """Post/redirect/get: the POST answers a redirect; the page it leads to shows the token once."""
    client = sign_in(alice)
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(reverse("api-client-add"), {"name": "BI tool", "scopes": ["stats:read"],
                                                       "expires_on": expires})
    assert response.status_code == 302
    first = client.get(response["Location"])
    token = first.context["token"]
    assert token and token in first.content.decode()
    again = client.get(response["Location"])  # a reload
    assert again.status_code == 200 and again.context["token"] is None and token not in again.content.decode()
    assert "cannot be shown again" in again.content.decode()
    assert ApiClient.all_tenants.filter(name="BI tool").count() == 1
    assert "earlyhelp_new_api_token" not in client.session


def test_the_token_page_of_another_councils_client_is_not_found(alice, outsider, tenant_a, sign_in):
    client = sign_in(alice)
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    location = client.post(reverse("api-client-add"), {"name": "BI tool", "scopes": ["stats:read"],
                                                       "expires_on": expires})["Location"]
    assert sign_in(outsider).get(location).status_code == 404
