"""A MASH or school system sends referrals: through the cases services, once per Idempotency-Key, and reads
back only its own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from cases.models import Consent, Person, Referral, Relationship
from earlyhelp.models import AuditEvent
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem
from tests.factories import acting

URL = "/api/v1/referrals/"


@pytest.fixture
def mash(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a, scopes=["referrals:write", "referrals:read"], name="MASH")
    return client, bearer(token)


@pytest.fixture
def kid(tenant_a):
    return makers.child(tenant_a)


def new_child_payload(**extra):
    return {
        "family": {"name": "Brook family", "postcode": "nb2 2bb"},
        "new_children": [{"first_name": "Bea", "last_name": "Brook", "date_of_birth": "2016-07-01",
                          "local_id": "SCH-123"}],
        "received_on": "2024-05-01",
        "source": "2A",
        "route": "panel",
        "presenting_needs": ["PARENTING"],
        "reason": "Attendance has dropped.",
        **extra,
    }


def test_a_referral_about_a_known_child_is_created_through_the_service(mash, tenant_a, kid):
    _, api = mash
    response = api.post(URL, {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A"},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["children"] == [str(kid.public_id)] and body["source"] == "2A"
    with tenant_context(tenant_a):
        referral = Referral.objects.get(public_id=body["id"])
        assert referral.family_id == kid.family_id
        assert AuditEvent.objects.filter(action="referral.created", object_public_id=body["id"]).exists()


def test_new_children_and_their_family_are_created(mash, tenant_a):
    _, api = mash
    response = api.post(URL, new_child_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["route"] == "panel" and body["presenting_needs"] == ["PARENTING"]
    with tenant_context(tenant_a):
        bea = Person.objects.get(public_id=body["children"][0])
        assert (bea.family.name, bea.family.postcode, bea.local_id) == ("Brook family", "NB2 2BB", "SCH-123")


def test_a_re_referral_is_flagged(mash, kid):
    _, api = mash
    payload = {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A"}
    assert api.post(URL, payload, format="json").json()["is_re_referral"] is False
    payload["received_on"] = "2024-06-01"
    assert api.post(URL, payload, format="json").json()["is_re_referral"] is True


def test_a_retried_post_with_the_same_key_creates_one_referral(mash, tenant_a):
    _, api = mash
    first = api.post(URL, new_child_payload(), format="json", HTTP_IDEMPOTENCY_KEY="mash-2024-0001")
    retry = api.post(URL, new_child_payload(), format="json", HTTP_IDEMPOTENCY_KEY="mash-2024-0001")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    with tenant_context(tenant_a):
        assert Referral.objects.count() == 1 and Person.objects.count() == 1


def test_a_client_reads_back_only_its_own_referrals(mash, tenant_a, make_api_client, bearer, kid):
    _, api = mash
    mine = api.post(URL, new_child_payload(), format="json").json()["id"]
    _, school_token = make_api_client(tenant_a, scopes=["referrals:write", "referrals:read"], name="School")
    school = bearer(school_token)
    theirs = school.post(URL, {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A"},
                         format="json").json()["id"]
    assert [r["id"] for r in api.get(URL).json()["results"]] == [mine]
    assert api.get(f"{URL}{mine}/").status_code == 200
    assert_problem(api.get(f"{URL}{theirs}/"), 404)


@pytest.mark.parametrize(
    ("payload", "pointer", "code"),
    [
        ({"received_on": "2024-05-01", "source": "2A"}, "/children", "invalid"),
        ({"new_children": [{"first_name": "A", "last_name": "B"}], "received_on": "2024-05-01", "source": "2A"},
         "/family", "invalid"),
        ({"children": ["not-a-uuid"], "received_on": "2024-05-01", "source": "2A"}, "/children/0", "invalid"),
        ({"children": [], "new_children": [], "received_on": "2024-05-01", "source": "ZZ"}, "/source",
         "does_not_exist"),
        ({"children": [], "received_on": "2024-05-01", "source": "2A", "presenting_needs": ["NOPE"]},
         "/presenting_needs/0", "does_not_exist"),
        (new_child_payload(received_on="2999-01-01"), "/received_on", "invalid"),
        (new_child_payload(extra_field=1), "/extra_field", "unknown_field"),
        (new_child_payload(new_children=[{"first_name": "A", "last_name": "B", "shoe_size": 3}]),
         "/new_children/0/shoe_size", "unknown_field"),
    ],
)
def test_bad_referrals_get_400_with_pointers_and_create_nothing(mash, tenant_a, payload, pointer, code):
    _, api = mash
    makers.child(tenant_a)  # the tenant's lists exist
    body = assert_problem(api.post(URL, payload, format="json"), 400)
    assert (pointer, code) in {(e["pointer"], e["code"]) for e in body["errors"]}, body
    with tenant_context(tenant_a):
        assert not Referral.objects.exists()


def test_a_child_of_another_tenant_is_refused(mash, tenant_b, tenant_a):
    _, api = mash
    makers.child(tenant_a)
    theirs = makers.child(tenant_b, first="Cy")
    response = api.post(URL, {"children": [str(theirs.public_id)], "received_on": "2024-05-01", "source": "2A"},
                        format="json")
    body = assert_problem(response, 400)
    assert body["errors"][0] == {"pointer": "/children/0", "code": "does_not_exist",
                                 "detail": body["errors"][0]["detail"]}


def test_children_of_two_families_are_refused_by_the_service(mash, tenant_a):
    _, api = mash
    ada, cy = makers.child(tenant_a), makers.child(tenant_a, first="Cy", last="Cole")
    response = api.post(URL, {"children": [str(ada.public_id), str(cy.public_id)], "received_on": "2024-05-01",
                              "source": "2A"}, format="json")
    body = assert_problem(response, 400)
    assert body["errors"][0]["pointer"] == "/children"


def test_a_signed_in_practitioner_sees_the_referrals_they_recorded(tenant_a, member, session_api, kid):
    api = session_api(member(tenant_a, username="alice"))
    api.handler.enforce_csrf_checks = False
    created = api.post(URL, {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A"},
                       format="json")
    assert created.status_code == 201, created.content
    assert [r["id"] for r in api.get(URL).json()["results"]] == [created.json()["id"]]


def family_payload(**extra):
    """A mother and two new children, in one referral."""
    return {
        "family": {"name": "Fenwick family", "postcode": "nb3 3cc", "address": "3 Mill Lane, Northby"},
        "new_children": [
            {"ref": "c1", "first_name": "Finn", "last_name": "Fenwick", "date_of_birth": "2015-03-02",
             "nhs_number": "943 476 5919"},
            {"ref": "c2", "first_name": "Flora", "last_name": "Fenwick", "date_of_birth": "2018-09-14",
             "nhs_number_absent_reason": "not_known", "identifiers": [{"type": "yot", "value": "YJ-0042"}]},
        ],
        "adults": [{"first_name": "Fay", "last_name": "Fenwick", "phone": "01632 960001",
                    "email": "fay@example.org", "preferred_language": "Polish", "interpreter_needed": True,
                    "relationships": [{"child": "c1", "relationship": "mother", "parental_responsibility": True},
                                      {"child": "c2", "relationship": "mother", "parental_responsibility": True}]}],
        "consent": {"decided_on": "2024-05-01", "adult": 0, "method": "verbal"},
        "received_on": "2024-05-01",
        "source": "2A",
        **extra,
    }


def test_a_family_of_a_mother_and_two_children_is_referred_in_one_post(mash, tenant_a):
    _, api = mash
    response = api.post(URL, family_payload(), format="json", HTTP_IDEMPOTENCY_KEY="fenwick-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["children"]) == 2
    retry = api.post(URL, family_payload(), format="json", HTTP_IDEMPOTENCY_KEY="fenwick-1")
    assert retry.json() == body
    with tenant_context(tenant_a):
        people = {p.first_name: p for p in Person.objects.all()}
        assert set(people) == {"Finn", "Flora", "Fay"}
        fay, finn, flora = people["Fay"], people["Finn"], people["Flora"]
        assert fay.kind == "adult" and fay.family_id == finn.family_id == flora.family_id
        assert (finn.nhs_number, finn.nhs_number_status) == ("9434765919", "unverified")
        assert (flora.nhs_number, flora.nhs_number_absent_reason) == ("", "not_known")
        assert [(i.identifier_type, i.value) for i in flora.linked_identifiers.all()] == [("yot", "YJ-0042")]
        assert (fay.interpreter_needed, fay.preferred_language, fay.phone) == (True, "Polish", "01632 960001")
        both_ways = {(r.person.first_name, r.relative.first_name, r.kind, r.parental_responsibility)
                     for r in Relationship.objects.select_related("person", "relative")}
        assert both_ways == {("Fay", "Finn", "mother", True), ("Finn", "Fay", "child", False),
                             ("Fay", "Flora", "mother", True), ("Flora", "Fay", "child", False)}
        consent = Consent.objects.get()
        assert consent.given_by == "Fay Fenwick (mother)" and consent.referral.public_id == uuid.UUID(body["id"])
        assert Referral.objects.count() == 1
    person = api.get(f"/api/v1/people/{finn.public_id}/")
    assert person.status_code == 403  # the MASH client has no cases:read


def test_the_person_representation_carries_the_identifiers(tenant_a, make_api_client, bearer, mash):
    _, api = mash
    api.post(URL, family_payload(), format="json")
    _, token = make_api_client(tenant_a, scopes=["cases:read"], name="BI")
    reader = bearer(token)
    with tenant_context(tenant_a):
        finn = Person.objects.get(first_name="Finn")
    body = reader.get(f"/api/v1/people/{finn.public_id}/").json()
    assert body["nhs_number"] == "9434765919" and body["nhs_number_status"] == "unverified"
    assert body["nhs_number_absent_reason"] == "" and body["relationships"][0]["relationship"] == "child"
    listed = {p["first_name"]: p for p in reader.get("/api/v1/people/").json()["results"]}
    assert listed["Flora"]["linked_identifiers"][0]["type_label"] == "YOT Number"
    assert listed["Flora"]["nhs_number_absent_reason"] == "not_known"


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda p: p["new_children"][1].update(date_of_birth="2999-01-01"), "/new_children/1/date_of_birth",
         "cannot be in the future"),
        (lambda p: p["new_children"][0].update(nhs_number="1234567890"), "/new_children/0/nhs_number",
         "not a valid NHS number"),
        (lambda p: p["adults"][0].update(relationships=[]), "/adults/0/relationships", "Say how Fay Fenwick"),
        (lambda p: p["adults"][0]["relationships"][0].update(child="nobody"), "/adults/0/relationships/0/child",
         "not one of the children"),
        # The same parent-age rule as the family record's own relationship pages (one service for both).
        (lambda p: p["adults"][0].update(date_of_birth="2016-01-01"), "/adults/0/relationships/0/kind",
         "they are not older than Finn Fenwick"),
        (lambda p: p["adults"][0].update(date_of_birth="2008-01-01"), "/adults/0/relationships/0/kind",
         "is only 7 years older than Finn Fenwick: a parent is at least 12 years older"),
    ],
)
def test_bad_family_referrals_are_refused_with_pointers_and_write_nothing(mash, tenant_a, change, pointer, words):
    _, api = mash
    makers.child(tenant_a)
    payload = family_payload()
    change(payload)
    body = assert_problem(api.post(URL, payload, format="json"), 400)
    assert any(e["pointer"] == pointer and words in e["detail"] for e in body["errors"]), body
    with tenant_context(tenant_a):
        assert not Referral.objects.exists() and Person.objects.count() == 1 and not Relationship.objects.exists()


def test_an_adult_related_to_themselves_is_refused(mash, tenant_a):
    _, api = mash
    kid = makers.child(tenant_a)
    payload = {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A",
               "adults": [{"id": str(kid.public_id),
                           "relationships": [{"child": str(kid.public_id), "relationship": "mother"}]}]}
    body = assert_problem(api.post(URL, payload, format="json"), 400)
    assert any("cannot be related to themselves" in e["detail"] for e in body["errors"]), body
    with tenant_context(tenant_a):
        assert not Referral.objects.exists() and not Relationship.objects.exists()


def test_a_new_sibling_joins_the_known_childs_family(mash, tenant_a, kid):
    _, api = mash
    payload = {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A",
               "new_children": [{"first_name": "Abe", "last_name": "Ashby", "date_of_birth": "2019-01-01"}]}
    body = api.post(URL, payload, format="json").json()
    with tenant_context(tenant_a):
        abe = Person.objects.get(first_name="Abe")
        assert abe.family_id == kid.family_id and str(abe.public_id) in body["children"]


def test_a_new_child_who_may_be_known_comes_back_with_a_warning_of_possible_duplicates(mash, tenant_a, tenant_b):
    from cases import services

    other_council = makers.child(tenant_b, first="Bea", last="Brook")  # never mentioned
    with tenant_context(tenant_a):
        family = services.family_create(name="Brooke family", postcode="NB2 2BB", by=acting())
        known = services.person_create(family=family, first_name="Bea", last_name="Brooke",
                                       date_of_birth=dt.date(2016, 7, 1), by=acting())
    _, api = mash
    body = api.post(URL, new_child_payload(), format="json").json()
    assert [w["person"] for w in body["possible_duplicates"]] == body["children"]
    (match,) = body["possible_duplicates"][0]["matches"]
    assert match["id"] == str(known.public_id) != str(other_council.public_id) and match["score"] >= 0.75
    assert "the same date of birth" in match["reasons"]
    assert api.get(f"{URL}{body['id']}/").json()["possible_duplicates"] == []
