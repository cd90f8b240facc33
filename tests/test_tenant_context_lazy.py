"""``tenant_context(lazy=True)`` (the API's request) sends the tenant's settings with the block's first
statement: whatever that statement is, the settings are in place before it runs."""

import pytest
from django.db import connection

from earlyhelp.models import Team
from earlyhelp.tenancy import tenant_context


def _setting(cursor):
    cursor.execute("SELECT current_setting('app.tenant_id', true)")
    return cursor.fetchone()[0]


@pytest.mark.parametrize("first", ["list params", "dict params", "no params", "executemany", "server-side cursor"])
def test_the_first_statement_runs_with_the_tenant_set(tenant_a, first):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', '', true), set_config('app.api_token_prefix', 'x', true)")
        cursor.execute("CREATE TEMPORARY TABLE lazy_probe (v text) ON COMMIT DROP")
        with tenant_context(tenant_a, lazy=True):
            if first == "list params":
                cursor.execute("SELECT current_setting(%s, true)", ["app.tenant_id"])
                assert cursor.fetchone()[0] == str(tenant_a.pk)
            elif first == "dict params":
                cursor.execute("SELECT current_setting(%(name)s, true), 100 %% 7", {"name": "app.tenant_id"})
                assert cursor.fetchone() == (str(tenant_a.pk), 2)
            elif first == "no params":
                assert _setting(cursor) == str(tenant_a.pk)
            elif first == "executemany":
                cursor.executemany("INSERT INTO lazy_probe VALUES (current_setting('app.tenant_id', true) || %s)",
                                   [("",), ("",)])
                cursor.execute("SELECT DISTINCT v FROM lazy_probe")
                assert cursor.fetchall() == [(str(tenant_a.pk),)]
            else:
                list(Team.objects.values_list("pk", flat=True).iterator(chunk_size=10))
            assert _setting(cursor) == str(tenant_a.pk)
            cursor.execute("SELECT current_setting('app.api_token_prefix', true)")
            assert cursor.fetchone()[0] == ""  # the lookup setting is cleared with it
