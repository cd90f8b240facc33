"""A shared cache of aggregate figures (``case_stats``, ``reading_stats``, ``family_outcome_stats``,
``programme_stats``) that is never stale, and that keeps a closed period's figures when today's work comes in.

Each of those figures is a pure function of the rows of the *source tables* below, the period, the scope and the
tenant settings named in its key (no figure depends on today's date). Most figures of a period depend only on
records dated up to the period's end, so a referral received today cannot change last quarter's figures; the
cache uses that.

**Writes.** A statement-level trigger on every source table works out, from the statement's old
and new rows (through the ORM, ``bulk_create``, ``QuerySet.update``, raw SQL or ``COPY``), for each tenant, the
*earliest date from which the statement can change a figure*: the period ends it can affect are on or after that
date (``ANCHORS``: a referral's received date; a closure's closed date; a reading's date, its case's first end
reading and its closure, since a pair is counted in the period of its end reading; a case reassigned to another
team changes every period). A write that changes only columns no figure reads (notes, summaries) notes nothing.
The transaction keeps, per tenant, one row in ``cases_figurespending`` holding the earliest such date, and a
transaction-local setting ``figures.dirty_<tenant>``. A deferred constraint trigger on that table then, as the
transaction commits, adds one to the tenant's change number in ``cases_figuresversion`` and records
``(change number, earliest date)`` there; a write to a lookup table (a tool's areas, closure reasons) or a
``TRUNCATE`` replaces the tenant's random token instead, which retires every entry at once.

The recorded changes are kept as a *staircase*: a change whose date is on or after a later change's date adds
nothing (the later one already retires whatever the earlier would), so the list stays short — in practice the
dates of the last few days — and is capped (``MAX_CHANGES``) by merging its two oldest steps into one that
retires at least as much.

**Reads.** A reader reads the tenant's state (token, change number, staircase) *first*, then counts, and stores
the figure under ``(tenant, token, figure, period, scope)`` with the change number it read. An entry is served
while no change recorded after its number has a date on or before the entry's period end:

* a write's rows and its change become visible to other sessions at the same instant (its commit), so an entry
  counted after reading change number *n* includes at least the rows of changes 1…*n*;
* a later change that could alter the entry's period is in the staircase (or merged into an earlier-dated
  step), so the entry is recounted; one dated after the period's end leaves it served;
* a transaction that has written a tenant's rows and not yet committed (its ``figures.dirty_<tenant>`` is set)
  counts its figures directly and neither reads nor stores cache entries: its rows may still roll back. A
  rolled-back savepoint takes its setting, its pending row and its deferred renewal with it.

Tokens are random (not counters), so a tenant id reused after a rolled-back test or a re-created database never
meets an old entry.

The cost on writes: one statement trigger per write statement (an index lookup or two per row for readings),
one pending row per transaction and tenant, and the version row's lock for the moment of commit — two writing
transactions of one tenant wait for each other only while committing, never from their first write (so a long
import does not hold up the authority's other writers, and the lock cannot take part in a deadlock with the rows
they write).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.operations.base import Operation

from earlyhelp.tenancy import current_tenant

T = TypeVar("T")

# Raise when what a cached figure means or its class's fields change: entries of the old code are then ignored.
CODE_VERSION = "2"
TIMEOUT = 7 * 24 * 3600
MAX_CHANGES = 32

# Every table a cached figure is counted from (tests/test_figures_cache.py checks the statistics read no other).
SOURCE_TABLES = {
    "cases": ["referral", "referralsource", "case", "closure", "closurereason", "assessment", "stepchange",
              "feedback", "intervention"],
    "commissioning": ["commissionedservice"],
    "outcomes": ["reading", "readingscore", "distancetool", "toolversion", "toolarea", "familyoutcome",
                 "casefamilyoutcome", "programmeframework", "programmeoutcome", "enrolment", "enrolmentneed",
                 "claim"],
}


@dataclass(frozen=True)
class Anchor:
    """How a write to one source table dates its effect on the figures.

    ``row``: SQL over the row alias ``{r}`` giving the earliest period end the row's presence can change (NULL:
    none, e.g. an assessment not yet completed). It may read other tables, as they stand after the statement.
    ``moving``: date columns whose change alone (with ``ignored`` columns) changes only the periods ending on or
    after the earlier of the old and new dates (a case's closed date). ``ignored``: columns no figure reads.
    ``whole_history``: a change to any other column changes every period (a case moved to another team).
    """

    row: str
    moving: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ("public_id",)
    whole_history: bool = False


_READING_ROW = (
    "least({r}.taken_on,"
    " (SELECT min(e.taken_on) FROM outcomes_reading e WHERE e.tenant_id = {r}.tenant_id AND e.case_id = {r}.case_id"
    " AND e.stage = 'end'),"
    " (SELECT min(c.closed_on) FROM cases_closure c WHERE c.tenant_id = {r}.tenant_id AND c.case_id = {r}.case_id))")

# Tables not named here (the lookup tables) change every period: a write replaces the token.
ANCHORS: dict[str, Anchor] = {
    "cases_referral": Anchor("least({r}.received_on, {r}.decided_on)", moving=("decided_on",),
                             ignored=("public_id", "reason", "created_at", "recorded_by_id")),
    "cases_case": Anchor(
        "least({r}.opened_on, {r}.closed_on, (SELECT x.received_on FROM cases_referral x"
        " WHERE x.tenant_id = {r}.tenant_id AND x.id = {r}.referral_id))",
        moving=("closed_on",), whole_history=True,
        ignored=("public_id", "created_at", "lead_professional_id", "summary", "summary_updated_at",
                 "level_of_need_id")),
    "cases_closure": Anchor("{r}.closed_on", ignored=("public_id", "summary")),
    "cases_assessment": Anchor("{r}.completed_on",
                               ignored=("public_id", "child_voice", "child_voice_recorded", "summary")),
    "cases_stepchange": Anchor("{r}.occurred_on", ignored=("public_id", "notes")),
    "cases_feedback": Anchor("{r}.received_on", ignored=("public_id", "respondent", "comments", "is_anonymous")),
    "cases_intervention": Anchor("{r}.started_on", ignored=("public_id", "notes", "created_at", "ended_on")),
    # A pair counts in the period of its end reading, and a closure counts as "with a start and an end reading"
    # whenever they were taken: a reading can change the periods of its case's end readings and closure.
    "outcomes_reading": Anchor(_READING_ROW, ignored=("public_id", "notes", "created_at", "recorded_by_id")),
    "outcomes_readingscore": Anchor(
        "coalesce((SELECT " + _READING_ROW.format(r="x") + " FROM outcomes_reading x"  # noqa: S608 (a constant)
        " WHERE x.tenant_id = {r}.tenant_id AND x.id = {r}.reading_id), '-infinity'::date)"),
    "outcomes_casefamilyoutcome": Anchor(
        "(SELECT min(c.closed_on) FROM cases_closure c WHERE c.tenant_id = {r}.tenant_id AND c.case_id = {r}.case_id)",
        ignored=("public_id", "recorded_at", "recorded_by_id")),
    "outcomes_enrolment": Anchor("{r}.enrolled_on", ignored=("public_id", "created_at", "lead_professional_id")),
    "outcomes_enrolmentneed": Anchor("least({r}.identified_on, {r}.met_on)", moving=("met_on",),
                                     ignored=("public_id", "description")),
    "outcomes_claim": Anchor("{r}.prepared_on", ignored=("public_id", "note", "submitted_on", "decided_on")),
}


@dataclass(frozen=True)
class DataState:
    """A tenant's figures state as one reader saw it: the token, the number of changes committed under it and
    the staircase of ``(change number, earliest date it can change)``, change numbers and dates both rising."""

    token: str
    seq: int
    changes: tuple[tuple[int, dt.date], ...] = ()

    def __str__(self) -> str:
        return f"{self.token}.{self.seq}"

    def serves(self, counted_at: int, period_end: dt.date | None) -> bool:
        """Whether an entry counted after reading change number ``counted_at`` still holds for a period ending
        on ``period_end`` (None: a figure of the whole history, served only if nothing changed since)."""
        if counted_at > self.seq:
            return False  # counted from newer rows than this reader saw: recount, to stay consistent
        if counted_at == self.seq:
            return True
        for seq, since in self.changes:
            if seq > counted_at:  # the first later step has the earliest date of every later change
                return period_end is not None and since > period_end
        return False  # a change after counted_at that is not in the staircase: cannot happen; be safe


_pinned: ContextVar[tuple[int, DataState | None] | None] = ContextVar("figures_state", default=None)


def enabled() -> bool:
    return getattr(settings, "FIGURES_CACHE", True)


def data_state(tenant_id: int) -> DataState | None:
    """The tenant's state (its row created on first use); None while this transaction has written the tenant's
    source rows and not committed (its figures must then be counted, not cached). Inside ``pinned()``, read
    once."""
    pinned = _pinned.get()
    if pinned is not None and pinned[0] == tenant_id:
        return pinned[1]
    select = "SELECT token, seq, change_seqs, change_since FROM cases_figuresversion WHERE tenant_id = %s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('figures.dirty_' || %s::text, true), v.* FROM (SELECT 1) AS one "
                       "LEFT JOIN (SELECT token, seq, change_seqs, change_since FROM cases_figuresversion "
                       "WHERE tenant_id = %s) AS v ON true", [tenant_id, tenant_id])
        dirty, *row = cursor.fetchone()
        if dirty == "1":
            return None
        if row[0] is None:
            # A concurrent writer's upsert holds the key until it commits; then DO NOTHING, and the select below
            # reads the writer's row.
            cursor.execute("INSERT INTO cases_figuresversion (tenant_id, token) VALUES (%s, gen_random_uuid()) "
                           "ON CONFLICT (tenant_id) DO NOTHING", [tenant_id])
            cursor.execute(select, [tenant_id])
            row = cursor.fetchone()
    token, seq, seqs, sinces = row
    return DataState(str(token), seq, tuple(zip(seqs, sinces, strict=True)))


def data_token(tenant_id: int) -> str | None:
    """``data_state`` as a string that changes whenever a change is committed (for the background recount)."""
    state = data_state(tenant_id)
    return None if state is None else str(state)


@contextmanager
def pinned() -> Iterator[None]:
    """Within the block the current tenant's state is read once. For read-only work (a page, a report build):
    a write inside the block would not be seen by figures read after it in the same block."""
    tenant = current_tenant()
    if tenant is None or not enabled() or _pinned.get() is not None:
        yield
        return
    token = _pinned.set((tenant.pk, data_state(tenant.pk)))
    try:
        yield
    finally:
        _pinned.reset(token)


def _cache_key(tenant_id: int, token: str, figure: str, key: tuple) -> str:
    raw = repr((CODE_VERSION, tenant_id, token, figure, key))
    return "figures:" + hashlib.sha256(raw.encode()).hexdigest()


def cached(figure: str, key: tuple, compute: Callable[[], T], *, period_end: dt.date | None = None) -> T:
    """``compute()``'s value for the current tenant, from the cache while no change committed since it was
    stored can alter it. ``key`` must name everything besides the source rows that the value depends on;
    ``period_end`` is the last day of the records it depends on (None: all of them)."""
    return cached_series(figure, [key], lambda indices: [compute()], period_ends=[period_end])[0]


def cached_series(figure: str, keys: list[tuple], compute: Callable[[list[int]], list[T]], *,
                  period_ends: list[dt.date | None]) -> list[T]:
    """``cached`` for several keys at once (one figure over several periods): the values stored under ``keys``
    (the same entries ``cached`` reads and writes), with the missing or outdated ones computed together by
    ``compute(indices)``, which returns the values for ``keys[i]`` for each ``i`` of ``indices``, in order.
    ``period_ends[i]`` is the last day of the records ``keys[i]``'s value depends on."""
    tenant = current_tenant()
    if tenant is None or not enabled():
        return compute(list(range(len(keys))))
    state = data_state(tenant.pk)
    if state is None:
        return compute(list(range(len(keys))))
    cache_keys = [_cache_key(tenant.pk, state.token, figure, key) for key in keys]
    found = cache.get_many(list(dict.fromkeys(cache_keys)))
    held, missing = {}, []
    for i, k in enumerate(cache_keys):
        entry = found.get(k)
        if isinstance(entry, tuple) and len(entry) == 2 and state.serves(entry[0], period_ends[i]):
            held[k] = entry[1]
        elif k not in held:
            missing.append(i)
    if missing:
        computed = compute(missing)
        fresh = {cache_keys[i]: value for i, value in zip(missing, computed, strict=True)}
        cache.set_many({k: (state.seq, v) for k, v in fresh.items()}, TIMEOUT)
        held.update(fresh)
    return [held[k] for k in cache_keys]


# The first design's functions (every write renewed the token), frozen: the migrations that created them still
# run them on a new database before cases 0011 replaces their triggers.
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
    """(Re)define the trigger functions and the deferred trigger on ``cases_figurespending``."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(_FUNCTION)
        schema_editor.execute(PENDING_TRIGGER)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_figurespending_renew ON cases_figurespending")

    def describe(self):
        return "Renew the figures token when a writing transaction commits"

    def deconstruct(self):
        return (self.__class__.__name__, [], {})


class RenewFiguresTokenOnWrite(Operation):
    """Triggers on ``model_name``'s table that renew the tenant's figures token on every write.
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
        table = self._table(app_label, from_state)
        for op in ("insert", "update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{op} ON {schema_editor.quote_name(table)}")

    def describe(self):
        return f"Renew the figures token on writes to {self.model_name}"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_name": self.model_name})


# The dated design (cases 0011). The version row gains the change number and the staircase; a pending row, the
# earliest date its transaction's writes can change (NULL on a row of the first design: every period).
_DATED_COLUMNS = """
ALTER TABLE cases_figuresversion
    ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS change_seqs bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS change_since date[] NOT NULL DEFAULT '{}';
ALTER TABLE cases_figurespending ADD COLUMN IF NOT EXISTS since date;
"""

_DATED_FUNCTIONS = """
CREATE OR REPLACE FUNCTION figures_note_change(t bigint, d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pending text := current_setting('figures.pending_' || t::text, true);
    pending_id bigint;
BEGIN
    IF d IS NULL THEN
        RETURN;  -- the statement changed nothing any figure reads
    END IF;
    IF pending IS NULL OR pending = '' THEN
        INSERT INTO cases_figurespending (tenant_id, since) VALUES (t, d) RETURNING id INTO pending_id;
        PERFORM set_config('figures.pending_' || t::text, pending_id::text, true);
        PERFORM set_config('figures.dirty_' || t::text, '1', true);
    ELSE
        UPDATE cases_figurespending SET since = d WHERE id = pending::bigint AND since > d;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION figures_changed_everything() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR t IN SELECT DISTINCT tenant_id FROM old_rows LOOP PERFORM figures_note_change(t, '-infinity'); END LOOP;
    ELSE
        FOR t IN SELECT DISTINCT tenant_id FROM new_rows LOOP PERFORM figures_note_change(t, '-infinity'); END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION figures_renew_token_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d date;
BEGIN
    DELETE FROM cases_figurespending WHERE id = NEW.id RETURNING since INTO d;
    IF d IS NULL OR d = '-infinity' THEN
        INSERT INTO cases_figuresversion AS v (tenant_id, token) VALUES (NEW.tenant_id, gen_random_uuid())
        ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token, seq = v.seq + 1, change_seqs = '{}',
            change_since = '{}';
    ELSE
        INSERT INTO cases_figuresversion AS v (tenant_id, token, seq, change_seqs, change_since)
        VALUES (NEW.tenant_id, gen_random_uuid(), 1, ARRAY[1::bigint], ARRAY[d])
        ON CONFLICT (tenant_id) DO UPDATE SET
            seq = v.seq + 1,
            change_seqs = ARRAY(SELECT u.s FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d
                                ORDER BY u.s) || (v.seq + 1),
            change_since = ARRAY(SELECT u.c FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d
                                 ORDER BY u.s) || d;
        -- Over the cap: the two oldest steps become one with the later number and the earlier date.
        UPDATE cases_figuresversion
        SET change_seqs = change_seqs[2:], change_since = change_since[1:1] || change_since[3:]
        WHERE tenant_id = NEW.tenant_id AND cardinality(change_seqs) > %(cap)s;
    END IF;
    RETURN NULL;
END
$$;
""".replace("%(cap)s", str(MAX_CHANGES))


def _dated_function(table: str, anchor: Anchor) -> str:
    """The statement trigger function of one source table: per tenant, the earliest date the statement's rows
    can change a figure from, passed to ``figures_note_change``."""
    skip = "ARRAY[" + ", ".join(f"'{c}'" for c in (*anchor.ignored, *anchor.moving)) + "]::text[]"
    changed_other = f"(to_jsonb(o) - {skip}) IS DISTINCT FROM (to_jsonb(n) - {skip})"
    whole = "'-infinity'::date" if anchor.whole_history else (
        f"least({anchor.row.format(r='o')}, {anchor.row.format(r='n')})")
    moved = ", ".join(f"CASE WHEN o.{c} IS DISTINCT FROM n.{c} THEN least(o.{c}, n.{c}) END" for c in anchor.moving)
    on_update = f"CASE WHEN {changed_other} THEN {whole} ELSE {'least(' + moved + ')' if moved else 'NULL'} END"
    return f"""
CREATE OR REPLACE FUNCTION figures_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t bigint;
    d date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR t, d IN SELECT r.tenant_id, min({anchor.row.format(r='r')}) FROM new_rows r GROUP BY r.tenant_id LOOP
            PERFORM figures_note_change(t, d);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR t, d IN SELECT r.tenant_id, min({anchor.row.format(r='r')}) FROM old_rows r GROUP BY r.tenant_id LOOP
            PERFORM figures_note_change(t, d);
        END LOOP;
    ELSE
        FOR t, d IN SELECT n.tenant_id, min({on_update}) FROM old_rows o JOIN new_rows n ON n.id = o.id
                    GROUP BY n.tenant_id LOOP
            PERFORM figures_note_change(t, d);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
"""  # noqa: S608 (the table names and ANCHORS are this module's constants)


class DatedFiguresChanges(Operation):
    """The dated design — the version row's change number and staircase, the commit-time
    function, and on every source table (``SOURCE_TABLES``) statement triggers that note the earliest date the
    write can change a figure from (``ANCHORS``; any other table: every period). Re-run it (a new migration)
    when ``ANCHORS`` or ``SOURCE_TABLES`` change."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    @staticmethod
    def _tables(state) -> list[str]:
        return [state.apps.get_model(app, name)._meta.db_table
                for app, names in SOURCE_TABLES.items() for name in names]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(_DATED_COLUMNS)
        schema_editor.execute(_DATED_FUNCTIONS)
        for table in self._tables(to_state):
            quoted = schema_editor.quote_name(table)
            anchor = ANCHORS.get(table)
            if anchor is not None:
                schema_editor.execute(_dated_function(table, anchor))
            function = f"figures_changed_{table}" if anchor is not None else "figures_changed_everything"
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{op} ON {quoted}")
            for op, ref in (("INSERT", "NEW TABLE AS new_rows"),
                            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                            ("DELETE", "OLD TABLE AS old_rows")):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_figures_{op.lower()} AFTER {op} ON {quoted} REFERENCING {ref} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(_FUNCTION)  # the first design's functions, the commit-time one included
        for table in self._tables(from_state):
            quoted = schema_editor.quote_name(table)
            for op, ref in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "NEW TABLE AS new_rows"),
                            ("DELETE", "OLD TABLE AS old_rows")):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{op.lower()} ON {quoted}")
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_figures_{op.lower()} AFTER {op} ON {quoted} REFERENCING {ref} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION figures_renew_token()")
            if table in ANCHORS:
                schema_editor.execute(f"DROP FUNCTION IF EXISTS figures_changed_{table}()")

    def describe(self):
        return "Date each write's effect on the figures, so that closed periods stay cached"

    def deconstruct(self):
        return (self.__class__.__name__, [], {})
