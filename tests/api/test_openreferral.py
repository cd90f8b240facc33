"""The Open Referral UK feed validates against the profile's published JSON schemas, is open to read with
CORS, and shows one tenant's services only."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings

from commissioning import services as commissioning_services
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers

STANDARDS = Path(settings.BASE_DIR).parent / "shared" / "standards" / "open-referral-uk" / "compiled"


def load_schema(name: str) -> dict:
    path = STANDARDS / name
    if not path.exists():
        pytest.skip(f"the Open Referral UK schemas are not beside the project ({path} is absent): "
                    "check out ../shared/standards to run these checks")
    return json.loads(path.read_text())


def validate(instance, schema_name: str) -> None:
    schema = load_schema(schema_name)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).validate(instance)


@pytest.fixture
def steps(tenant_a):
    made = makers.service(tenant_a)
    by = makers.membership(tenant_a, Role.COMMISSIONER)
    with tenant_context(tenant_a):
        made.provider.contact_email = "referrals@womensaid.example.org"
        made.provider.save()
        commissioning_services.service_update(by=by, service=made, commissioning_priority="Support for victims "
                                              "of domestic abuse", funding_partners="Police and Crime Commissioner",
                                              contract_start=dt.date(2014, 4, 1))
    return made


def test_the_root_names_the_version_and_profile(client, tenant_a):
    response = client.get(f"/openreferral/{tenant_a.slug}/")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")


def test_the_services_page_validates_item_by_item_and_is_paged(client, tenant_a, steps):
    response = client.get(f"/openreferral/{tenant_a.slug}/services")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    page = response.json()
    assert (page["total_items"], page["total_pages"], page["page_number"], page["size"]) == (1, 1, 1, 1)
    assert page["first_page"] and page["last_page"] and not page["empty"]
    for item in page["contents"]:
        validate(item, "service_list.json")
    item = page["contents"][0]
    assert item["id"] == str(steps.public_id) and uuid.UUID(item["organization_id"]) == steps.provider.public_id
    assert item["status"] == "active"
    assert "annual_value" not in json.dumps(page)


def test_a_service_validates_against_the_service_schema(client, tenant_a, steps):
    response = client.get(f"/openreferral/{tenant_a.slug}/services/{steps.public_id}")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    validate(body, "service.json")
    assert body["organization"]["name"].startswith("Women's Aid")
    assert body["funding"][0]["source"] == "Police and Crime Commissioner"


def test_paging_past_the_end_is_empty_and_bad_paging_is_400(client, tenant_a, steps):
    past = client.get(f"/openreferral/{tenant_a.slug}/services?page=3&per_page=1").json()
    assert past["empty"] and past["contents"] == [] and past["page_number"] == 3
    for bad in ("page=0", "page=x", "per_page=-1", "page=%00", "page=%C2%B2"):
        response = client.get(f"/openreferral/{tenant_a.slug}/services?{bad}")
        assert response.status_code == 400, bad
        assert response["Access-Control-Allow-Origin"] == "*"


def test_another_tenants_service_is_not_found_and_unknown_tenants_are_404(client, tenant_a, tenant_b, steps):
    assert client.get(f"/openreferral/{tenant_b.slug}/services").json()["total_items"] == 0
    response = client.get(f"/openreferral/{tenant_b.slug}/services/{steps.public_id}")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/openreferral/no-such-council/services").status_code == 404


def test_only_safe_methods(client, tenant_a):
    assert client.post(f"/openreferral/{tenant_a.slug}/services").status_code == 405


# Hardening (issue #24, item 5): bad paging is a 400 problem, every miss a JSON 404, per_page capped.


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize("query", [
    "page=9223372036854775808", "page=1000001", "page=99999999999999999999999", "page=1e3", "page=%D9%A1",
    "page=-1", "page=1.5", "page=+1", "per_page=0", "per_page=201", "per_page=abc", "per_page=9223372036854775808",
])
def test_out_of_range_or_malformed_paging_is_a_400_problem_naming_the_parameter(client, tenant_a, query):
    body = _problem(client.get(f"/openreferral/{tenant_a.slug}/services?{query}"), 400)
    assert body["detail"].startswith(query.split("=")[0] + " must be a whole number from 1 to")


def test_per_page_is_capped_at_200(client, tenant_a, steps):
    body = client.get(f"/openreferral/{tenant_a.slug}/services?per_page=200&page=1000000").json()
    assert body["page_number"] == 1000000 and body["empty"]
    assert "200" in _problem(client.get(f"/openreferral/{tenant_a.slug}/services?per_page=201"), 400)["detail"]


@pytest.mark.parametrize("path", [
    "/openreferral/no-such-council/", "/openreferral/no-such-council/services",
    "/openreferral/no-such-council/services/{service}", "/openreferral/{slug}/services/not-a-uuid",
    "/openreferral/{slug}/services/123", "/openreferral/{slug}/organizations", "/openreferral/",
    "/openreferral/{slug}/services/{service}/extra",
])
def test_every_miss_on_the_feed_is_a_json_404(client, tenant_a, steps, path):
    _problem(client.get(path.format(slug=tenant_a.slug, service=steps.public_id)), 404)


def test_the_feed_is_read_only_in_json(client, tenant_a):
    response = client.post(f"/openreferral/{tenant_a.slug}/services")
    _problem(response, 405)
    assert response["Allow"] == "GET, HEAD"
