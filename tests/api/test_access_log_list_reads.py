"""An API list read is found by "who has seen this record" for every record the list returned
(``detail.object_ids``, searched through the partial GIN index ``audit_listed_idx`` over ``detail``), shown as a
list read of that many records, and counted among views and reads; not for a record it did not return, never in
another council's log, and not for a member without the audit role."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.urls import reverse

from earlyhelp import selectors
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers


def test_a_case_returned_by_an_api_list_shows_who_listed_it(tenant_a, tenant_b, member, sign_in, make_api_client,
                                                             bearer):
    listed = [makers.case(tenant_a) for _ in range(3)]
    _, token = make_api_client(tenant_a, name="School MIS")
    body = bearer(token).get("/api/v1/cases/?page_size=2").json()
    returned = [row["id"] for row in body["results"]]
    not_returned = next(str(c.public_id) for c in listed if str(c.public_id) not in returned)
    auditor = member(tenant_a, role=Role.AUDITOR, username="agnes")
    client = sign_in(auditor)

    page = client.get(reverse("access-log"), {"record": returned[1]}).content.decode()
    assert "API client School MIS" in page and "A list of 2 records" in page and "GET /api/v1/cases/" in page
    rows = list(csv.reader(io.StringIO(client.get(reverse("access-log"), {
        "record": returned[0], "reads_only": "on", "format": "csv"}).content.decode())))
    assert rows[0][-1] == "records listed"
    assert [(row[1], row[4], row[-1]) for row in rows[1:]] == [("API client School MIS", "api.request", "2")]

    page = client.get(reverse("access-log"), {"record": not_returned}).content.decode()
    assert "A list of" not in page and "Opened a case" in page  # its own opening only

    # Another council's auditor searching the same record finds nothing; a practitioner may not search.
    outsider = sign_in(member(tenant_b, role=Role.AUDITOR, username="otto"))
    page = outsider.get(reverse("access-log"), {"record": returned[0]}).content.decode()
    assert "School MIS" not in page and "Nothing recorded matches." in page
    assert sign_in(member(tenant_a, role=Role.PRACTITIONER, username="pat")).get(
        reverse("access-log"), {"record": returned[0]}).status_code == 403


def test_the_search_uses_the_listed_records_index(tenant_a):
    """The selector states the partial indexes' conditions, so that among many list reads the planner finds a
    record through them rather than by reading the council's whole log."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO earlyhelp_auditevent (tenant_id, public_id, actor_label, action, object_type, "
            "object_public_id, occurred_at, request_id, detail, key_id, row_mac, chained, prev_hash, row_hash) "
            "SELECT %s, gen_random_uuid(), 'API client', 'api.request', '', '', now(), '', "
            "jsonb_build_object('method', 'GET', 'object_ids', jsonb_build_array(gen_random_uuid(), "
            "gen_random_uuid())), 'k', 'm', false, '', '' FROM generate_series(1, 5000)", [tenant_a.pk])
        cursor.execute("ANALYZE earlyhelp_auditevent")
    with tenant_context(tenant_a):
        query = selectors.access_log(object_public_ids=["5f0c6a43-7c1e-4c59-a7e4-1f5e3a9d8b21"])
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "audit_listed_idx" in plan and "audit_object_idx" in plan, plan
