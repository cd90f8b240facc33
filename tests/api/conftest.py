"""API fixtures: API clients with their one-time tokens, and HTTP clients that send them."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from earlyhelp.api.services import api_client_create
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    from earlyhelp.api.authentication import forget_client

    cache.clear()
    forget_client()  # no API client remembered from another test's database
    yield
    cache.clear()
    forget_client()


@pytest.fixture
def make_api_client(db):
    """``make_api_client(tenant, scopes=[...], expires_in=days, created_by=user)`` → (ApiClient, token).

    Created by the tenant's administrator; ``created_by`` (None by default: nobody answers for the client) is
    then recorded as the person who answers for it."""

    def make(tenant, scopes=("cases:read",), name="MASH case system", expires_in=365, created_by=None):
        with tenant_context(tenant):
            client, token = api_client_create(
                name=name,
                scopes=list(scopes),
                expires_at=timezone.now() + datetime.timedelta(days=expires_in),
                by=acting(role=Role.TENANT_ADMIN),
            )
            client.created_by = created_by
            client.save(update_fields=["created_by"])
            return client, token

    return make


@pytest.fixture
def bearer():
    """``bearer(token)`` → a DRF test client sending ``Authorization: Bearer <token>``."""

    def make(token):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def session_api(member):
    """``session_api(user)`` → a DRF test client signed in as ``user`` (CSRF enforced, as in a browser)."""

    def make(user):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    return make


def assert_problem(response, status, code=None):
    """The response is an RFC 9457 problem with this status (and type code)."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body), body
    assert body["status"] == status
    if code:
        assert body["type"] == f"urn:earlyhelp:problem:{code}", body
    return body
