"""Every /api/v1/ endpoint × (own tenant, other tenant, no auth, wrong scope), generated from the URL conf.

A new endpoint without an entry in ENDPOINTS fails ``test_every_v1_endpoint_is_in_the_matrix``: say which
scope it needs and how to make an object of each tenant for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.conftest import assert_problem
from tests.factories import TeamFactory


@dataclass(frozen=True)
class Endpoint:
    scope: str | None  # the scope that grants it (None: any authenticated caller)
    make: Callable | None = None  # make(tenant) → an object of that tenant (detail endpoints)
    is_list: bool = False
    wrong_scope: str = "returns:write"


ENDPOINTS = {
    "api:v1:me": Endpoint(scope=None),
    "api:v1:team-list": Endpoint(scope="cases:read", make=lambda tenant: TeamFactory(tenant=tenant), is_list=True),
    "api:v1:team-detail": Endpoint(scope="cases:read", make=lambda tenant: TeamFactory(tenant=tenant)),
}


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
    assert v1_url_names() == set(ENDPOINTS)


def url_for(name, endpoint, obj):
    if endpoint.make is not None and not endpoint.is_list:
        return reverse(name, kwargs={"public_id": obj.public_id})
    return reverse(name)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
class TestEveryEndpoint:
    def test_own_tenant(self, name, tenant_a, make_api_client, bearer):
        endpoint = ENDPOINTS[name]
        obj = endpoint.make(tenant_a) if endpoint.make else None
        _, token = make_api_client(tenant_a, scopes=[endpoint.scope or "stats:read"])
        response = bearer(token).get(url_for(name, endpoint, obj))
        assert response.status_code == 200, response.content
        if endpoint.is_list:
            assert str(obj.public_id) in [row["id"] for row in response.json()["results"]]

    def test_other_tenant(self, name, tenant_a, tenant_b, make_api_client, bearer):
        endpoint = ENDPOINTS[name]
        theirs = endpoint.make(tenant_a) if endpoint.make else None
        _, token = make_api_client(tenant_b, scopes=[endpoint.scope or "stats:read"])
        response = bearer(token).get(url_for(name, endpoint, theirs))
        if endpoint.make is None:
            assert response.json()["tenant"]["id"] == str(tenant_b.public_id)
        elif endpoint.is_list:
            assert str(theirs.public_id) not in [row["id"] for row in response.json()["results"]]
        else:
            assert_problem(response, 404, "not_found")

    def test_no_auth(self, name, tenant_a, client):
        endpoint = ENDPOINTS[name]
        obj = endpoint.make(tenant_a) if endpoint.make else None
        assert_problem(client.get(url_for(name, endpoint, obj)), 401, "not_authenticated")

    def test_wrong_scope(self, name, tenant_a, make_api_client, bearer):
        endpoint = ENDPOINTS[name]
        if endpoint.scope is None:
            pytest.skip("open to any authenticated caller")
        obj = endpoint.make(tenant_a) if endpoint.make else None
        _, token = make_api_client(tenant_a, scopes=[endpoint.wrong_scope])
        body = assert_problem(bearer(token).get(url_for(name, endpoint, obj)), 403, "missing_scope")
        assert endpoint.scope in body["missing_scopes"]
