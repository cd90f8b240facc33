"""Shared fixtures: two tenants, members in any role, and signed-in clients.

Tests read as sentences about alice (a member with the role), bob (a member of the same tenant without it) and
an outsider (a member of another tenant): every view test includes the outsider (404) and bob (403).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django_scopes import scope

from earlyhelp import embedded_db
from earlyhelp.permissions import Role
from tests import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Without DATABASE_URL: a throwaway embedded PostgreSQL cluster for this run, reached as its owner (who
    creates the test database), stopped and deleted at the end. With DATABASE_URL: that server, as it is."""
    from django.conf import settings

    if not settings.EMBEDDED_DATABASE:
        yield
        return
    with embedded_db.throwaway_server() as server:
        settings.DATABASES["default"].update(server.settings(user=embedded_db.OWNER))
        yield


@pytest.fixture
def tenant_a(db):
    return factories.TenantFactory(name="Northbridge Borough Council", slug="northbridge")


@pytest.fixture
def tenant_b(db):
    return factories.TenantFactory(name="Eastmoor City Council", slug="eastmoor")


@pytest.fixture
def member(db):
    """``member(tenant, role, **kwargs)`` → a user with that role in that tenant."""

    def make(tenant, role=Role.PRACTITIONER, username=None, **kwargs):
        if username:
            kwargs["user__username"] = username
        return factories.MembershipFactory(tenant=tenant, role=role, **kwargs).user

    return make


@pytest.fixture
def sign_in(client):
    """``sign_in(user)`` → the test client, signed in as ``user``."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def in_tenant():
    """``with in_tenant(tenant):`` — run test code inside a tenant's scope (no RLS setting)."""
    return lambda tenant: scope(tenant=tenant)


@pytest.fixture
def app_role(db):
    """The non-owner application role, granted its rights, for tests that make RLS apply."""
    from django.conf import settings

    from earlyhelp.rls import grant_app_role

    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN NOSUPERUSER NOBYPASSRLS")
    grant_app_role()
    return role


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp(settings, tmp_path):
    """Each test's audit checkpoints (earlyhelp.audit_checkpoints) go to its own directory, never var/."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def as_app_role(app_role):
    """From here to the end of the test this connection runs as the application role, so row-level security
    applies to everything it does (a transactional test: ``SET ROLE`` for the session); the owner again after."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
    yield app_role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
