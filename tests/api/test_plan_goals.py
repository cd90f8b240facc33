"""A case read by id through the API carries its plan goals: who in the family each is for and the National
Framework outcome it is tagged to, as the OpenAPI schema says. Another council's case is not found."""

from __future__ import annotations

import datetime as dt

import jsonschema

from cases import services
from cases.models import Person
from earlyhelp.models import Membership
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.test_case_list_rows import _nullable_as_json_schema
from tests.factories import acting


def test_a_case_read_by_id_has_its_plan_goals_per_person_with_the_national_framework_tag(
        tenant_a, tenant_b, make_api_client, bearer, client):
    case = makers.case(tenant_a)
    with tenant_context(tenant_a):
        lead = Membership.objects.get(user=case.lead_professional)
        kid = case.children.get()
        mum = services.person_create(family=case.family, first_name="Cara", last_name=kid.last_name,
                                     kind=Person.Kind.ADULT, date_of_birth=dt.date(1990, 1, 9), by=acting())
        plan = services.plan_create(case=case, created_on=case.opened_on, by=acting())
        goal = services.plan_goal_add(plan=plan, description="Bedtime routine", owner="Cara",
                                      due_on=case.opened_on + dt.timedelta(days=30), nf_outcome="stay_together",
                                      people=[kid, mum], by=lead)
        services.plan_goal_add(plan=plan, description="Family network meeting", owner="Lead professional",
                               due_on=case.opened_on + dt.timedelta(days=40), by=lead)
    _, token = make_api_client(tenant_a)
    body = bearer(token).get(f"/api/v1/cases/{case.public_id}/").json()
    first, second = body["plan_goals"]
    assert first["id"] == str(goal.public_id) and first["nf_outcome"] == "stay_together"
    assert set(first["people"]) == {str(kid.public_id), str(mum.public_id)}
    assert second["nf_outcome"] == "" and second["people"] == []
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = _nullable_as_json_schema(schema["components"])
    detail = components["schemas"]["CaseDetail"]
    assert "plan_goals" in detail["required"]
    jsonschema.validate(body, {**detail, "components": components}, cls=jsonschema.Draft202012Validator)
    assert "plan_goals" not in bearer(token).get("/api/v1/cases/").json()["results"][0]  # the bulk list shape
    _, other = make_api_client(tenant_b)
    assert bearer(other).get(f"/api/v1/cases/{case.public_id}/").status_code == 404


def test_the_framework_statistics_count_by_national_framework_outcome_with_disclosure_control(
        tenant_a, member, make_api_client, bearer):
    from earlyhelp.permissions import Role
    from outcomes.tests.helpers import national_framework_records

    national_framework_records(tenant_a, member(tenant_a, Role.PRACTITIONER, username="alice"))
    _, exempt = make_api_client(tenant_a, scopes=["stats:read", "stats:exempt"], name="BI tool")
    body = bearer(exempt).get("/api/v1/stats/framework/", {"period": "2024/25 Q1"}).json()
    rows = {r["code"]: r for r in body["national_framework"]}
    assert list(rows) == ["stay_together", "family_network", "safe", "stable_homes", ""]
    together = rows["stay_together"]
    assert (together["goals_set"], together["goals_achieved"], together["goals_at_closure"]) == (2, 1, 2)
    assert (together["outcomes_improved"], together["outcomes_identified"]) == (1, 1)
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    public = {r["code"]: r for r in bearer(token).get("/api/v1/stats/framework/",
                                                      {"period": "2024/25 Q1"}).json()["national_framework"]}
    assert public["stay_together"]["goals_set"] == "c" and public["stable_homes"]["goals_set"] == 0
