"""A shared cache of aggregate figures (``case_stats``, ``reading_stats``, ``family_outcome_stats``,
``programme_stats``) that is never stale.

Each of those figures is a pure function of the rows of the *source tables* below, the period, the scope and the
tenant settings named in its key (no figure depends on today's date). On PostgreSQL a statement-level trigger on
every source table notes, for each tenant whose rows a statement inserted, updated or deleted — through the ORM,
``bulk_create``, ``QuerySet.update``, raw SQL or ``COPY`` — that the transaction has written them: a
transaction-local setting ``figures.dirty_<tenant>`` and one row in ``cases_figurespending``. A deferred
constraint trigger on that table then replaces the tenant's random token in ``cases_figuresversion`` when the
transaction commits (a ``TRUNCATE`` renews every tenant's token at once). A reader reads the token *first* and
looks the figures up under ``(tenant, token, figure, period, scope)``:

* a write's rows and its new token become visible to other sessions at the same instant (its commit), so an
  entry stored under a token was counted from at least the rows that token stands for;
* once a later write commits, its new token is what every reader reads, so older entries are never served
  again (they age out of the cache);
* a transaction that has written a tenant's rows and not yet committed (its ``figures.dirty_<tenant>`` is set)
  counts its figures directly and neither reads nor stores cache entries: its rows may still roll back. A
  rolled-back savepoint takes its setting, its pending row and its deferred renewal with it.

Tokens are random (not counters), so a tenant id reused after a rolled-back test or a re-created database never
meets an old entry. Other databases have no triggers: there the figures are computed every time.

The cost on writes: one cheap statement trigger per write statement, one pending row per transaction and tenant,
and the token's row lock for the moment of commit — two writing transactions of one tenant wait for each other
only while committing, never from their first write (so a long import does not hold up the authority's other
writers, and the lock cannot take part in a deadlock with the rows they write).
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


def data_token(tenant_id: int) -> str | None:
    """The tenant's current token (created on first use); None while this transaction has written the tenant's
    source rows and not committed (its figures must then be counted, not cached). Inside ``pinned()``, read
    once."""
    pinned = _pinned.get()
    if pinned is not None and pinned[0] == tenant_id:
        return pinned[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT token FROM cases_figuresversion WHERE tenant_id = %s), "
                       "current_setting('figures.dirty_' || %s::text, true)", [tenant_id, tenant_id])
        token, dirty = cursor.fetchone()
        if dirty == "1":
            return None
        row = (token,) if token is not None else None
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
    token = data_token(tenant.pk)
    if token is None:
        return compute()
    cache_key = _cache_key(tenant.pk, token, figure, key)
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
    if token is None:
        return compute(list(range(len(keys))))
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
DECLARE
    t bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM cases_figuresversion;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        FOR t IN SELECT DISTINCT tenant_id FROM old_rows LOOP PERFORM figures_mark_written(t); END LOOP;
    ELSE
        FOR t IN SELECT DISTINCT tenant_id FROM new_rows LOOP PERFORM figures_mark_written(t); END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION figures_mark_written(t bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('figures.dirty_' || t::text, true) IS DISTINCT FROM '1' THEN
        PERFORM set_config('figures.dirty_' || t::text, '1', true);
        INSERT INTO cases_figurespending (tenant_id) VALUES (t);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION figures_renew_token_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_figuresversion (tenant_id, token) VALUES (NEW.tenant_id, gen_random_uuid())
    ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token;
    DELETE FROM cases_figurespending WHERE id = NEW.id;
    RETURN NULL;
END
$$;
"""

# The commit-time half: a deferred constraint trigger on the pending table (created once, by cases 0009).
PENDING_TRIGGER = """
CREATE CONSTRAINT TRIGGER cases_figurespending_renew AFTER INSERT ON cases_figurespending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_renew_token_at_commit()
"""


class RenewFiguresTokenAtCommit(Operation):
    """On PostgreSQL: (re)define the trigger functions and the deferred trigger on ``cases_figurespending``."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION)
        schema_editor.execute(PENDING_TRIGGER)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_figurespending_renew ON cases_figurespending")

    def describe(self):
        return "Renew the figures token when a writing transaction commits"

    def deconstruct(self):
        return (self.__class__.__name__, [], {})


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
