"""The API under PostgreSQL row-level security, as the non-owner application role: the token lookup by
prefix works before the tenant is known, and nothing of another tenant is visible."""

from django.db import connection

from tests.factories import TeamFactory


def test_a_client_works_under_rls_and_sees_only_its_tenant(tenant_a, tenant_b, make_api_client, bearer,
                                                           app_role):
    TeamFactory(tenant=tenant_a, name="Grays Team")
    theirs = TeamFactory(tenant=tenant_b, name="Allenton Team")
    _, token = make_api_client(tenant_a)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
        try:
            api = bearer(token)
            assert [t["name"] for t in api.get("/api/v1/teams/").json()["results"]] == ["Grays Team"]
            assert api.get(f"/api/v1/teams/{theirs.public_id}/").status_code == 404
            assert bearer(token[:-3] + "xyz").get("/api/v1/me/").status_code == 401
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
        finally:
            cursor.execute("RESET ROLE")


def test_without_the_prefix_setting_the_app_role_sees_no_client(tenant_a, make_api_client, app_role):
    make_api_client(tenant_a)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
        try:
            cursor.execute("SELECT count(*) FROM earlyhelp_apiclient")
            assert cursor.fetchone()[0] == 0
        finally:
            cursor.execute("RESET ROLE")
