"""System checks that warn when PostgreSQL row-level security would be bypassed.

Tagged ``database``: run by ``manage.py check --database default`` and by ``migrate``.
"""

from django.core.checks import Tags, Warning, register
from django.db import connections

from .rls import rls_status


@register(Tags.database)
def check_row_level_security(app_configs=None, databases=None, **kwargs):
    warnings = []
    for alias in databases or []:
        conn = connections[alias]
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
                )
                superuser, bypass = cursor.fetchone()
                cursor.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tableowner = current_user AND tablename LIKE 'earlyhelp_%%'"
                )
                owns = cursor.fetchone()[0] > 0
            status = rls_status(conn)
        except Exception as exc:  # noqa: BLE001 - a check must report, not crash
            return [Warning(f"Could not inspect row-level security: {exc}", id="earlyhelp.W000")]
        if superuser or bypass:
            warnings.append(
                Warning(
                    "The database user is a superuser or has BYPASSRLS: row-level security does not apply.",
                    hint="Connect the application as the non-owner role (DATABASE_APP_ROLE); see README.",
                    id="earlyhelp.W001",
                )
            )
        elif owns:
            warnings.append(
                Warning(
                    "The database user owns the tables; connect as the application role in production.",
                    hint="Run migrations as the owner, serve requests as DATABASE_APP_ROLE.",
                    id="earlyhelp.W002",
                )
            )
        for table, (enabled, forced, policies) in sorted(status.items()):
            if not (enabled and forced and policies):
                warnings.append(
                    Warning(
                        f"Tenant table {table} has no forced row-level security policy.",
                        hint="Add earlyhelp.rls.EnableRowLevelSecurity to its migration.",
                        id="earlyhelp.W003",
                    )
                )
    return warnings
