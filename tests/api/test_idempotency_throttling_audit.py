"""Retried POSTs create once; each caller has a rate budget; every call lands in the audit log."""

import pytest

from earlyhelp.api.models import IdempotencyRecord
from earlyhelp.models import AuditEvent, Team
from earlyhelp.permissions import Role
from tests.api.conftest import assert_problem
from tests.factories import TeamFactory

CREATE = "/api/test/teams/"


@pytest.fixture
def writer(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=["referrals:write", "cases:read"])
    return bearer(token)


@pytest.mark.urls("tests.api.urls")
class TestIdempotencyKey:
    def test_a_retry_with_the_same_key_returns_the_first_response_and_creates_nothing(self, writer):
        first = writer.post(CREATE, {"name": "Grays Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        retry = writer.post(CREATE, {"name": "Grays Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry["Idempotent-Replayed"] == "true"
        assert Team.all_tenants.filter(name="Grays Team").count() == 1
        assert IdempotencyRecord.all_tenants.count() == 1

    def test_the_same_key_with_another_body_gets_422(self, writer):
        writer.post(CREATE, {"name": "Grays Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        response = writer.post(CREATE, {"name": "Tilbury Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert_problem(response, 422, "idempotency_key_reused")
        assert not Team.all_tenants.filter(name="Tilbury Team").exists()

    def test_keys_belong_to_their_caller(self, writer, tenant_a, tenant_b, make_api_client, bearer):
        _, other_a = make_api_client(tenant_a, scopes=["referrals:write"], name="School system")
        _, other_b = make_api_client(tenant_b, scopes=["referrals:write"], name="Eastmoor MASH")
        writer.post(CREATE, {"name": "Grays Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert bearer(other_a).post(CREATE, {"name": "Other"}, format="json",
                                    HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
        assert bearer(other_b).post(CREATE, {"name": "Grays Team"}, format="json",
                                    HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
        assert Team.all_tenants.filter(name="Grays Team").count() == 2

    def test_a_refused_request_does_not_use_up_its_key(self, writer):
        assert writer.post(CREATE, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 400
        fixed = writer.post(CREATE, {"name": "Grays Team"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        assert fixed.status_code == 201
        assert IdempotencyRecord.all_tenants.count() == 1

    def test_an_overlong_key_gets_400(self, writer):
        response = writer.post(CREATE, {"name": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
        body = assert_problem(response, 400)
        assert body["errors"][0]["pointer"] == "/Idempotency-Key"


def test_a_client_over_its_rate_gets_429_with_retry_after(tenant_a, make_api_client, bearer, settings):
    settings.API_THROTTLE_RATE = "2/min"
    _, token = make_api_client(tenant_a)
    _, other = make_api_client(tenant_a, name="Other system")
    api = bearer(token)
    assert api.get("/api/v1/me/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200
    response = api.get("/api/v1/me/")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert bearer(other).get("/api/v1/me/").status_code == 200  # budgets are per client


def test_the_budget_refills_at_the_rate_and_is_one_number_whatever_the_rate(tenant_a, make_api_client, bearer,
                                                                             settings, monkeypatch):
    from django.core.cache import cache

    from earlyhelp.api.throttling import CallerRateThrottle

    settings.API_THROTTLE_RATE = "3/min"  # one request's share: 20 s
    now = [1_000_000.0]
    monkeypatch.setattr(CallerRateThrottle, "timer", lambda self: now[0])
    client, token = make_api_client(tenant_a)
    api = bearer(token)
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert int(api.get("/api/v1/me/")["Retry-After"]) == 20
    now[0] += 19
    assert api.get("/api/v1/me/").status_code == 429  # not yet refilled
    now[0] += 1
    assert api.get("/api/v1/me/").status_code == 200  # one request's share came back …
    assert api.get("/api/v1/me/").status_code == 429  # … and only one
    now[0] += 60
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]  # whole again, not more
    stored = cache.get(f"throttle_api_gcra:client:{client.public_id}")
    assert isinstance(stored, float)  # one number, not a list of every request's time


def test_session_users_are_throttled_per_user(tenant_a, member, session_api, settings):
    settings.API_THROTTLE_RATE = "1/min"
    alice = session_api(member(tenant_a, username="alice"))
    assert alice.get("/api/v1/me/").status_code == 200
    assert_problem(alice.get("/api/v1/me/"), 429)


def test_every_call_is_audited_with_client_endpoint_status_and_objects(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a)
    team = TeamFactory(tenant=tenant_a)
    api = bearer(token)
    api.get(f"/api/v1/teams/{team.public_id}/")
    api.get("/api/v1/teams/")
    api.get(f"/api/v1/teams/{TeamFactory.build().public_id}/")
    events = list(AuditEvent.all_tenants.filter(tenant=tenant_a, action="api.request").order_by("id"))
    assert [e.detail["status"] for e in events] == [200, 200, 404]
    detail_call, list_call, missing = events
    assert detail_call.actor is None and detail_call.actor_label == "API client MASH case system"
    assert detail_call.object_type == "earlyhelp.team" and detail_call.object_public_id == str(team.public_id)
    assert detail_call.detail["client"] == str(client.public_id)
    assert detail_call.detail["endpoint"] == "api/v1/teams/<uuid:public_id>/"
    assert detail_call.detail["method"] == "GET"
    assert list_call.detail["object_ids"] == [str(team.public_id)]


def test_a_refused_call_of_an_authenticated_caller_is_audited_too(tenant_a, member, session_api):
    bob = member(tenant_a, role=Role.PROVIDER, username="bob")
    session_api(bob).get("/api/v1/teams/")
    event = AuditEvent.all_tenants.get(action="api.request")
    assert event.actor == bob and event.detail["status"] == 403


@pytest.mark.urls("tests.api.urls")
def test_writes_of_a_failed_request_are_rolled_back_but_its_audit_row_stays(writer):
    writer.post(CREATE, {"name": "Grays Team"}, format="json")
    writer.post(CREATE, {"name": "Grays Team"}, format="json")  # duplicate → 409
    statuses = sorted(e.detail["status"] for e in AuditEvent.all_tenants.filter(action="api.request"))
    assert statuses == [201, 409]


def test_lists_are_cursor_paginated_by_50(tenant_a, make_api_client, bearer):
    for i in range(53):
        TeamFactory(tenant=tenant_a, name=f"Team {i:02d}", locality=None)
    _, token = make_api_client(tenant_a)
    api = bearer(token)
    first = api.get("/api/v1/teams/").json()
    assert len(first["results"]) == 50 and first["previous"] is None and first["next"]
    second = api.get(first["next"]).json()
    assert [t["name"] for t in second["results"]] == ["Team 50", "Team 51", "Team 52"]
    assert second["next"] is None
