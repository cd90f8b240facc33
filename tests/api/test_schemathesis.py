"""The OpenAPI contract against the live application: schemathesis generates requests for every operation of
``/api/schema/`` (valid and invalid ones) and checks that none gets a 5xx and every response conforms to the
schema (status code, content type, body, headers).

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
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from earlyhelp.api.models import Scope  # noqa: E402
from earlyhelp.models import AuditEvent  # noqa: E402
from tests.api import makers  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

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
    # Some data of each kind, so reads find rows and generated ids sometimes hit (most get 404).
    makers.case(tenant_a, opened_on=dt.date(2024, 4, 20))
    makers.kpi_return(tenant_a)
    makers.finished_report_run(tenant_a)
    _, token = make_api_client(tenant_a, scopes=Scope.values, created_by=UserFactory())
    headers = {"Authorization": f"Bearer {token}"}

    app = get_wsgi_application()
    failures = []
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                fuzz(operation, headers)
            except Exception as exc:  # collect every operation's failure, then report them together
                failures.append(f"{operation.method.upper()} {operation.path}: {exc!r}"[:3000])
    assert not failures, "\n\n".join(failures)
    calls = AuditEvent.all_tenants.filter(action="api.request", tenant=tenant_a).count()
    assert calls >= len(list(schema.get_all_operations())), "the fuzzing did not reach the API"


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
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
