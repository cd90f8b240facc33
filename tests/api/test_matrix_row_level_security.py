"""Every /api/v1/ endpoint of the URL-conf matrix, called as the non-owner application role (PostgreSQL
row-level security applied, as in production): nothing fails with a 5xx, the own tenant's object is served,
and no other tenant's row appears — listed, fetched by id, or named in a create or a query.

The objects are made as the owner before the role is switched; the whole request (token lookup, tenant
context, handler, audit row) then runs under the policies.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.api.conftest import assert_problem
from tests.api.test_matrix import ALL, call, make_obj


class AppRole:
    """``with AppRole(role):`` — the connection acts as ``role`` (not owner, not superuser, no BYPASSRLS)."""

    def __init__(self, role: str):
        self.role = role

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(self.role)}")
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == self.role

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_endpoint_as_the_app_role(name, tenant_a, tenant_b, make_api_client, bearer, app_role, member):
    endpoint = ALL[name]
    scope = endpoint.scope or "stats:read"
    responsible = member(tenant_a)  # report runs are requested on behalf of the client's creator
    client, token = make_api_client(tenant_a, scopes=[scope], created_by=responsible)
    ours = make_obj(endpoint, tenant_a, client)
    their_client, _ = make_api_client(tenant_b, scopes=[scope], name="Theirs")
    theirs = make_obj(endpoint, tenant_b, their_client)
    api = bearer(token)

    with AppRole(app_role):
        own = call(api, name, endpoint, ours)
        other = call(api, name, endpoint, theirs) if theirs is not None else None

    body = b"".join(own.streaming_content) if own.streaming else own.content
    assert own.status_code == endpoint.ok_status, body[:1000]
    if theirs is not None:
        assert str(theirs.public_id).encode() not in body
    if endpoint.is_list:
        assert str(ours.public_id) in [row["id"] for row in own.json()["results"]]
    if endpoint.make is None:
        assert own.json()["tenant"]["id"] == str(tenant_a.public_id)
    if other is not None:
        assert other.status_code < 500, other.content[:1000]
        if endpoint.other_check is not None:
            assert endpoint.other_check(other), other.content[:1000]
        elif endpoint.is_list:
            assert other.status_code == 200
        else:
            assert_problem(other, endpoint.other_status)
