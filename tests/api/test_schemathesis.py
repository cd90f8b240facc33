"""The OpenAPI contract against the live application: schemathesis generates requests for every operation of
``/api/schema/`` (valid and invalid ones: positive and negative generation) and checks that none gets a 5xx and
every response conforms to the schema (status code, content type, body, headers). Random ids and periods mostly
find nothing, so each operation also gets requests that find real data (``realistic_requests``: allocated,
unallocated and closed cases, valid periods and bodies), and the test insists that each of those got a success
answer whose body was checked against the schema.

Marked ``schemathesis`` so CI can select it (``pytest -m schemathesis``); examples are bounded
(``SCHEMATHESIS_MAX_EXAMPLES``, default 10 per operation) so it finishes in a minute or two.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra: pip install -e .[test]")

from django.core import signals  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from cases.models import Case  # noqa: E402
from earlyhelp.api.models import Scope  # noqa: E402
from earlyhelp.models import AuditEvent  # noqa: E402
from earlyhelp.permissions import Role  # noqa: E402
from earlyhelp.sharing.services import PARTNER_ONLY_SCOPES  # noqa: E402
from earlyhelp.tenancy import tenant_context  # noqa: E402
from tests.api import makers  # noqa: E402

pytestmark = pytest.mark.schemathesis

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_every_operation_keeps_the_contract(tenant_a, make_api_client):
    # Some data of each kind, so reads find rows — with the empty values a response must still declare (issue #19:
    # an unallocated case has no lead professional; a closed case a closure date but no locality).
    case = makers.case(tenant_a, opened_on=dt.date(2024, 4, 20))
    unallocated = makers.case(tenant_a, opened_on=dt.date(2024, 5, 3))
    closed = makers.case(tenant_a, opened_on=dt.date(2024, 5, 2))
    with tenant_context(tenant_a):
        Case.objects.filter(pk=unallocated.pk).update(lead_professional=None)
        Case.objects.filter(pk=closed.pk).update(closed_on=dt.date(2024, 9, 1), is_reopened=True, locality=None)
    reading = makers.reading(tenant_a)
    kpi_return = makers.kpi_return(tenant_a)
    run = makers.finished_report_run(tenant_a)
    report = makers.report(tenant_a)
    officer = makers.user_of(tenant_a, Role.PERFORMANCE_OFFICER)  # who answers for the client's report runs
    # Every scope a council's own system may hold (a partner-only scope such as "Known to Family Help?" would have
    # the whole client refused without a partner and an agreement: tests/partners test that operation's contract).
    own_scopes = [scope for scope in Scope.values if scope not in PARTNER_ONLY_SCOPES]
    client, token = make_api_client(tenant_a, scopes=own_scopes, created_by=officer)
    referral = makers.referral(tenant_a, client)  # a client reads the referrals it sent
    headers = {"Authorization": f"Bearer {token}"}
    with tenant_context(tenant_a):
        known = realistic_requests(case=case, unallocated=unallocated, closed=closed, referral=referral,
                                   reading=reading, kpi_return=kpi_return, run=run, report=report)

    app = get_wsgi_application()
    failures, reached = [], set()
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            key = f"{operation.method.upper()} {operation.path}"
            try:
                fuzz(operation, headers)
                cache.clear()  # the throttle's counters: the fuzzing above must not use up the realistic requests'
                for override in known.get(key, []):  # requests that find the data: the success responses
                    reached |= _fuzz(operation, headers, schemathesis.GenerationMode.POSITIVE, examples=3,
                                     **override)
            except Exception as exc:  # collect every operation's failure, then report them together
                failures.append(f"{key}: {exc!r}"[:3000])
    assert not failures, "\n\n".join(failures)
    calls = AuditEvent.all_tenants.filter(action="api.request", tenant=tenant_a).count()
    assert calls >= len(list(schema.get_all_operations())), "the fuzzing did not reach the API"
    # Every realistic request got a success answer at least once: its response schema was checked, not only 4xx.
    assert {key for key in known if key not in reached} == set(), reached


def realistic_requests(*, case, unallocated, closed, referral, reading, kpi_return, run, report) -> dict:
    """For each operation, requests that find real data (path ids, valid periods, valid bodies); schemathesis
    fills in the rest."""
    def ids(*objects):
        return [{"path_parameters": {"public_id": str(o.public_id)}} for o in objects]

    period_queries = [{"query": {"period": "2024/25"}}, {"query": {"period": "2024/25 Q1"}}]
    return {
        "GET /api/v1/cases/{public_id}/": ids(case, unallocated, closed),
        "GET /api/v1/families/{public_id}/": ids(case.family),
        "GET /api/v1/people/{public_id}/": ids(case.children.first()),
        "GET /api/v1/report-runs/{public_id}/pdf/": ids(run),
        "GET /api/v1/referrals/{public_id}/": ids(referral),
        "GET /api/v1/readings/{public_id}/": ids(reading),
        "GET /api/v1/returns/{public_id}/": ids(kpi_return),
        "GET /api/v1/report-runs/{public_id}/": ids(run),
        "GET /api/v1/teams/{public_id}/": ids(case.team),
        "GET /api/v1/stats/cases/": period_queries,
        "GET /api/v1/stats/audits/": period_queries,
        "GET /api/v1/stats/framework/": period_queries,
        "GET /api/v1/stats/kpis/": [{"query": {"service": str(kpi_return.service.public_id),
                                               "quarters": "2014/15 Q1,2014/15 Q2"}}],
        "POST /api/v1/referrals/": [{"body": {
            "family": {"name": "Brook family", "postcode": "nb2 2bb"},
            "new_children": [{"first_name": "Bea", "last_name": "Brook", "date_of_birth": "2016-07-01"}],
            "received_on": "2024-05-01", "source": "2A", "presenting_needs": ["PARENTING"],
            "reason": "Attendance has dropped."}}],
        "POST /api/v1/readings/": [{"body": {
            "case": str(reading.case.public_id), "tool": "spider-graph", "stage": "review", "taken_on": "2024-06-25",
            "scores": {"routines": 4, "parenting": 5, "health": None}}}],
        "POST /api/v1/returns/": [{"body": {
            "service": str(kpi_return.service.public_id), "quarter": "2014/15 Q2",
            "rows": [{"kpi_code": "referrals", "value": 12}, {"kpi_code": "waiting-days", "value": "17.5"},
                     {"kpi_code": "feeling-safer", "numerator": 14, "base": 15}]}}],
        "POST /api/v1/report-runs/": [{"body": {"report": str(report.public_id)}}],
    }


@contextmanager
def connection_kept_open():
    """Requests go through the real WSGI handler, whose end-of-request signal would close the test's database
    connection (and its transaction): disconnect it, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def fuzz(operation, headers) -> None:
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        _fuzz(operation, headers, mode)


def _fuzz(operation, headers, mode, examples=MAX_EXAMPLES, **override) -> set[str]:
    """Generate ``examples`` requests of ``operation`` (with ``override``: fixed path, query or body) and check
    every response; returns the operation's key when a response was a success."""
    succeeded = set()

    @given(case=operation.as_strategy(generation_mode=mode, **override))
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if response.status_code < 300:
            succeeded.add(f"{operation.method.upper()} {operation.path}")

    run()
    return succeeded
