"""Reading PostgreSQL's per-table ANALYZE counter in tests (earlyhelp.planner_statistics)."""

from __future__ import annotations

from django.db import connection


def analyze_count(table: str) -> int:
    """How many times ``table`` has been analysed by hand (``pg_stat_user_tables.analyze_count``), read fresh."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are cached per transaction otherwise
        cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]
