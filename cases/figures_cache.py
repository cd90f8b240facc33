"""A shared cache of aggregate figures (``case_stats``, ``reading_stats``, ``family_outcome_stats``,
``programme_stats``) that is never stale.

Each of those figures is a pure function of the rows of the *source tables* below, the period, the scope and the
tenant settings named in its key (no figure depends on today's date). On PostgreSQL a statement-level trigger on
every source table replaces the tenant's random token in ``cases_figuresversion`` whenever that tenant's rows are
inserted, updated or deleted — through the ORM, ``bulk_create``, ``QuerySet.update``, raw SQL or ``COPY`` — in the
same transaction as the write (a ``TRUNCATE`` renews every tenant's token). A reader reads the token *first* and
looks the figures up under ``(tenant, token, figure, period, scope)``:

* a write's rows and its new token become visible to other sessions at the same instant (its commit), so an
  entry stored under a token was counted from at least the rows that token stands for;
* once a later write commits, its new token is what every reader reads, so older entries are never served
  again (they age out of the cache);
* a transaction that writes and then reads counts its own rows under its own, uncommitted token: if it rolls
  back, that token never becomes visible and the entry is never served.

Tokens are random (not counters), so a tenant id reused after a rolled-back test or a re-created database never
meets an old entry. Other databases have no triggers: there the figures are computed every time.

The cost on writes: the first write of a transaction to a tenant's source tables takes the lock on the tenant's
token row until it commits, so two writing transactions of one tenant wait for each other at that point.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.operations.base import Operation

from earlyhelp.tenancy import current_tenant

T = TypeVar("T")

# Raise when what a cached figure means or its class's fields change: entries of the old code are then ignored.
CODE_VERSION = "1"
TIMEOUT = 7 * 24 * 3600

# Every table a cached figure is counted from (tests/test_figures_cache.py checks the statistics read no other).
SOURCE_TABLES = {
    "cases": ["referral", "referralsource", "case", "closure", "closurereason", "assessment", "stepchange",
              "feedback", "intervention"],
    "commissioning": ["commissionedservice"],
    "outcomes": ["reading", "readingscore", "distancetool", "toolversion", "toolarea", "familyoutcome",
                 "casefamilyoutcome", "programmeframework", "programmeoutcome", "enrolment", "enrolmentneed",
                 "claim"],
}

_pinned: ContextVar[tuple[int, str] | None] = ContextVar("figures_token", default=None)


def enabled() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "FIGURES_CACHE", True)


def data_token(tenant_id: int) -> str:
    """The tenant's current token (created on first use). Inside ``pinned()``, read once."""
    pinned = _pinned.get()
    if pinned is not None and pinned[0] == tenant_id:
        return pinned[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM cases_figuresversion WHERE tenant_id = %s", [tenant_id])
        row = cursor.fetchone()
        if row is None:
            # A concurrent writer's upsert holds the key until it commits; then DO NOTHING, and the select below
            # reads the writer's token.
            cursor.execute("INSERT INTO cases_figuresversion (tenant_id, token) VALUES (%s, gen_random_uuid()) "
                           "ON CONFLICT (tenant_id) DO NOTHING", [tenant_id])
            cursor.execute("SELECT token FROM cases_figuresversion WHERE tenant_id = %s", [tenant_id])
            row = cursor.fetchone()
    return str(row[0])


@contextmanager
def pinned() -> Iterator[None]:
    """Within the block the current tenant's token is read once. For read-only work (a page, a report build):
    a write inside the block would not be seen by figures read after it in the same block."""
    tenant = current_tenant()
    if tenant is None or not enabled() or _pinned.get() is not None:
        yield
        return
    token = _pinned.set((tenant.pk, data_token(tenant.pk)))
    try:
        yield
    finally:
        _pinned.reset(token)


def _cache_key(tenant_id: int, token: str, figure: str, key: tuple) -> str:
    raw = repr((CODE_VERSION, tenant_id, token, figure, key))
    return "figures:" + hashlib.sha256(raw.encode()).hexdigest()


def cached(figure: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``'s value for the current tenant, from the cache when the tenant's data have not changed
    since it was stored. ``key`` must name everything besides the source rows that the value depends on."""
    tenant = current_tenant()
    if tenant is None or not enabled():
        return compute()
    cache_key = _cache_key(tenant.pk, data_token(tenant.pk), figure, key)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value


def cached_series(figure: str, keys: list[tuple], compute: Callable[[list[int]], list[T]]) -> list[T]:
    """``cached`` for several keys at once (one figure over several periods): the values stored under ``keys``
    (the same entries ``cached`` reads and writes), with the missing ones computed together by
    ``compute(indices)``, which returns the values for ``keys[i]`` for each ``i`` of ``indices``, in order."""
    tenant = current_tenant()
    if tenant is None or not enabled():
        return compute(list(range(len(keys))))
    token = data_token(tenant.pk)
    cache_keys = [_cache_key(tenant.pk, token, figure, key) for key in keys]
    found = cache.get_many(list(dict.fromkeys(cache_keys)))
    missing = [i for i, k in enumerate(cache_keys) if found.get(k) is None]
    if missing:
        computed = compute(missing)
        fresh = {cache_keys[i]: value for i, value in zip(missing, computed, strict=True)}
        cache.set_many(fresh, TIMEOUT)
        found.update(fresh)
    return [found[k] for k in cache_keys]


_FUNCTION = """
CREATE OR REPLACE FUNCTION figures_renew_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM cases_figuresversion;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO cases_figuresversion (tenant_id, token)
        SELECT t, gen_random_uuid() FROM (SELECT DISTINCT tenant_id FROM old_rows) AS d (t) ORDER BY t
        ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token;
    ELSE
        INSERT INTO cases_figuresversion (tenant_id, token)
        SELECT t, gen_random_uuid() FROM (SELECT DISTINCT tenant_id FROM new_rows) AS d (t) ORDER BY t
        ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token;
    END IF;
    RETURN NULL;
END
$$
"""


class RenewFiguresTokenOnWrite(Operation):
    """On PostgreSQL: triggers on ``model_name``'s table that renew the tenant's figures token on every write.
    ``model_name`` may name another app's model as ``"app_label.model"``."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        label, _, name = self.model_name.rpartition(".")
        return state.apps.get_model(label or app_label, name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, to_state)
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(_FUNCTION)
        for op, ref in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "NEW TABLE AS new_rows"),
                        ("DELETE", "OLD TABLE AS old_rows")):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_figures_{op.lower()} AFTER {op} ON {quoted} REFERENCING {ref} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION figures_renew_token()")
        schema_editor.execute(f"CREATE TRIGGER {table}_figures_truncate AFTER TRUNCATE ON {quoted} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION figures_renew_token()")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, from_state)
        for op in ("insert", "update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{op} ON {schema_editor.quote_name(table)}")

    def describe(self):
        return f"Renew the figures token on writes to {self.model_name}"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name})
