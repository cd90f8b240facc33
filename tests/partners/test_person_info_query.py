"""“Known to Family Help?” (POST /api/v1/person-info-query/): the DfE data exchange standard's shapes, the answer
and nothing else, a 400 problem for a missing or unknown reason, every query logged, and a no-match that says
nothing — the same body and (loosely) the same time for "no such person" and "not allowed"."""

from __future__ import annotations

import copy
import datetime as dt
import json
import statistics
import time
from pathlib import Path

import pytest
from django.conf import settings

from cases.models import Consent, Person, PersonInfoQuery
from earlyhelp.models import AuditEvent
from earlyhelp.sharing.models import Purpose
from earlyhelp.sharing.services import sharing_settings_update
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem
from tests.partners.helpers import admin_of, agreement, partner

pytestmark = pytest.mark.django_db
URL = "/api/v1/person-info-query/"
EXAMPLES = (Path(settings.BASE_DIR).parent / "shared" / "standards" / "socialcare-data" / "data-exchange-standard"
            / "extracted-examples")
S47 = "https://www.legislation.gov.uk/ukpga/1989/41/section/47"
S17 = "https://www.legislation.gov.uk/ukpga/1989/41/section/17"
NHS = "9434765919"


def _example(name):
    if not EXAMPLES.exists():
        pytest.skip("the data exchange standard's examples are not beside the project: check out ../shared/standards")
    return json.loads((EXAMPLES / name).read_text())


def _query(nhs=NHS, reason=S47, family="Ashby", given="Ada", birth="2015-03-01"):
    body = copy.deepcopy(_example("request.json"))
    patient = body["parameter"][0]["resource"]
    patient["identifier"][0]["value"] = nhs
    patient["name"] = [{"family": family, "given": [given]}]
    patient["birthDate"] = birth
    body["parameter"][1]["valueUri"] = reason
    if nhs is None:
        del patient["identifier"]
    return body


@pytest.fixture
def school_system(tenant_a, make_api_client, bearer):
    """A school's system with the query scope, under an agreement covering queries; and a known child (Ada
    Ashby, NHS number 9434765919) with an open case."""
    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.KNOWN_TO_FAMILY_HELP])
    client, token = make_api_client(tenant_a, scopes=("person-info:query",), name="School MIS")
    case = makers.case(tenant_a)
    with tenant_context(tenant_a):
        client.partner = school
        client.save(update_fields=["partner"])
        Person.objects.filter(pk=case.children.first().pk).update(nhs_number=NHS)
        sharing_settings_update(by=admin_of(tenant_a), contact_name="Front door", contact_phone="01632 960000",
                                contact_address="Civic Offices\nNorthbridge", contact_postcode="NB1 1AA")
    return {"api": bearer(token), "client": client, "case": case, "school": school}


def test_the_standards_example_request_is_understood_and_answered_no_match(school_system):
    """The example's NHS number (1234567890) fails the Modulus 11 check: a 400 naming it. With a well-formed
    number (and the example's Jane Smith, unknown here) the answer is the example's no-match, exactly."""
    example = _example("request.json")
    problem = assert_problem(school_system["api"].post(URL, example, format="json"), 400, "invalid")
    assert problem["errors"][0]["pointer"] == "/nhs_number" and "check digit" in problem["errors"][0]["detail"]
    example["parameter"][0]["resource"]["identifier"][0]["value"] = "9434765870"
    response = school_system["api"].post(URL, example, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == _example("response-no-match.json")


def test_a_known_person_gets_match_and_the_team_to_contact_in_the_standards_shape(school_system):
    response = school_system["api"].post(URL, _query(), format="json")
    body = response.json()
    expected = _example("response-match.json")
    assert [p["name"] for p in body["parameter"]] == [p["name"] for p in expected["parameter"]]
    assert body["parameter"][0] == {"name": "match", "valueBoolean": True}
    contact = body["parameter"][1]["resource"]
    assert set(contact) <= set(expected["parameter"][1]["resource"])  # an Organization, nothing more
    assert contact["resourceType"] == "Organization"
    assert school_system["case"].team.name in contact["name"]
    assert contact["telecom"] == [{"system": "phone", "value": "01632 960000", "use": "work"}]
    assert contact["address"][0]["postalCode"] == "NB1 1AA"
    assert "Ada" not in response.content.decode() and "Ashby" not in response.content.decode()


def test_a_person_is_also_found_by_name_and_date_of_birth(school_system):
    body = school_system["api"].post(URL, _query(nhs=None), format="json").json()
    assert body["parameter"][0]["valueBoolean"] is True
    body = school_system["api"].post(URL, _query(nhs=None, birth="2015-03-02"), format="json").json()
    assert body["parameter"][0]["valueBoolean"] is False


def test_a_closed_case_is_not_known(school_system, tenant_a):
    with tenant_context(tenant_a):
        type(school_system["case"]).objects.filter(pk=school_system["case"].pk).update(closed_on=dt.date(2024, 9, 1))
    body = school_system["api"].post(URL, _query(), format="json").json()
    assert body["parameter"] == [{"name": "match", "valueBoolean": False}]


@pytest.mark.parametrize("reason, message", [(None, "reason"), ("", "reason"),
                                             ("https://example.org/because", "not a reason")])
def test_a_missing_or_unknown_reason_is_a_400_problem_and_nothing_is_logged(school_system, tenant_a, reason, message):
    body = _query()
    if reason is None:
        body["parameter"] = body["parameter"][:1]
    else:
        body["parameter"][1]["valueUri"] = reason
    problem = assert_problem(school_system["api"].post(URL, body, format="json"), 400, "invalid")
    assert any(e["pointer"] == "/reason" and message in e["detail"] for e in problem["errors"]), problem
    with tenant_context(tenant_a):
        assert not PersonInfoQuery.objects.exists()


def test_an_invalid_nhs_number_or_no_identity_is_a_400_problem(school_system):
    assert_problem(school_system["api"].post(URL, _query(nhs="1234567890"), format="json"), 400, "invalid")
    assert_problem(school_system["api"].post(URL, _query(nhs=None, given=""), format="json"), 400, "invalid")
    assert_problem(school_system["api"].post(URL, {"resourceType": "Bundle"}, format="json"), 400, "invalid")


def test_the_fhir_media_type_is_accepted(school_system):
    response = school_system["api"].post(URL, json.dumps(_query()), content_type="application/fhir+json")
    assert response.status_code == 200


def test_every_query_is_logged_with_client_reason_and_answer(school_system, tenant_a):
    school_system["api"].post(URL, _query(), format="json")
    school_system["api"].post(URL, _query(nhs="9434765870", reason=S17), format="json")
    with tenant_context(tenant_a):
        rows = list(PersonInfoQuery.objects.order_by("id"))
        assert [(r.client_id, r.reason, r.matched, r.outcome) for r in rows] == [
            (school_system["client"].pk, S47, True, "match"), (school_system["client"].pk, S17, False, "not_known")]
        assert rows[0].subject_hash != rows[1].subject_hash and NHS not in rows[0].subject_hash
        assert AuditEvent.objects.filter(action="person_info.queried").count() == 2


def _refuse_sharing(tenant, case, school):
    with tenant_context(tenant):
        Consent.objects.create(family=case.family, scope=Consent.Scope.SHARING, agency=school.name,
                               status=Consent.Status.REFUSED, decided_on=case.opened_on, given_by="Mother",
                               method=Consent.Method.VERBAL)


def test_a_family_that_refused_sharing_with_the_partner_is_withheld_except_for_a_section_47_enquiry(
        school_system, tenant_a):
    _refuse_sharing(tenant_a, school_system["case"], school_system["school"])
    api = school_system["api"]
    assert api.post(URL, _query(reason=S17), format="json").json() == _example("response-no-match.json")
    assert api.post(URL, _query(reason=S47), format="json").json()["parameter"][0]["valueBoolean"] is True
    with tenant_context(tenant_a):
        assert PersonInfoQuery.objects.order_by("id").first().outcome == "withheld"


def test_no_such_person_and_not_allowed_look_the_same_in_body_and_time(school_system, tenant_a):
    """Interleaved samples of both; the bodies are byte-identical and the medians within a loose factor."""
    _refuse_sharing(tenant_a, school_system["case"], school_system["school"])
    api = school_system["api"]
    unknown, withheld = _query(nhs="9434765870", reason=S17), _query(reason=S17)
    timings = {"unknown": [], "withheld": []}
    bodies = set()
    for _ in range(3):  # warm up
        api.post(URL, unknown, format="json"), api.post(URL, withheld, format="json")
    for _ in range(40):
        for name, body in (("unknown", unknown), ("withheld", withheld)):
            started = time.perf_counter()
            response = api.post(URL, body, format="json")
            timings[name].append(time.perf_counter() - started)
            bodies.add(response.content)
    assert len(bodies) == 1
    a, b = statistics.median(timings["unknown"]), statistics.median(timings["withheld"])
    assert 0.67 < a / b < 1.5, (a, b)


def test_a_client_without_the_agreement_for_queries_is_refused(tenant_a, make_api_client, bearer):
    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    client, token = make_api_client(tenant_a, scopes=("person-info:query",))
    with tenant_context(tenant_a):
        client.partner = school
        client.save(update_fields=["partner"])
    assert_problem(bearer(token).post(URL, _query(), format="json"), 403, "no_sharing_agreement")


def test_a_signed_in_member_cannot_query(tenant_a, member, session_api):
    user = member(tenant_a, role="tenant_admin")
    client = session_api(user)
    response = client.post(URL, _query(), format="json")
    assert response.status_code == 403


def test_the_schema_documents_the_query(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/person-info-query/"]["post"]
    assert operation["operationId"] == "person_info_query"
    assert "PersonInfoQueryRequestRequest" in json.dumps(operation) or "PersonInfoQueryRequest" in json.dumps(
        operation)


def test_a_partner_of_another_council_learns_nothing_of_this_councils_people(school_system, tenant_b,
                                                                             make_api_client, bearer):
    theirs = partner(tenant_b, name="Eastmoor Academy", urn="654321")
    agreement(tenant_b, [theirs], purposes=[Purpose.KNOWN_TO_FAMILY_HELP])
    client, token = make_api_client(tenant_b, scopes=("person-info:query",))
    with tenant_context(tenant_b):
        client.partner = theirs
        client.save(update_fields=["partner"])
    assert bearer(token).post(URL, _query(), format="json").json() == _example("response-no-match.json")
