"""Distance-travelled readings over the API (record through the service, idempotent, rules as 422 problems with
pointers, related fields scoped per request, audited reads) and the performance framework statistics with
disclosure control."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes.models import Reading
from tests.api import makers
from tests.api.conftest import assert_problem

URL = "/api/v1/readings/"


@pytest.fixture
def case(tenant_a):
    return makers.case_with_tools(tenant_a)


@pytest.fixture
def writer(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a, scopes=["readings:write", "readings:read"], name="Family hub app")
    return bearer(token)


def _body(case, **changes):
    return {"case": str(case.public_id), "tool": "spider-graph", "stage": "start", "taken_on": "2024-04-25",
            "scores": {"routines": 3, "parenting": 5, "health": None}, "notes": "First visit", **changes}


def test_a_partner_records_a_reading_through_the_service(tenant_a, case, writer):
    response = writer.post(URL, _body(case), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scores"] == {"routines": 3, "parenting": 5}  # null: not scored
    assert (body["tool"], body["tool_version"], body["stage"], body["person"]) == ("spider-graph", 1, "start", None)
    with tenant_context(tenant_a):
        reading = Reading.objects.get(public_id=body["id"])
        assert reading.case == case and reading.notes == "First visit"
        event = AuditEvent.objects.get(action="outcomes.reading_recorded")
        assert event.actor_label == "" or event.actor is None
        assert AuditEvent.objects.filter(action="api.request", object_public_id=body["id"]).exists()


def test_a_retried_post_with_the_same_idempotency_key_records_one_reading(tenant_a, case, writer):
    first = writer.post(URL, _body(case), format="json", HTTP_IDEMPOTENCY_KEY="reading-1")
    again = writer.post(URL, _body(case), format="json", HTTP_IDEMPOTENCY_KEY="reading-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    with tenant_context(tenant_a):
        assert Reading.objects.count() == 1
    changed = writer.post(URL, _body(case, notes="Other"), format="json", HTTP_IDEMPOTENCY_KEY="reading-1")
    assert_problem(changed, 422, "idempotency_key_reused")


def test_rules_are_refused_with_pointers_to_the_fields(tenant_a, case, writer):
    off_scale = assert_problem(writer.post(URL, _body(case, scores={"routines": 11, "health": 0}), format="json"),
                               422, "reading_refused")
    assert {e["pointer"] for e in off_scale["errors"]} == {"/scores/routines", "/scores/health"}
    assert_problem(writer.post(URL, _body(case, stage="review"), format="json"), 422)
    early = assert_problem(writer.post(URL, _body(case, taken_on="2024-04-01"), format="json"), 422)
    assert early["errors"][0]["pointer"] == "/taken_on" and "before the case opened" in early["errors"][0]["detail"]
    unknown = assert_problem(writer.post(URL, _body(case, scores={"sleep": 3}), format="json"), 422)
    assert unknown["errors"][0]["pointer"] == "/scores"
    child = assert_problem(writer.post(URL, _body(case, tool="wellbeing-web"), format="json"), 422)
    assert child["errors"][0]["pointer"] == "/person"
    with tenant_context(tenant_a):
        assert not Reading.objects.exists()


@pytest.mark.parametrize("changes, pointer", [
    ({"tool": "no-such-tool"}, "/tool"),
    ({"stage": "middle"}, "/stage"),
    ({"scores": {"routines": "three"}}, "/scores/routines"),
    ({"scores": {}}, "/scores"),
    ({"taken_on": "yesterday"}, "/taken_on"),
    ({"colour": "red"}, "/colour"),
    ({"notes": "a\x00b"}, None),  # refused by the JSON parser before any field is read
    ({"person": "not-a-uuid"}, "/person"),
])
def test_bad_shapes_get_400_with_pointers(case, writer, changes, pointer):
    body = assert_problem(writer.post(URL, _body(case, **changes), format="json"), 400)
    if pointer is not None:
        assert pointer in {e["pointer"] for e in body["errors"]}, body


def test_another_tenants_person_is_does_not_exist(tenant_a, tenant_b, case, writer):
    theirs = makers.child(tenant_b)
    body = assert_problem(writer.post(URL, _body(case, tool="wellbeing-web", person=str(theirs.public_id)),
                                      format="json"), 400)
    assert body["errors"][0]["pointer"] == "/person" and body["errors"][0]["code"] == "does_not_exist"


def test_readings_are_listed_by_case_and_person_and_reads_are_audited(tenant_a, make_api_client, bearer):
    one, two = makers.reading(tenant_a), makers.reading(tenant_a)
    _, token = make_api_client(tenant_a, scopes=["readings:read"])
    api = bearer(token)
    listed = api.get(URL, {"case": str(one.case.public_id)}).json()
    assert [r["id"] for r in listed["results"]] == [str(one.public_id)] and "next" in listed
    assert {r["id"] for r in api.get(URL).json()["results"]} == {str(one.public_id), str(two.public_id)}
    assert api.get(URL, {"person": str(one.case.public_id)}).json()["results"] == []
    assert_problem(api.get(URL, {"case": "nope"}), 400)
    detail = api.get(f"{URL}{one.public_id}/")
    assert detail.status_code == 200 and detail.json()["scores"] == {"routines": 3, "parenting": 5}
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="reading.viewed", object_public_id=str(one.public_id)).exists()


def test_signed_in_members_read_and_write_with_their_roles_rights(tenant_a, case, session_api, member):
    practitioner = session_api(member(tenant_a, Role.PRACTITIONER, username="alice"))
    commissioner = session_api(member(tenant_a, Role.COMMISSIONER, username="carol"))
    assert_problem(commissioner.get(URL), 403, "missing_scope")
    assert practitioner.get(URL).status_code == 200


# ---------------------------------------------------------------------------------------------------- framework


def _framework(body) -> dict:
    return {m["key"]: m for section in body["sections"] for m in section["measures"]}


def test_the_framework_suppresses_small_counts_unless_exempt(tenant_a, make_api_client, bearer):
    for i in range(3):
        makers.case(tenant_a, opened_on=dt.date(2024, 4, 20 + i))
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    body = bearer(token).get("/api/v1/stats/framework/", {"period": "2024/25 Q1"}).json()
    assert body["disclosure"]["applied"] is True and body["scope"] == "Whole authority"
    assert [s["key"] for s in body["sections"]] == ["how_much", "how_well", "better_off"]
    measures = _framework(body)
    assert measures["referrals"]["numerator"] == "c" and measures["referrals"]["base"] is None
    assert measures["re_referrals"]["base"] == "c" and measures["re_referrals"]["numerator"] == 0
    assert measures["cases_closed"]["numerator"] == 0
    assert "definition" in measures["improving_travel"]

    _, exempt = make_api_client(tenant_a, scopes=["stats:read", "stats:exempt"], name="BI tool")
    body = bearer(exempt).get("/api/v1/stats/framework/", {"period": "2024/25", "threshold": "2"}).json()
    assert body["disclosure"]["applied"] is False and body["period"] == "2024/25"
    measures = _framework(body)
    assert measures["referrals"]["numerator"] == 3 and measures["open_cases"]["numerator"] == 3
    assert "at least 2 point(s)" in measures["improving_travel"]["definition"]


def test_the_framework_for_a_team(tenant_a, make_api_client, bearer):
    cases = [makers.case(tenant_a, opened_on=dt.date(2024, 4, 20 + i)) for i in range(2)]
    _, token = make_api_client(tenant_a, scopes=["stats:read", "stats:exempt"])
    body = bearer(token).get("/api/v1/stats/framework/",
                             {"period": "2024/25 Q1", "team": str(cases[0].team.public_id)}).json()
    assert body["team"] == str(cases[0].team.public_id) and _framework(body)["referrals"]["numerator"] == 1


@pytest.mark.parametrize("query", [{}, {"period": "2024/25 Q5"}, {"period": "2024/25 Q1", "threshold": "0"},
                                   {"period": "2024/25 Q1", "locality": "x"}, {"period": "2024/25 Q1", "a": "b"}])
def test_bad_framework_queries_get_400(tenant_a, make_api_client, bearer, query):
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    assert_problem(bearer(token).get("/api/v1/stats/framework/", query), 400)
