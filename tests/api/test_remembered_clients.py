"""A read may take its API client from the worker's memory; its answer leaves only if the client and its council
are, when the read's audit row is written, still as remembered (earlyhelp.api.authentication)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.api.models import ApiClient
from earlyhelp.api.services import api_client_revoke
from earlyhelp.models import AuditEvent, Tenant
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem
from tests.factories import acting

CASES = "/api/v1/cases/"


def _lookups(queries) -> int:
    """Statements that look a client up by its token's prefix."""
    return sum('WHERE "earlyhelp_apiclient"."token_prefix" = ' in q["sql"] for q in queries)


def _calls(tenant, status=None) -> list[AuditEvent]:
    rows = AuditEvent.all_tenants.filter(tenant=tenant, action="api.request").order_by("id")
    return [e for e in rows if status is None or e.detail["status"] == status]


@pytest.fixture
def reader(tenant_a, make_api_client, bearer):
    makers.case(tenant_a)
    client, token = make_api_client(tenant_a, scopes=["cases:read"])
    return client, bearer(token)


def test_a_second_read_takes_the_client_from_memory_and_is_audited_as_the_first(tenant_a, reader):
    client, api = reader
    with CaptureQueriesContext(connection) as first:
        assert api.get(CASES).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert api.get(CASES).status_code == 200
    assert _lookups(first.captured_queries) == 1
    assert _lookups(second.captured_queries) == 0
    assert len(second.captured_queries) < len(first.captured_queries)
    calls = _calls(tenant_a)
    assert len(calls) == 2 and calls[0].detail == calls[1].detail  # the same audit row, client named
    assert calls[1].detail["client"] == str(client.public_id)


def test_a_revoked_client_reads_nothing_from_the_moment_its_revocation_commits(tenant_a, reader):
    client, api = reader
    assert api.get(CASES).status_code == 200  # remembered now
    with tenant_context(tenant_a):
        api_client_revoke(client=ApiClient.objects.get(pk=client.pk), by=acting(role=Role.TENANT_ADMIN))
    response = api.get(CASES)
    assert_problem(response, 401)
    assert "results" not in response.json()
    assert [e.detail["status"] for e in _calls(tenant_a)] == [200]  # the refused attempt left no read row
    assert AuditEvent.all_tenants.filter(tenant=tenant_a, action="api.authentication_refused").count() == 1


def test_an_expired_client_is_refused_though_remembered(tenant_a, reader):
    client, api = reader
    assert api.get(CASES).status_code == 200
    ApiClient.all_tenants.filter(pk=client.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_problem(api.get(CASES), 401)


def test_scopes_taken_away_apply_at_the_next_read(tenant_a, reader):
    client, api = reader
    assert api.get(CASES).status_code == 200
    ApiClient.all_tenants.filter(pk=client.pk).update(scopes=["referrals:read"])
    assert_problem(api.get(CASES), 403, "missing_scope")
    assert [e.detail["status"] for e in _calls(tenant_a)] == [200, 403]  # one row per answer that left


def test_a_change_to_the_council_is_read_afresh_and_the_answer_given_once(tenant_a, reader):
    _, api = reader
    assert api.get(CASES).status_code == 200
    Tenant.objects.filter(pk=tenant_a.pk).update(small_number_threshold=7)
    with CaptureQueriesContext(connection) as again:
        assert api.get(CASES).status_code == 200
    assert _lookups(again.captured_queries) == 1  # the remembered attempt was refused, then a fresh lookup
    assert [e.detail["status"] for e in _calls(tenant_a)] == [200, 200]
    with CaptureQueriesContext(connection) as third:
        assert api.get(CASES).status_code == 200
    assert _lookups(third.captured_queries) == 0  # remembered again, as changed


def test_writes_always_look_the_client_up(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=["cases:read", "referrals:write"])
    api = bearer(token)
    assert api.get(CASES).status_code == 200
    with CaptureQueriesContext(connection) as write:
        api.post("/api/v1/referrals/", {}, format="json")
    assert _lookups(write.captured_queries) == 1


def test_memory_off_looks_the_client_up_on_every_read(tenant_a, reader, settings):
    settings.API_CLIENT_MEMORY_SECONDS = 0
    _, api = reader
    for _ in range(2):
        with CaptureQueriesContext(connection) as read:
            assert api.get(CASES).status_code == 200
        assert _lookups(read.captured_queries) == 1


def test_another_councils_token_is_never_answered_from_memory(tenant_a, tenant_b, reader, make_api_client, bearer):
    _, api = reader
    _, token_b = make_api_client(tenant_b, scopes=["cases:read"], name="Eastmoor MASH")
    api_b = bearer(token_b)
    assert api.get(CASES).status_code == 200
    assert api_b.get(CASES).json()["results"] == []  # council B's own (empty) list, not A's
    assert api.get(CASES).json()["results"] != []
