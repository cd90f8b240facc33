"""Fresh planner statistics after a bulk load.

A council's first import, a large KPI return or a new council's seeded lists can change a table's size by orders
of magnitude between two autovacuum runs; until PostgreSQL's statistics catch up the planner may pick a plan for
the old size (a new council's first import fell into a nested loop for 29–46 s until ``ANALYZE``). The loaders
therefore call :func:`analyze_after_load` with the models they wrote and how many rows they loaded.

Privileges: ``ANALYZE`` needs the table's owner (or a superuser; PostgreSQL 17's ``MAINTAIN`` privilege is not
available on 15), and the application role (``settings.DATABASE_APP_ROLE``) owns nothing — a plain ``ANALYZE`` as
that role is skipped with a warning. Migration ``earlyhelp.0013_tidy_analyze_function`` therefore creates
``earlyhelp_analyze(text[])``, a ``SECURITY DEFINER`` function owned by the migrating (owner) role, which analyses
only tables of the ``public`` schema that its owner owns; ``grant_app_role`` grants the application role
``EXECUTE`` on it and nothing more. On databases other than PostgreSQL it does nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

FUNCTION = "earlyhelp_analyze"
FUNCTION_SIGNATURE = f"{FUNCTION}(text[])"
# Below this many rows loaded the tables' statistics are left to autovacuum (settings.ANALYZE_AFTER_LOAD_MIN_ROWS).
DEFAULT_MIN_ROWS = 500


def min_rows() -> int:
    return getattr(settings, "ANALYZE_AFTER_LOAD_MIN_ROWS", DEFAULT_MIN_ROWS)


def analyze_after_load(*models, rows: int | None = None, using: str = "default") -> bool:
    """Analyse the tables of ``models`` (model classes, including many-to-many ``through`` models) once the
    current transaction commits — when ``rows`` loaded reach :func:`min_rows`, or always when ``rows`` is None.
    Returns whether an analysis was scheduled. A failure is logged, never raised into the load that succeeded."""
    if rows is not None and rows < min_rows():
        return False
    if connections[using].vendor != "postgresql":
        return False
    tables = sorted({model._meta.db_table for model in models})
    transaction.on_commit(lambda: analyze_tables(tables, using=using), using=using, robust=True)
    return True


def analyze_tables(tables: list[str], *, using: str = "default") -> int:
    """``ANALYZE`` each table now, as the tables' owner (through ``earlyhelp_analyze``); how many were analysed."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {FUNCTION}(%s::text[])", [list(tables)])
        analysed = cursor.fetchone()[0]
    logger.info("analysed %s of %s tables after a bulk load: %s", analysed, len(tables), ", ".join(tables))
    return analysed
