"""A provider's system submits a quarterly KPI return as JSON: the upload's validation, all or nothing."""

from __future__ import annotations

import pytest

from commissioning.models import KpiReturn, KpiReturnRevision, ReturnStatus
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem

URL = "/api/v1/returns/"


@pytest.fixture
def steps(tenant_a):
    return makers.service(tenant_a)


@pytest.fixture
def provider_system(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=["returns:write", "returns:read"], name="Women's Aid CRM")
    return bearer(token)


def payload(service, **extra):
    return {
        "service": str(service.public_id),
        "quarter": "2014/15 Q1",
        "rows": [
            {"kpi_code": "referrals", "value": 12},
            {"kpi_code": "waiting-days", "value": "17.5"},
            {"kpi_code": "feeling-safer", "numerator": 14, "base": 15, "note": "Q1 was based on 15 clients"},
        ],
        **extra,
    }


def test_a_valid_return_is_stored_and_submitted(provider_system, tenant_a, steps):
    response = provider_system.post(URL, payload(steps), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["version"], body["quarter"]) == ("submitted", 1, "2014/15 Q1")
    safer = next(v for v in body["values"] if v["kpi_code"] == "feeling-safer")
    assert (safer["numerator"], safer["base"], safer["amount"]) == (14, 15, None)
    assert provider_system.get(f"{URL}{body['id']}/").json()["status"] == "submitted"
    with tenant_context(tenant_a):
        revision = KpiReturnRevision.objects.get()
        assert revision.filename == "api.json" and revision.uploaded_by is None
        event = AuditEvent.objects.get(action="return.submitted")
        assert event.actor_label == "API client Women's Aid CRM"


def test_a_draft_can_be_sent_and_replaced(provider_system, tenant_a, steps):
    first = provider_system.post(URL, payload(steps, submit=False), format="json").json()
    assert first["status"] == "draft"
    second = provider_system.post(URL, payload(steps), format="json").json()
    assert (second["id"], second["version"], second["status"]) == (first["id"], 2, "submitted")


def test_every_problem_is_reported_by_row_and_field_and_nothing_is_stored(provider_system, tenant_a, steps):
    bad = payload(steps)
    bad["rows"] = [
        {"kpi_code": "referrals", "value": "twelve"},
        {"kpi_code": "no-such-kpi", "value": 1},
        {"kpi_code": "feeling-safer", "numerator": 16, "base": 15},
        {"kpi_code": "referrals", "value": -1},
    ]
    body = assert_problem(provider_system.post(URL, bad, format="json"), 422, "return_rejected")
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/rows/0/value", "/rows/1/kpi_code", "/rows/2/numerator", "/rows/3/kpi_code", "/rows/3/value"} <= pointers
    assert all(e["code"] == "invalid_row" for e in body["errors"])
    with tenant_context(tenant_a):
        assert not KpiReturn.objects.exists()


def test_a_percentage_for_an_outcome_measure_is_refused(provider_system, steps):
    bad = payload(steps)
    bad["rows"] = [{"kpi_code": "feeling-safer", "value": 93}]
    body = assert_problem(provider_system.post(URL, bad, format="json"), 422)
    assert body["errors"][0]["pointer"] == "/rows/0/value"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"quarter": "Q2 2014"}, "/quarter"),
        ({"quarter": 2014}, "/quarter"),
        ({"rows": []}, "/rows"),
        ({"rows": [{"kpi_code": "referrals", "value": [1]}]}, "/rows/0/value"),
        ({"rows": [{"kpi_code": "referrals", "value": True}]}, "/rows/0/value"),
        ({"rows": [{"kpi_code": "referrals", "colour": "red"}]}, "/rows/0/colour"),
        ({"service": "not-a-uuid"}, "/service"),
        ({"submit": "perhaps"}, "/submit"),
    ],
)
def test_malformed_returns_get_400(provider_system, steps, change, pointer):
    body = assert_problem(provider_system.post(URL, {**payload(steps), **change}, format="json"), 400)
    assert pointer in {e["pointer"] for e in body["errors"]}, body


def test_a_submitted_return_cannot_be_replaced_until_queried(provider_system, steps):
    provider_system.post(URL, payload(steps), format="json")
    assert_problem(provider_system.post(URL, payload(steps), format="json"), 409, "conflict")


def test_a_provider_user_submits_only_for_their_own_services(tenant_a, steps, member, session_api):
    from commissioning import services as commissioning_services

    other = makers.service(tenant_a)  # another provider's service
    pat = member(tenant_a, Role.PROVIDER, username="pat")
    commissioner = makers.membership(tenant_a, Role.COMMISSIONER)
    with tenant_context(tenant_a):
        commissioning_services.provider_user_link(
            by=commissioner, membership=Membership.all_tenants.get(user=pat, tenant=tenant_a),
            provider=steps.provider)
    api = session_api(pat)
    api.handler.enforce_csrf_checks = False
    assert api.post(URL, payload(steps), format="json").status_code == 201
    assert_problem(api.post(URL, payload(other), format="json"), 404)


def test_a_retried_submission_with_the_same_key_is_replayed(provider_system, steps):
    first = provider_system.post(URL, payload(steps), format="json", HTTP_IDEMPOTENCY_KEY="q1-2014")
    retry = provider_system.post(URL, payload(steps), format="json", HTTP_IDEMPOTENCY_KEY="q1-2014")
    assert first.status_code == retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["status"] == ReturnStatus.SUBMITTED


@pytest.mark.parametrize("row", [
    {"kpi_code": "referrals", "value": "1E+400"},
    {"kpi_code": "waiting-days", "value": "9" * 28},
    {"kpi_code": "feeling-safer", "numerator": "9" * 20, "base": "9" * 20},
])
def test_a_figure_too_large_to_store_is_a_row_error_not_a_500(provider_system, tenant_a, steps, row):
    bad = payload(steps)
    bad["rows"] = [row]
    body = assert_problem(provider_system.post(URL, bad, format="json"), 422, "return_rejected")
    assert any("must be at most" in e["detail"] for e in body["errors"]), body
    with tenant_context(tenant_a):
        assert not KpiReturn.objects.exists()


def test_a_return_for_a_quarter_not_yet_begun_is_refused(provider_system, tenant_a, steps):
    response = provider_system.post(URL, payload(steps, quarter="2031/32 Q1"), format="json")
    body = assert_problem(response, 400, "invalid")
    assert any(e["pointer"] == "/quarter" and "2031/32 Q1 has not begun yet" in e["detail"] for e in body["errors"])
    with tenant_context(tenant_a):
        assert not KpiReturn.objects.exists()
