"""PostgreSQL row-level security: the second wall, tested as the non-owner application role."""

import pytest
from django.db import DatabaseError, connection, transaction

from earlyhelp.audit import record_event
from earlyhelp.rls import rls_status
from tests.factories import LocalityFactory, MembershipFactory


def _as_app_role(cursor, role, tenant_id):
    cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id) if tenant_id else ""])


def test_every_tenant_table_has_forced_rls_with_a_policy(db):
    status = rls_status()
    assert status, "no tenant tables found"
    for table, (enabled, forced, policies) in status.items():
        assert enabled and forced and policies >= 1, table


def test_every_table_with_a_tenant_column_has_forced_rls_with_the_tenant_policy(db):
    """Found from the catalogue, not from the models: any table in the schema with a ``tenant_id`` column —
    a platform table such as the figures cache's state included — has RLS enabled and forced and a policy on
    ``app.tenant_id``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "coalesce(bool_or(pg_get_expr(p.polqual, p.polrelid) LIKE '%%app.tenant_id%%'), false) "
            "FROM information_schema.columns i "
            "JOIN pg_namespace n ON n.nspname = i.table_schema "
            "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = i.table_name AND c.relkind IN ('r', 'p') "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE i.table_schema = current_schema() AND i.column_name = 'tenant_id' "
            "GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity"
        )
        tables = cursor.fetchall()
    assert len(tables) > 60
    assert "earlyhelp_figuresversion" in {name for name, *_ in tables}
    assert [name for name, enabled, forced, policy in tables if not (enabled and forced and policy)] == []


def test_raw_sql_in_tenant_a_sees_none_of_tenant_b(tenant_a, tenant_b, app_role):
    LocalityFactory(tenant=tenant_a, name="Grays")
    LocalityFactory(tenant=tenant_b, name="Allenton")
    with transaction.atomic(), connection.cursor() as cursor:
        _as_app_role(cursor, app_role, tenant_a.pk)
        cursor.execute("SELECT name FROM earlyhelp_locality")
        assert [row[0] for row in cursor.fetchall()] == ["Grays"]
        cursor.execute("SELECT count(*) FROM earlyhelp_locality WHERE tenant_id = %s", [tenant_b.pk])
        assert cursor.fetchone()[0] == 0
        cursor.execute("RESET ROLE")


def test_with_no_tenant_set_the_app_role_sees_nothing(tenant_a, app_role):
    LocalityFactory(tenant=tenant_a, name="Grays")
    with transaction.atomic(), connection.cursor() as cursor:
        _as_app_role(cursor, app_role, None)
        cursor.execute("SELECT count(*) FROM earlyhelp_locality")
        assert cursor.fetchone()[0] == 0
        cursor.execute("RESET ROLE")


def test_an_insert_of_a_tenant_b_row_inside_tenant_a_is_refused(tenant_a, tenant_b, app_role):
    with transaction.atomic(), connection.cursor() as cursor:
        _as_app_role(cursor, app_role, tenant_a.pk)
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO earlyhelp_locality (tenant_id, public_id, name) VALUES (%s, gen_random_uuid(), 'X')",
                [tenant_b.pk],
            )
        cursor.execute("RESET ROLE")


def test_a_user_can_list_their_own_memberships_in_every_tenant_before_choosing_one(tenant_a, tenant_b, app_role):
    mine_a = MembershipFactory(tenant=tenant_a)
    MembershipFactory(tenant=tenant_b, user=mine_a.user)
    MembershipFactory(tenant=tenant_b)  # someone else's
    with transaction.atomic(), connection.cursor() as cursor:
        _as_app_role(cursor, app_role, None)
        cursor.execute("SELECT set_config('app.user_id', %s, true)", [str(mine_a.user_id)])
        cursor.execute("SELECT tenant_id FROM earlyhelp_membership ORDER BY tenant_id")
        assert [row[0] for row in cursor.fetchall()] == sorted([tenant_a.pk, tenant_b.pk])
        cursor.execute("RESET ROLE")


def test_the_audit_table_refuses_update_and_delete(tenant_a):
    event = record_event(tenant=tenant_a, action="test.written")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE earlyhelp_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM earlyhelp_auditevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "test.written"


def test_the_system_check_warns_when_connected_as_a_superuser(db):
    from earlyhelp.checks import check_row_level_security

    ids = {w.id for w in check_row_level_security(databases=["default"])}
    assert "earlyhelp.W001" in ids  # the test suite connects as the owner/superuser
    assert "earlyhelp.W003" not in ids


def test_a_request_runs_with_the_tenant_setting_of_its_membership(tenant_a, member, sign_in):
    """The middleware sets app.tenant_id transaction-locally for the signed-in user's active tenant."""
    from django.urls import path  # noqa: F401

    user = member(tenant_a)
    client = sign_in(user)
    response = client.get("/")
    assert response.status_code == 200
    with connection.cursor() as cursor:  # outside the request: nothing leaked onto the connection
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in (None, "")


def test_every_tenant_foreign_key_is_a_composite_constraint_and_no_single_column_one(db):
    """Each TenantForeignKey is ``(tenant_id, col) REFERENCES t (tenant_id, id)`` in the database, and Django's
    single-column constraint is absent: it would take the join clause and hide the composite key from the
    planner's join estimate (docs/scaling.md §3)."""
    from earlyhelp.rls import tenant_foreign_keys

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, array_agg(a.attname::text ORDER BY k.n), c.confrelid::regclass::text "
            "FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY k(attnum, n) "
            "JOIN pg_attribute a ON a.attnum = k.attnum "
            "WHERE c.contype = 'f' AND a.attrelid = c.conrelid GROUP BY c.oid"
        )
        constraints = {(table, tuple(columns), target) for table, columns, target in cursor.fetchall()}
    fields = list(tenant_foreign_keys())
    assert len(fields) > 50
    for model, field in fields:
        table, target = model._meta.db_table, field.related_model._meta.db_table
        assert (table, ("tenant_id", field.column), target) in constraints, f"{model.__name__}.{field.name}"
        assert (table, (field.column,), target) not in constraints, f"{model.__name__}.{field.name}"


def test_the_database_refuses_a_foreign_key_into_another_tenant(tenant_a, tenant_b):
    """Even as the owner (no RLS) and with the ORM's save-time check bypassed, the composite key refuses it."""
    from django.db import IntegrityError

    from tests.factories import TeamFactory

    team = TeamFactory(tenant=tenant_a)
    theirs = LocalityFactory(tenant=tenant_b)
    with pytest.raises(IntegrityError, match="tenant_fk"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE earlyhelp_team SET locality_id = %s WHERE id = %s", [theirs.pk, team.pk])
    ours = LocalityFactory(tenant=tenant_a)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE earlyhelp_team SET locality_id = %s WHERE id = %s", [ours.pk, team.pk])


def test_orm_joins_through_a_tenant_foreign_key_are_on_the_tenant_too(tenant_a, in_tenant):
    from earlyhelp.models import Locality, Team

    with in_tenant(tenant_a):
        forward = str(Team.objects.select_related("locality").filter(locality__name="Grays").query)
        backward = str(Locality.objects.filter(teams__name="North").query)
        excluded = str(Locality.objects.exclude(teams__name="North").query)
    on = '"earlyhelp_team"."tenant_id" = ("earlyhelp_locality"."tenant_id")'
    assert on in forward
    assert on in backward
    assert "NOT" in excluded  # the subquery form (no join alias on one side) still compiles


def test_link_tables_show_only_the_current_tenants_links_and_refuse_cross_tenant_ones(tenant_a, tenant_b, app_role):
    from tests.factories import TeamFactory

    membership = MembershipFactory(tenant=tenant_a)
    team = TeamFactory(tenant=tenant_a)
    membership.teams.add(team)
    their_team = TeamFactory(tenant=tenant_b)
    MembershipFactory(tenant=tenant_b).teams.add(their_team)
    with transaction.atomic(), connection.cursor() as cursor:
        _as_app_role(cursor, app_role, tenant_a.pk)
        cursor.execute("SELECT membership_id, team_id FROM earlyhelp_membership_teams")
        assert cursor.fetchall() == [(membership.pk, team.pk)]
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute("INSERT INTO earlyhelp_membership_teams (membership_id, team_id) VALUES (%s, %s)",
                           [membership.pk, their_team.pk])
        _as_app_role(cursor, app_role, None)
        cursor.execute("SELECT count(*) FROM earlyhelp_membership_teams")
        assert cursor.fetchone()[0] == 0
        cursor.execute("RESET ROLE")
