"""PostgreSQL row-level security: the second wall behind the scoped managers.

``EnableRowLevelSecurity`` is a migration operation for every tenant-owned table. It enables and *forces* RLS
and creates a policy that admits only rows whose ``tenant_id`` equals the transaction-local setting
``app.tenant_id`` (read once per statement through a sub-select). With the setting unset no row is visible and
no row can be written: it fails closed.

The application connects as a role that neither owns the tables nor is superuser nor has BYPASSRLS
(``settings.DATABASE_APP_ROLE``); migrations run as the owner and grant that role its rights when it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.migrations.operations.base import Operation

TENANT_SETTING = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
USER_SETTING = "(SELECT NULLIF(current_setting('app.user_id', true), '')::bigint)"
POLICY_NAME = "tenant_isolation"


class EnableRowLevelSecurity(Operation):
    """Enable and force RLS on ``model_name``'s table with the tenant policy.

    ``user_field``: also let a row be *read* when that column equals ``app.user_id`` (memberships, so that
    a user's own memberships in every tenant can be listed before a tenant is chosen).
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, user_field: str | None = None):
        self.model_name = model_name
        self.user_field = user_field

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(self._table(app_label, to_state))
        using = f"tenant_id = {TENANT_SETTING}"
        if self.user_field:
            using = f"({using}) OR {schema_editor.quote_name(self.user_field + '_id')} = {USER_SETTING}"
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {POLICY_NAME} ON {table} USING ({using}) WITH CHECK (tenant_id = {TENANT_SETTING})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(self._table(app_label, from_state))
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self):
        return f"Enable row-level security on {self.model_name}"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.user_field:
            kwargs["user_field"] = self.user_field
        return (self.__class__.__name__, [], kwargs)


class RefuseUpdateAndDelete(Operation):
    """Make a table append-only: a trigger refuses UPDATE and DELETE (audit tables)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION earlyhelp_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$",
            None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
            "FOR EACH ROW EXECUTE FUNCTION earlyhelp_refuse_change()"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {schema_editor.quote_name(table)}")

    def describe(self):
        return f"Make {self.model_name} append-only"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name})


class EnableLinkTableSecurity(Operation):
    """Row-level security for a many-to-many link table (``model_name``'s ``field``), which has no tenant column.

    A link row is visible exactly when its owning row (``model_name``'s) is visible under that table's own
    policies (a sub-select on the owning table, to which its policy applies), so a tenant sees only its own
    links and, with ``app.tenant_id`` unset, none. A link row may be written only when both of the rows it
    joins belong to the tenant in ``app.tenant_id``. Enabled and forced, as on the tenant tables. On other
    databases it does nothing.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field: str):
        self.model_name = model_name
        self.field = field

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        field = to_state.apps.get_model(app_label, self.model_name)._meta.get_field(self.field)
        through = field.remote_field.through._meta
        table = q(through.db_table)
        source = q(field.m2m_column_name())
        target = q(field.m2m_reverse_name())
        source_table = q(field.model._meta.db_table)
        target_table = q(field.related_model._meta.db_table)
        # Identifiers only, quoted by the schema editor: no value is interpolated. Scalar sub-selects on the
        # primary key, not EXISTS: the planner turns an EXISTS in a policy into a hashed sub-plan that reads every
        # row of the tenant's owning table (100 ms for a 50-row prefetch at national size) instead of a probe.
        visible = f"(SELECT true FROM {source_table} o WHERE o.id = {source})"  # noqa: S608
        same_tenant = " AND ".join(
            f"(SELECT x.tenant_id FROM {rel} x WHERE x.id = {column}) = {TENANT_SETTING}"  # noqa: S608
            for rel, column in ((source_table, source), (target_table, target))
        )
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"CREATE POLICY {POLICY_NAME} ON {table} USING ({visible}) WITH CHECK ({same_tenant})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        field = from_state.apps.get_model(app_label, self.model_name)._meta.get_field(self.field)
        table = schema_editor.quote_name(field.remote_field.through._meta.db_table)
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self):
        return f"Enable row-level security on the links of {self.model_name}.{self.field}"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name, "field": self.field})


class TenantForeignKeys(Operation):
    """The database side of ``earlyhelp.tenancy.TenantForeignKey``, for every such field of this app's models.

    For each field: a unique ``(tenant_id, id)`` on the referenced table (once per table) and
    ``FOREIGN KEY (tenant_id, <column>) REFERENCES <table> (tenant_id, id) DEFERRABLE INITIALLY DEFERRED``, so
    the database refuses a row that points into another tenant, and the planner can estimate tenant joins
    (docs/scaling.md §3). Idempotent: constraints that exist are left alone, so a later migration that adds a
    field runs it again. Adding a constraint checks the existing rows.
    """

    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label, state):
        pass

    @staticmethod
    def fields(app_label, state):
        from .tenancy import TenantForeignKey

        for model in state.apps.get_app_config(app_label).get_models():
            for field in model._meta.local_concrete_fields:
                if isinstance(field, TenantForeignKey):
                    yield model, field

    @staticmethod
    def _exists(schema_editor, name: str) -> bool:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
            return cursor.fetchone() is not None

    @staticmethod
    def unique_name(schema_editor, table: str) -> str:
        return schema_editor._create_index_name(table, ["tenant_id", "id"], suffix="_tenant_key")

    @staticmethod
    def fk_name(schema_editor, table: str, column: str) -> str:
        return schema_editor._create_index_name(table, ["tenant_id", column], suffix="_tenant_fk")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        for model, field in self.fields(app_label, to_state):
            table, target = model._meta.db_table, field.related_model._meta.db_table
            unique = self.unique_name(schema_editor, target)
            if not self._exists(schema_editor, unique):
                schema_editor.execute(f"ALTER TABLE {q(target)} ADD CONSTRAINT {q(unique)} UNIQUE (tenant_id, id)")
            name = self.fk_name(schema_editor, table, field.column)
            if not self._exists(schema_editor, name):
                schema_editor.execute(
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY (tenant_id, {q(field.column)}) "
                    f"REFERENCES {q(target)} (tenant_id, id) DEFERRABLE INITIALLY DEFERRED"
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        q = schema_editor.quote_name
        for model, field in self.fields(app_label, from_state):
            name = self.fk_name(schema_editor, model._meta.db_table, field.column)
            schema_editor.execute(f"ALTER TABLE {q(model._meta.db_table)} DROP CONSTRAINT IF EXISTS {q(name)}")

    def describe(self):
        return "Composite (tenant_id, …) foreign keys for the tenant foreign keys"

    def deconstruct(self):
        return (self.__class__.__name__, [], {})


def app_role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def grant_app_role(using: str = "default", **kwargs) -> None:
    """After migrate: give the application role its table rights (never ownership, never TRUNCATE)."""
    from django.db import connections

    conn = connections[using]
    role = settings.DATABASE_APP_ROLE
    with conn.cursor() as cursor:
        if not app_role_exists(cursor, role):
            return
        quoted = conn.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        # Planner statistics after a bulk load, as the owner (earlyhelp.planner_statistics): EXECUTE, no ownership.
        cursor.execute("SELECT to_regprocedure('earlyhelp_analyze(text[])') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION earlyhelp_analyze(text[]) TO {quoted}")


def tenant_tables() -> list[str]:
    from django.apps import apps

    from .tenancy import TenantModel

    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantModel) and model._meta.managed and not model._meta.proxy
    )


def tenant_foreign_keys():
    """(model, field) for every TenantForeignKey of the installed tenant models."""
    from django.apps import apps

    from .tenancy import TenantForeignKey

    for model in apps.get_models():
        for field in model._meta.local_concrete_fields:
            if isinstance(field, TenantForeignKey):
                yield model, field


def link_tables() -> list[str]:
    """The many-to-many link tables between tenant-owned models (no tenant column; EnableLinkTableSecurity)."""
    from django.apps import apps

    from .tenancy import TenantModel

    return sorted(
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    )


def rls_status(conn=None) -> dict[str, tuple[bool, bool, int]]:
    """For each tenant table and link table: (RLS enabled, RLS forced, number of policies)."""
    conn = conn or connection
    tables = tenant_tables() + link_tables()
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "(SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(%s)",
            [tables],
        )
        return {name: (enabled, forced, policies) for name, enabled, forced, policies in cursor.fetchall()}


class AllowReadBySetting(Operation):
    """A second, read-only policy: a row may also be *read* when ``field`` equals the transaction-local
    setting ``setting`` (text). For lookups that must happen before the tenant is known — an API token's
    prefix — while every other read and every write still needs ``app.tenant_id``. With the setting unset
    the policy admits nothing.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field: str, setting: str):
        self.model_name = model_name
        self.field = field
        self.setting = setting

    def state_forwards(self, app_label, state):
        pass

    def _policy(self) -> str:
        return f"read_by_{self.field}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(to_state.apps.get_model(app_label, self.model_name)._meta.db_table)
        column = schema_editor.quote_name(self.field)
        setting = schema_editor.quote_value(self.setting)
        schema_editor.execute(
            f"CREATE POLICY {self._policy()} ON {table} FOR SELECT "
            f"USING ({column} = (SELECT NULLIF(current_setting({setting}, true), '')))"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(from_state.apps.get_model(app_label, self.model_name)._meta.db_table)
        schema_editor.execute(f"DROP POLICY IF EXISTS {self._policy()} ON {table}")

    def describe(self):
        return f"Let {self.model_name} rows be read by {self.field} = {self.setting}"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name, "field": self.field,
                                              "setting": self.setting})
