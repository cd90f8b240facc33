"""The figures engine (platform floor): aggregate figures counted from the apps' records, never stale, that
keep a closed period's figures when today's work comes in.

**The registry.** The engine names no app's tables. An app takes part in two ways, both declared by the app
itself (docs/figures-engine.md):

* a *source table* lists ``figures_triggers(Anchor(...))`` in its model's ``Meta.triggers`` (django-pgtrigger
  compiles them into that app's migrations): the anchor says, in SQL over the app's own columns, the earliest
  period end a row can change;
* a *measure* (``case_stats``, ``reading_stats``…) is registered with ``register_measure`` from the app's
  ``AppConfig.ready``: its name, its value's class and where its key holds the period and the scope; the app's
  selector then reads it through ``cached_series(name, keys, compute, period_ends=...)``. A measure that is not
  registered cannot be read through the engine (``UnknownMeasure``).

An app may also register a *recount* (``register_recount``): what its figures' background recount counts (the
dashboard's default quarters and scopes), run by the engine's Celery job after the records change.

Each of those figures is a pure function of the rows of the *source tables* (the models that declare
``figures_triggers`` in their ``Meta``; ``source_tables()``), the period, the scope and the
tenant settings named in its key (no figure depends on today's date). Most figures of a period depend only on
records dated up to the period's end, so a referral received today cannot change last quarter's figures; the
cache uses that.

**Writes.** A statement-level trigger on every source table (declared on its model with django-pgtrigger and
compiled into its app's migrations) works out, from the statement's old
and new rows (through the ORM, ``bulk_create``, ``QuerySet.update``, raw SQL or ``COPY``), for each tenant, the
*earliest date from which the statement can change a figure*: the period ends it can affect are on or after that
date (each model's ``Anchor``: a referral's received date; a closure's closed date; a reading's date, its case's
first end reading and its closure, since a pair is counted in the period of its end reading; a case reassigned
to another team changes every period). A write that changes only columns no figure reads (notes, summaries)
notes nothing.
The transaction keeps, per tenant, one row in ``earlyhelp_figurespending`` holding the earliest such date, and a
transaction-local setting ``figures.dirty_<tenant>``. A deferred constraint trigger on that table then, as the
transaction commits, adds one to the tenant's change number in ``earlyhelp_figuresversion`` and records
``(change number, earliest date)`` there; a write to a lookup table (a tool's areas, closure reasons) or a
``TRUNCATE`` replaces the tenant's random token instead, which retires every entry at once.

**Row-level security.** The version and pending rows are the tenant's: both tables have the tenant policy,
forced, so the application role reads and writes only the current tenant's row. A reader is always in its
tenant's context; the statement triggers note the change of the rows the statement wrote, which row-level
security keeps to the current tenant; and the commit-time trigger, which may fire after the transaction has
moved to another tenant's context or none, runs in its pending row's tenant context (``app.tenant_id``,
transaction-local) and puts the caller's setting back.

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

import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from earlyhelp.tenancy import current_tenant, tenant_context

# The declarations the apps' models use (no model import there: earlyhelp.models declares the renewal trigger).
from .figures_triggers import MAX_CHANGES, TRIGGER_PREFIX, Anchor, figures_triggers, renewal_trigger  # noqa: F401

T = TypeVar("T")

# Raise when what a cached figure means or its class's fields change: entries of the old code are then ignored.
CODE_VERSION = "2"
TIMEOUT = 7 * 24 * 3600

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


# -- The registry -------------------------------------------------------------------------------------------------


class UnknownMeasure(KeyError):
    """A figure read through the engine that no app registered (``register_measure``)."""


@dataclass(frozen=True)
class Measure:
    """A registered figure. Its keys are tuples starting ``(start, end, ...)`` (the period, inclusive dates);
    ``team_at`` and ``locality_at`` are the positions of the team's and locality's pk in the key (None there:
    not limited to one). ``value_type`` is the class of one value (a dataclass of counts), so a stored value can be
    read back (``earlyhelp.figures_codec``). ``app`` is the label of the app that registered it."""

    name: str
    value_type: type
    app: str
    team_at: int | None = None
    locality_at: int | None = None

    def scope(self, key: tuple) -> tuple[str, int | None]:
        """``("team", pk)``, ``("locality", pk)`` or ``("council", None)`` for a key."""
        team = key[self.team_at] if self.team_at is not None else None
        locality = key[self.locality_at] if self.locality_at is not None else None
        if team is not None:
            return "team", team
        if locality is not None:
            return "locality", locality
        return "council", None


_measures: dict[str, Measure] = {}
_recounts: dict[str, Callable[[Any], None]] = {}


def register_measure(name: str, value_type: type, *, app: str, team_at: int | None = None,
                     locality_at: int | None = None) -> Measure:
    """Register a figure (idempotent for the same declaration; a different one under a taken name is refused)."""
    measure = Measure(name, value_type, app, team_at, locality_at)
    existing = _measures.get(name)
    if existing is not None and existing != measure:
        raise ValueError(f"figure {name!r} is already registered by {existing.app}")
    _measures[name] = measure
    return measure


def measure(name: str) -> Measure:
    try:
        return _measures[name]
    except KeyError:
        raise UnknownMeasure(f"figure {name!r} is not registered (figures_engine.register_measure)") from None


def measures() -> dict[str, Measure]:
    return dict(_measures)


def register_recount(name: str, recount: Callable[[Any], None]) -> None:
    """Register ``recount(tenant)``: counts an app's usual figures in the tenant's context (the background job
    calls it after the records change, so pages open from stored figures)."""
    _recounts[name] = recount


def recounts() -> dict[str, Callable[[Any], None]]:
    return dict(_recounts)


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
    select = "SELECT token, seq, change_seqs, change_since FROM earlyhelp_figuresversion WHERE tenant_id = %s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('figures.dirty_' || %s::text, true), v.* FROM (SELECT 1) AS one "
                       "LEFT JOIN (SELECT token, seq, change_seqs, change_since FROM earlyhelp_figuresversion "
                       "WHERE tenant_id = %s) AS v ON true", [tenant_id, tenant_id])
        dirty, *row = cursor.fetchone()
        if dirty == "1":
            return None
        if row[0] is None:
            # A concurrent writer's upsert holds the key until it commits; then DO NOTHING, and the select below
            # reads the writer's row.
            cursor.execute("INSERT INTO earlyhelp_figuresversion (tenant_id, token) VALUES (%s, gen_random_uuid()) "
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
    measure(figure)  # a figure read through the engine is registered by its app
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
        stored = _read_stored(tenant.pk, state, figure, keys, period_ends, missing)
        if stored:
            cache.set_many({cache_keys[i]: entry for i, entry in stored.items()}, TIMEOUT)
            held.update({cache_keys[i]: value for i, (_, value) in stored.items()})
            missing = [i for i in missing if cache_keys[i] not in held]
    if missing:
        computed = compute(missing)
        fresh = {cache_keys[i]: value for i, value in zip(missing, computed, strict=True)}
        cache.set_many({k: (state.seq, v) for k, v in fresh.items()}, TIMEOUT)
        held.update(fresh)
        _store(tenant.pk, state, figure, {i: fresh[cache_keys[i]] for i in missing}, keys, period_ends)
    return [held[k] for k in cache_keys]


# -- Closed periods, counted once and stored ----------------------------------------------------------------------
# Behind the shared cache (which a restart or a new deployment empties), a closed period's figure — one ending
# before today — is kept in ``earlyhelp_figuressummary`` per council, measure, period and scope, with the token
# and change number it was counted under; it is served on the same rule as a cache entry. The open period is
# counted live (and cached only).


def _closed(period_end: dt.date | None) -> bool:
    return period_end is not None and period_end < timezone.localdate()


def _digest(figure: str, key: tuple) -> str:
    return hashlib.sha256(repr((CODE_VERSION, figure, key)).encode()).hexdigest()


def _read_stored(tenant_id: int, state: DataState, figure: str, keys: list[tuple],
                 period_ends: list[dt.date | None], indices: list[int]) -> dict[int, tuple[int, Any]]:
    """The stored values still served for ``keys[i]`` (closed periods only): ``{i: (counted_seq, value)}``."""
    from . import figures_codec
    from .models import FiguresSummary

    wanted = {}
    for i in indices:
        if _closed(period_ends[i]):
            wanted.setdefault(_digest(figure, keys[i]), []).append(i)
    if not wanted:
        return {}
    rows = FiguresSummary.objects.filter(measure=figure, key_digest__in=list(wanted), token=state.token).values_list(
        "key_digest", "counted_seq", "value")
    value_type = measure(figure).value_type
    out = {}
    for digest, counted_seq, value in rows:
        first = wanted[digest][0]
        if state.serves(counted_seq, period_ends[first]):
            decoded = figures_codec.decode(value_type, value)
            for i in wanted[digest]:
                out[i] = (counted_seq, decoded if i == first else copy.deepcopy(decoded))
    return out


def _store(tenant_id: int, state: DataState, figure: str, values: dict[int, Any], keys: list[tuple],
           period_ends: list[dt.date | None]) -> None:
    """Store the closed periods' freshly counted values (insert or overwrite)."""
    from . import figures_codec
    from .models import FiguresSummary

    m = measure(figure)
    rows = {}
    for i, value in values.items():
        if not _closed(period_ends[i]):
            continue
        key = keys[i]
        scope, scope_id = m.scope(key)
        digest = _digest(figure, key)
        rows[digest] = FiguresSummary(
            tenant_id=tenant_id, measure=figure, key_digest=digest, key_text=repr(key)[:2000],
            period_start=key[0], period_end=key[1], scope=scope, scope_id=scope_id, token=state.token,
            counted_seq=state.seq, value=figures_codec.encode(value))
    if rows:
        FiguresSummary.objects.bulk_create(
            list(rows.values()), update_conflicts=True, unique_fields=["tenant", "measure", "key_digest"],
            update_fields=["token", "counted_seq", "value", "counted_at", "key_text", "period_start", "period_end",
                           "scope", "scope_id"])


def source_tables() -> set[str]:
    """The tables whose models declare the figures triggers: every table a cached figure may be counted from."""
    from django.apps import apps

    return {model._meta.db_table for model in apps.get_models()
            if any(t.name == f"{TRIGGER_PREFIX}insert" for t in getattr(model._meta, "triggers", ()))}



# -- Drawings -----------------------------------------------------------------------------------------------------
DRAWING_TIMEOUT = 7 * 24 * 3600


def remembered_drawing(raw_key: str, draw: Callable[[], str]) -> str:
    """``draw()`` (a chart's SVG), kept in the shared cache and, in a council's context, in its stored drawings,
    under the digest of ``raw_key`` — which must name everything the drawing depends on (the drawing code's version
    and every figure and label it is given). Drawing with matplotlib costs tens of milliseconds a chart; reading a
    stored one is an index lookup."""
    from .models import FiguresDrawing

    digest = hashlib.sha256(raw_key.encode()).hexdigest()
    key = "chart:" + digest
    svg = cache.get(key)
    if svg is not None:
        return svg
    tenant = current_tenant()
    stored = tenant is not None and enabled()
    # The store is read and written in the tenant's own context: a caller may hold only the tenant's scope, between
    # the committed steps of a long task (a report run draws its charts there), where row-level security would see
    # no drawing and refuse to store one. The setting goes with the first statement, in no savepoint of its own and
    # left in place for the rest of an enclosing transaction (the same tenant's): no query is added.
    if stored:
        with tenant_context(tenant, lazy=True, savepoint=False, restore=False):
            svg = FiguresDrawing.objects.filter(digest=digest).values_list("content", flat=True).first()
    if svg is None:
        svg = draw()
        if stored:
            with tenant_context(tenant, lazy=True, savepoint=False, restore=False):
                FiguresDrawing.objects.bulk_create(
                    [FiguresDrawing(tenant_id=tenant.pk, digest=digest, content=svg)], ignore_conflicts=True)
    cache.set(key, svg, DRAWING_TIMEOUT)
    return svg
