"""Every error is application/problem+json, and hostile input gets a 4xx, never a 500."""

import json

import pytest

from earlyhelp.models import Team
from tests.api.conftest import assert_problem
from tests.factories import LocalityFactory

CREATE = "/api/test/teams/"
pytestmark = pytest.mark.urls("tests.api.urls")


@pytest.fixture
def writer(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=["referrals:write", "cases:read"])
    return bearer(token)


def test_a_valid_create_works_and_is_scoped_to_the_callers_tenant(writer, tenant_a):
    locality = LocalityFactory(tenant=tenant_a)
    response = writer.post(CREATE, {"name": "Grays Team", "locality": str(locality.public_id)}, format="json")
    assert response.status_code == 201, response.content
    assert Team.all_tenants.get(name="Grays Team").tenant == tenant_a


def test_validation_errors_point_at_the_fields(writer):
    body = assert_problem(writer.post(CREATE, {"name": ""}, format="json"), 400, "invalid")
    assert body["errors"] == [{"pointer": "/name", "detail": "This field may not be blank.", "code": "blank"}]


def test_a_related_field_pointing_into_another_tenant_is_refused(writer, tenant_b):
    foreign = LocalityFactory(tenant=tenant_b)
    response = writer.post(CREATE, {"name": "X", "locality": str(foreign.public_id)}, format="json")
    body = assert_problem(response, 400)
    assert body["errors"][0]["pointer"] == "/locality"
    assert body["errors"][0]["code"] == "does_not_exist"
    assert not Team.all_tenants.filter(name="X").exists()


def test_unknown_fields_are_refused(writer):
    body = assert_problem(writer.post(CREATE, {"name": "X", "colour": "red"}, format="json"), 400)
    assert body["errors"] == [{"pointer": "/colour", "detail": "Unknown or read-only field.",
                               "code": "unknown_field"}]


@pytest.mark.parametrize(
    "payload",
    [
        '{"name": "a\\u0000b"}',
        '{"na\\u0000me": "x"}',
        '{"name": "\\ud800"}',
        '{"name": NaN}',
        '{"name": ',
        "[" * 5000 + "]" * 5000,
        '"just a string"',
        "[1, 2]",
        '{"name": 12}',
        '{"name": ["a"]}',
        '{"name": {"a": 1}}',
        '{"locality": "not-a-uuid", "name": "x"}',
        '{"locality": 5, "name": "x"}',
    ],
)
def test_hostile_bodies_get_a_4xx_problem(writer, payload):
    response = writer.generic("POST", CREATE, payload, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Team.all_tenants.exists()


def test_nul_bytes_in_raw_body_and_query_get_400(writer):
    assert_problem(writer.generic("POST", CREATE, b'{"name": "a\x00"}', content_type="application/json"), 400)
    assert_problem(writer.get("/api/v1/teams/?locality=%00"), 400)
    assert_problem(writer.get("/api/v1/teams/?x%00=1"), 400)


def test_a_huge_body_gets_413(writer, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"name": "x" * 2000})
    assert_problem(writer.generic("POST", CREATE, body, content_type="application/json"), 413, "payload_too_large")


def test_a_duplicate_gets_409_not_500(writer):
    writer.post(CREATE, {"name": "Grays Team"}, format="json")
    assert_problem(writer.post(CREATE, {"name": "Grays Team"}, format="json"), 409, "conflict")
    assert Team.all_tenants.filter(name="Grays Team").count() == 1


def test_unsupported_media_type_gets_415(writer):
    response = writer.generic("POST", CREATE, "name=x", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "unsupported_media_type")


def test_a_wrong_method_gets_405_with_allow(writer):
    response = writer.delete("/api/v1/teams/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_an_unacceptable_accept_header_gets_406(writer):
    assert_problem(writer.get("/api/v1/me/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable")


def test_unknown_api_paths_get_a_404_problem_but_pages_stay_html(writer, client, db):
    body = assert_problem(writer.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert body["instance"] == "/api/v1/no-such-thing/"
    assert_problem(writer.get("/api/v1/teams/not-a-uuid/"), 404)
    assert_problem(writer.get("/api/v1/teams/?cursor=bogus"), 404)


def test_a_crash_on_an_api_path_is_a_500_problem(writer, monkeypatch):
    from earlyhelp.api import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "teams_with_member_counts", explode)
    writer.raise_request_exception = False
    response = writer.get("/api/v1/teams/")
    assert_problem(response, 500, "server_error")
    assert "boom" not in response.content.decode()


def test_an_invalid_filter_value_gets_400_with_the_field(writer):
    body = assert_problem(writer.get("/api/v1/teams/?locality=nope"), 400)
    assert body["errors"][0]["pointer"] == "/locality"
