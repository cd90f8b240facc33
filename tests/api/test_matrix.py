"""Every /api/v1/ endpoint × (own tenant, other tenant, no auth, wrong scope), generated from the URL conf.

A new endpoint without an entry in ENDPOINTS fails ``test_every_v1_endpoint_is_in_the_matrix``: say which
scope it needs and how to make an object of each tenant for it. ``make(tenant, client)`` makes the object (as
sent by ``client`` where the endpoint shows a client's own submissions). Creates (``body``) and queries
(``query``) name the object made; sent by a client of another tenant they point into a tenant that is not
the caller's, and are refused with ``other_status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.api import makers
from tests.api.conftest import assert_problem
from tests.factories import UserFactory


@dataclass(frozen=True)
class Endpoint:
    scope: str | None  # the scope that grants it (None: any authenticated caller)
    make: Callable | None = None  # make(tenant, client) → an object of that tenant
    is_list: bool = False
    wrong_scope: str = "returns:write"
    body: Callable | None = None  # body(obj) → the JSON of a POST
    query: Callable | None = None  # query(obj) → the query parameters of a GET
    other_status: int = 404  # the answer when the object belongs to another tenant
    ok_status: int = 200
    # For a query that names no object by id: instead of other_status, whether the answer about another tenant's
    # object tells nothing of it (True when it is well answered).
    other_check: Callable | None = None

    @property
    def method(self) -> str:
        return "post" if self.body is not None else "get"


def _referral_body(kid):
    """The family shape: a known child, a new sibling and their mother (with a relationship to each)."""
    return {"children": [str(kid.public_id)], "received_on": "2024-05-01", "source": "2A",
            "new_children": [{"ref": "sib", "first_name": "Sib", "last_name": "Ling", "nhs_number": "9434765919"}],
            "adults": [{"first_name": "Mo", "last_name": "Ling", "relationships": [
                {"child": str(kid.public_id), "relationship": "mother", "parental_responsibility": True},
                {"child": "sib", "relationship": "mother"}]}]}


def _return_body(service):
    return {"service": str(service.public_id), "quarter": "2014/15 Q1",
            "rows": [{"kpi_code": "referrals", "value": 12}]}


def _reading_body(case):
    return {"case": str(case.public_id), "tool": "spider-graph", "stage": "start", "taken_on": "2024-04-25",
            "scores": {"routines": 4, "parenting": 6}}


def _no_match_or_refused(response) -> bool:
    """Another council's person is unknown here: "no match", or the caller is refused outright (a client of
    another council holds no agreement here)."""
    if response.status_code == 403:
        return response.json()["type"] == "urn:earlyhelp:problem:no_sharing_agreement"
    return response.status_code == 200 and response.json()["parameter"] == [{"name": "match", "valueBoolean": False}]


ENDPOINTS = {
    "api:v1:me": Endpoint(scope=None),
    "api:v1:team-list": Endpoint(scope="cases:read", make=makers.team, is_list=True),
    "api:v1:team-detail": Endpoint(scope="cases:read", make=makers.team),
    "api:v1:referral-list": Endpoint(scope="referrals:read", make=makers.referral, is_list=True),
    "api:v1:referral-detail": Endpoint(scope="referrals:read", make=makers.referral),
    "api:v1:family-list": Endpoint(scope="cases:read", make=makers.family, is_list=True),
    "api:v1:family-detail": Endpoint(scope="cases:read", make=makers.family),
    "api:v1:person-list": Endpoint(scope="cases:read", make=makers.person, is_list=True),
    "api:v1:person-detail": Endpoint(scope="cases:read", make=makers.person),
    "api:v1:case-list": Endpoint(scope="cases:read", make=makers.case, is_list=True),
    "api:v1:case-detail": Endpoint(scope="cases:read", make=makers.case),
    "api:v1:section17-episode-list": Endpoint(scope="cases:read", make=makers.section17_episode, is_list=True),
    "api:v1:section17-episode-detail": Endpoint(scope="cases:read", make=makers.section17_episode),
    "api:v1:family-meeting-list": Endpoint(scope="cases:read", make=makers.family_meeting, is_list=True),
    "api:v1:family-meeting-detail": Endpoint(scope="cases:read", make=makers.family_meeting),
    "api:v1:return-detail": Endpoint(scope="returns:read", make=makers.kpi_return, wrong_scope="cases:read"),
    "api:v1:stats-cases": Endpoint(scope="stats:read", make=makers.team, other_status=400,
                                   query=lambda team: {"period": "2024/25 Q1", "team": str(team.public_id)}),
    "api:v1:stats-kpis": Endpoint(scope="stats:read", make=makers.service,
                                  query=lambda service: {"service": str(service.public_id),
                                                         "quarters": "2014/15 Q1"}),
    "api:v1:stats-audits": Endpoint(scope="stats:read", make=makers.team, other_status=400,
                                    query=lambda team: {"period": "2024/25", "team": str(team.public_id)}),
    "api:v1:reading-list": Endpoint(scope="readings:read", make=makers.reading, is_list=True),
    "api:v1:reading-detail": Endpoint(scope="readings:read", make=makers.reading),
    "api:v1:stats-framework": Endpoint(scope="stats:read", make=makers.team, other_status=400,
                                       query=lambda team: {"period": "2024/25 Q1", "team": str(team.public_id)}),
    "api:v1:report-run-detail": Endpoint(scope="reports:read", make=makers.report_run),
    "api:v1:report-run-pdf": Endpoint(scope="reports:read", make=makers.finished_report_run),
    "api:v1:report-run-html": Endpoint(scope="reports:read", make=makers.rendered_report_run),
    "api:v1:duplicate-list": Endpoint(scope="people:merge", make=makers.duplicate_pair, is_list=True,
                                      wrong_scope="cases:read"),
    "api:v1:person-merge-detail": Endpoint(scope="people:merge", make=makers.person_merge, wrong_scope="cases:read"),
}
CREATES = {
    # POST-only collection routes: the referral list route also takes POST (tested in test_referrals.py).
    "api:v1:return-list": Endpoint(scope="returns:write", make=makers.service, body=_return_body,
                                   other_status=400, ok_status=201, wrong_scope="returns:read"),
    "api:v1:report-run-list": Endpoint(scope="reports:write", make=makers.report, ok_status=201, other_status=400,
                                       body=lambda report: {"report": str(report.public_id)}),
    "api:v1:reading-list POST": Endpoint(scope="readings:write", make=makers.case_with_tools, body=_reading_body,
                                         ok_status=201, other_status=400, wrong_scope="readings:read"),
    # "Known to Family Help?": a query, not an object — another council's client asking about this council's person
    # holds no agreement here and is refused (403); tests/partners/test_person_info_query.py shows a partner of
    # another council under its own agreement gets "no match".
    "api:v1:person-info-query": Endpoint(
        scope="person-info:query", make=makers.known_person_for_partner, other_check=_no_match_or_refused,
        body=lambda kid: {"resourceType": "Parameters", "parameter": [
            {"name": "resource", "resource": {"resourceType": "Patient", "identifier": [
                {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": kid.nhs_number}]}},
            {"name": "reason", "valueUri": "https://www.legislation.gov.uk/ukpga/1989/41/section/47"}]}),
    "api:v1:referral-list POST": Endpoint(scope="referrals:write", make=makers.child, body=_referral_body,
                                          ok_status=201, other_status=400),
    "api:v1:person-merge-list": Endpoint(scope="people:merge", make=makers.duplicate_pair, ok_status=201,
                                         other_status=400, wrong_scope="cases:read",
                                         body=lambda pair: {"survivor": str(pair.first.public_id),
                                                            "merged": str(pair.second.public_id)}),
    "api:v1:person-unmerge-list": Endpoint(scope="people:merge", make=makers.person_merge, ok_status=201,
                                           other_status=400, wrong_scope="cases:read",
                                           body=lambda merge: {"merge": str(merge.public_id)}),
}
ALL = {**ENDPOINTS, **CREATES}


def v1_url_names(patterns=None, prefix="", namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= v1_url_names(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_v1_endpoint_is_in_the_matrix():
    assert v1_url_names() == {name.split()[0] for name in ALL}


def call(api, name, endpoint, obj):
    url_name = name.split()[0]
    if endpoint.body is not None:
        return api.post(reverse(url_name), endpoint.body(obj), format="json")
    if endpoint.query is not None:
        return api.get(reverse(url_name), endpoint.query(obj))
    if endpoint.make is not None and not endpoint.is_list:
        return api.get(reverse(url_name, kwargs={"public_id": obj.public_id}))
    return api.get(reverse(url_name))


def make_obj(endpoint, tenant, client=None):
    return endpoint.make(tenant, client) if endpoint.make else None


@pytest.fixture
def responsible(db):
    """The administrator who creates the API clients (report runs are requested on their behalf)."""
    return UserFactory()


@pytest.mark.parametrize("name", sorted(ALL))
class TestEveryEndpoint:
    def test_own_tenant(self, name, tenant_a, make_api_client, bearer, responsible):
        endpoint = ALL[name]
        client, token = make_api_client(tenant_a, scopes=[endpoint.scope or "stats:read"], created_by=responsible)
        obj = make_obj(endpoint, tenant_a, client)
        response = call(bearer(token), name, endpoint, obj)
        assert response.status_code == endpoint.ok_status, response.content[:1000]
        if endpoint.is_list:
            assert str(obj.public_id) in [row["id"] for row in response.json()["results"]]

    def test_other_tenant(self, name, tenant_a, tenant_b, make_api_client, bearer, responsible):
        endpoint = ALL[name]
        theirs_client, _ = make_api_client(tenant_a, scopes=[endpoint.scope or "stats:read"], name="Theirs")
        theirs = make_obj(endpoint, tenant_a, theirs_client)
        _, token = make_api_client(tenant_b, scopes=[endpoint.scope or "stats:read"], created_by=responsible)
        response = call(bearer(token), name, endpoint, theirs)
        if endpoint.other_check is not None:
            assert endpoint.other_check(response), response.content[:1000]
        elif endpoint.make is None:
            assert response.json()["tenant"]["id"] == str(tenant_b.public_id)
        elif endpoint.is_list:
            assert response.status_code == 200
            assert str(theirs.public_id) not in [row["id"] for row in response.json()["results"]]
        else:
            body = assert_problem(response, endpoint.other_status)
            if endpoint.other_status == 400:  # a related field pointing into another tenant
                assert "does_not_exist" in {error["code"] for error in body["errors"]}, body

    def test_no_auth(self, name, tenant_a):
        endpoint = ALL[name]
        obj = make_obj(endpoint, tenant_a)
        assert_problem(call(APIClient(), name, endpoint, obj), 401, "not_authenticated")

    def test_wrong_scope(self, name, tenant_a, make_api_client, bearer):
        endpoint = ALL[name]
        if endpoint.scope is None:
            pytest.skip("open to any authenticated caller")
        client, token = make_api_client(tenant_a, scopes=[endpoint.wrong_scope])
        obj = make_obj(endpoint, tenant_a, client)
        body = assert_problem(call(bearer(token), name, endpoint, obj), 403, "missing_scope")
        assert endpoint.scope in body["missing_scopes"]
