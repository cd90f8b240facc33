"""The API builds every case, in the list and read by id, from ``values()`` rows
(``cases.api.case_rows_representation``): it must say exactly what ``CaseSerializer`` (the schema) says, for
every kind of case."""

from __future__ import annotations

import datetime as dt
import json

from rest_framework.renderers import JSONRenderer

from cases.api import CASE_ROW_FIELDS, CaseSerializer, CaseViewSet, case_rows_representation
from cases.models import Case
from earlyhelp.tenancy import tenant_context
from tests.api import makers


def test_case_list_rows_match_the_serializer(tenant_a, make_api_client, bearer):
    open_case = makers.case(tenant_a)
    closed = makers.case(tenant_a, opened_on=dt.date(2024, 5, 2))
    unallocated = makers.case(tenant_a, opened_on=dt.date(2024, 5, 3))
    with tenant_context(tenant_a):
        Case.objects.filter(pk=closed.pk).update(closed_on=dt.date(2024, 9, 1), is_reopened=True, locality=None)
        Case.objects.filter(pk=unallocated.pk).update(lead_professional=None)
        open_case.children.add(makers.child(tenant_a, first="Zed", last="Aardvark"))
        expected = CaseSerializer(_instances(), many=True).data
        rows = case_rows_representation(list(Case.objects.values(*CASE_ROW_FIELDS)))
    assert json.loads(JSONRenderer().render(rows)) == json.loads(JSONRenderer().render(expected))
    assert next(r for r in rows if r["id"] == str(unallocated.public_id))["lead_professional"] is None
    _, token = make_api_client(tenant_a)
    assert bearer(token).get("/api/v1/cases/").json()["results"] == rows
    for row in rows:  # a case read by id is the same case as in the list, with the goals of its plans
        by_id = bearer(token).get(f"/api/v1/cases/{row['id']}/").json()
        assert isinstance(by_id.pop("plan_goals"), list)
        assert by_id == row


def _instances():
    from django.db.models import Prefetch

    from cases.models import Person

    return Case.objects.select_related(
        "family", "referral", "team", "locality", "level_of_need", "lead_professional"
    ).prefetch_related(Prefetch("children", queryset=Person.objects.only("id", "public_id"))).order_by(
        *CaseViewSet.cursor_ordering)


def test_an_unallocated_case_matches_the_schema(tenant_a, make_api_client, bearer, client):
    """Issue #19: the schema marks ``lead_professional`` required; an unallocated case must still conform."""
    import jsonschema

    unallocated = makers.case(tenant_a)
    with tenant_context(tenant_a):
        Case.objects.filter(pk=unallocated.pk).update(lead_professional=None)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    case_schema = schema["components"]["schemas"]["Case"]
    assert "lead_professional" in case_schema["required"]
    _, token = make_api_client(tenant_a)
    body = bearer(token).get("/api/v1/cases/").json()
    detail = bearer(token).get(f"/api/v1/cases/{unallocated.public_id}/").json()
    components = _nullable_as_json_schema(schema["components"])
    for case in [*body["results"], detail]:
        jsonschema.validate(case, {**components["schemas"]["Case"], "components": components},
                            cls=jsonschema.Draft202012Validator)


def _nullable_as_json_schema(node):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's ``null`` type (what schemathesis checks too)."""
    if isinstance(node, list):
        return [_nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_an_undecided_referral_matches_the_schema(tenant_a, make_api_client, bearer, client):
    """Found by the schemathesis run (issue #19): a referral's decision is "" until it is decided, and the schema
    allowed only the four decisions."""
    import jsonschema

    api_client, token = make_api_client(tenant_a, scopes=["referrals:read"])
    referral = makers.referral(tenant_a, api_client)  # a client reads the referrals it sent
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = bearer(token).get(f"/api/v1/referrals/{referral.public_id}/").json()
    assert body.get("decision") == "", body
    components = _nullable_as_json_schema(schema["components"])
    jsonschema.validate(body, {**components["schemas"]["Referral"], "components": components},
                        cls=jsonschema.Draft202012Validator)
