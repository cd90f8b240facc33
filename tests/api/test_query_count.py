"""The cases list's database round trips are a fixed number, whatever the page size and the data: the token
lookup (with its RLS setting) on a client's first read in the worker, then the page's rows (with the tenant's
setting), one statement for everything they refer to, and the audit row of the read, without the chain's lock —
written only if the client, remembered since its lookup, is unchanged (bench/bench_api.py measures what they
cost)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from earlyhelp.audit_verify import verify_chain
from tests.api import makers

# Inside the request's transaction (BEGIN and COMMIT are not statements the test can capture; in a test the
# request's transaction is a savepoint of the test's, and its SAVEPOINT and RELEASE are left out below).
LOOKUP = 'WHERE "earlyhelp_apiclient"."token_prefix" = '  # the client's lookup (its prefix setting sent with it)
STATEMENTS = [
    # The tenant's setting (and the prefix's clearing) sent with the page's rows, one round trip:
    "set_config('app.api_token_prefix', '', true), set_config('app.tenant_id', '%s', true); SELECT "
    '"cases_case"."id"',
    "json_agg",  # families, referrals, teams, localities, levels of need, lead professionals, children
    # The audit row of a read: one INSERT outside the chain, without the chain's lock (earlyhelp.audit.record_read;
    # sealed in batches later by earlyhelp.audit_seals).
    # Written only where the client and its council are as remembered (earlyhelp.api.authentication). The INSERT
    # is prepared once per database session (its PREPARE is left out below: test_prepared_once_per_session).
    "EXECUTE eh_audit_read_",
]
prepares: list[str] = []


def _statements(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    prepares.extend(q["sql"] for q in ctx.captured_queries if q["sql"].startswith("PREPARE "))
    return [q["sql"] for q in ctx.captured_queries
            if "SAVEPOINT" not in q["sql"] and not q["sql"].startswith("PREPARE ")], response.json()


def test_the_cases_list_makes_a_fixed_number_of_statements(tenant_a, make_api_client, bearer):
    prepares.clear()
    _, token = make_api_client(tenant_a)
    client = bearer(token)
    makers.case(tenant_a, opened_on=dt.date(2024, 5, 1))
    with CaptureQueriesContext(connection) as first:  # the first read looks the client up
        client.get("/api/v1/cases/")
    assert sum(LOOKUP in q["sql"] for q in first.captured_queries) == 1
    seen = []
    for cases, page_size in ((1, 50), (6, 2), (6, 50)):
        while len(seen) < cases - 1:
            seen.append(makers.case(tenant_a, opened_on=dt.date(2024, 5, 2 + len(seen))))
        statements, body = _statements(client, f"/api/v1/cases/?page_size={page_size}")
        assert len(body["results"]) == min(cases, page_size)
        assert len(statements) == len(STATEMENTS), statements
        for sql, expected in zip(statements, STATEMENTS, strict=True):
            assert expected.replace("%s", str(tenant_a.pk)) in sql, (expected, sql)
    # The next page (a cursor) costs the same.
    _, body = _statements(client, "/api/v1/cases/?page_size=2")
    statements, body = _statements(client, body["next"].replace("http://testserver", ""))
    assert len(body["results"]) == 2
    assert len(statements) == len(STATEMENTS)
    assert len(prepares) == len(set(prepares)) <= 1  # on this session, at most the first remembered client's read
    # Every one of those calls is in the tenant's audit chain, which is intact.
    checked, breaks = verify_chain(tenant_a)
    assert checked and not breaks


def test_the_cases_list_reads_its_related_rows_under_row_level_security(tenant_a, tenant_b, make_api_client,
                                                                       bearer, app_role):
    from tests.api.test_matrix_row_level_security import AppRole

    mine = makers.case(tenant_a)
    makers.case(tenant_b)
    _, token = make_api_client(tenant_a)
    with AppRole(app_role):
        body = bearer(token).get("/api/v1/cases/").json()
    assert [row["id"] for row in body["results"]] == [str(mine.public_id)]
    row = body["results"][0]
    assert row["family"]["id"] == str(mine.family.public_id) and row["team"]["name"]
    assert row["children"] and row["level_of_need"]["rank"] == 2 and row["lead_professional"]
