"""The OpenAPI contract: served, valid, documents Bearer tokens and problem responses; docs are offline."""

from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from earlyhelp.api.models import Scope
from earlyhelp.api.permissions import SCOPE_CAPABILITIES
from earlyhelp.permissions import ALL_CAPABILITIES


def test_the_schema_is_valid_openapi_3(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    bearer = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    teams = schema["paths"]["/api/v1/teams/"]["get"]
    assert "`cases:read`" in teams["description"]
    assert teams["responses"]["403"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}


def test_manage_py_spectacular_validates(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "openapi: 3" in (tmp_path / "schema.yaml").read_text()


def test_the_docs_page_uses_local_assets_only(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    import re

    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', page) if url.startswith(("http", "//"))]
    assert external == []


def test_every_scope_maps_to_known_capabilities():
    assert set(SCOPE_CAPABILITIES) == set(Scope.values)
    for capabilities in SCOPE_CAPABILITIES.values():
        assert capabilities and capabilities <= ALL_CAPABILITIES


def test_the_referral_schema_describes_a_family(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = schema["components"]["schemas"]["ReferralCreateRequest"]["properties"]
    assert {"children", "new_children", "adults", "family", "consent"} <= set(body)
    adult = schema["components"]["schemas"]["AdultRequest"]["properties"]
    assert {"relationships", "phone", "email", "address", "preferred_language", "interpreter_needed",
            "nhs_number", "nhs_number_absent_reason"} <= set(adult)
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert {"nhs_number", "nhs_number_status", "nhs_number_verified_at", "linked_identifiers"} <= set(person)
