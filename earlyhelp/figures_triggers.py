"""The figures engine's trigger declarations (``earlyhelp.figures_engine``): what a source model lists in its
``Meta.triggers`` (``figures_triggers(Anchor(...))``) and the renewal trigger of the engine's pending table.
Kept apart from the engine's reads so that ``earlyhelp.models`` can declare its triggers without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pgtrigger

MAX_CHANGES = 32


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


# The declarations. Each source model lists ``figures_triggers(...)`` in its ``Meta.triggers`` (django-pgtrigger):
# the SQL below is compiled into that app's migrations when ``makemigrations`` runs, so a change here is a new
# migration (``makemigrations --check`` fails until it is made) and never changes what an old one ran. The
# functions the triggers call — ``figures_engine_note_change(tenant, date)`` and ``figures_engine_truncated()``
# — are defined by earlyhelp 0009 (SQL frozen in that migration).

TRIGGER_PREFIX = "figures_"


def _note_each_tenant(rows: str, tenant: str, date: str) -> str:
    select = f"SELECT {tenant}, min({date}) FROM {rows} GROUP BY {tenant}"  # noqa: S608 (declared SQL, no input)
    return f"FOR t, d IN {select} LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;"


def _statement_trigger(operation: pgtrigger.Operation, func: str, *, old: bool, new: bool) -> pgtrigger.Trigger:
    referencing = pgtrigger.Referencing(old="old_rows" if old else None,
                                        new="new_rows" if new else None) if (old or new) else None
    return pgtrigger.Trigger(
        name=f"{TRIGGER_PREFIX}{str(operation).lower()}", level=pgtrigger.Statement, when=pgtrigger.After,
        operation=operation, referencing=referencing,
        declare=[("t", "bigint"), ("d", "date")] if (old or new) else None, func=func)


def figures_triggers(anchor: Anchor | None) -> list[pgtrigger.Trigger]:
    """The statement triggers of one source table, for its model's ``Meta.triggers``: per tenant, the earliest
    date the statement's rows can change a figure from (``anchor``; None for a lookup table, whose every write
    changes every period), noted for the commit-time renewal; a ``TRUNCATE`` forgets every tenant's state."""
    if anchor is None:
        everything = "'-infinity'::date"
        insert = _note_each_tenant("new_rows r", "r.tenant_id", everything)
        delete = _note_each_tenant("old_rows r", "r.tenant_id", everything)
        update = insert
    else:
        skip = "ARRAY[" + ", ".join(f"'{c}'" for c in (*anchor.ignored, *anchor.moving)) + "]::text[]"
        changed_other = f"(to_jsonb(o) - {skip}) IS DISTINCT FROM (to_jsonb(n) - {skip})"
        whole = "'-infinity'::date" if anchor.whole_history else (
            f"least({anchor.row.format(r='o')}, {anchor.row.format(r='n')})")
        moved = ", ".join(f"CASE WHEN o.{c} IS DISTINCT FROM n.{c} THEN least(o.{c}, n.{c}) END"
                          for c in anchor.moving)
        on_update = f"CASE WHEN {changed_other} THEN {whole} ELSE {'least(' + moved + ')' if moved else 'NULL'} END"
        insert = _note_each_tenant("new_rows r", "r.tenant_id", anchor.row.format(r="r"))
        delete = _note_each_tenant("old_rows r", "r.tenant_id", anchor.row.format(r="r"))
        update = _note_each_tenant("old_rows o JOIN new_rows n ON n.id = o.id", "n.tenant_id", on_update)
    return [
        _statement_trigger(pgtrigger.Insert, insert, old=False, new=True),
        _statement_trigger(pgtrigger.Update, update, old=anchor is not None, new=True),
        _statement_trigger(pgtrigger.Delete, delete, old=True, new=False),
        _statement_trigger(pgtrigger.Truncate, "PERFORM figures_engine_truncated();\nRETURN NULL;", old=False,
                           new=False),
    ]


# As the writing transaction commits, for each pending row: renew the token (a lookup write, or a row of the
# first design) or record the change (number, earliest date) in the staircase, merging its two oldest steps when
# over the cap. The version and pending rows are the tenant's, under row-level security: the function runs in the
# pending row's tenant context (``app.tenant_id``, transaction-local) and puts the caller's setting back, since
# at commit the transaction may be in another tenant's context, or none.
_RENEW_AT_COMMIT = """previous := current_setting('app.tenant_id', true);
PERFORM set_config('app.tenant_id', NEW.tenant_id::text, true);
DELETE FROM earlyhelp_figurespending WHERE id = NEW.id RETURNING since INTO d;
IF d IS NULL OR d = '-infinity' THEN
    INSERT INTO earlyhelp_figuresversion AS v (tenant_id, token) VALUES (NEW.tenant_id, gen_random_uuid())
    ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token, seq = v.seq + 1, change_seqs = '{}',
        change_since = '{}';
ELSE
    INSERT INTO earlyhelp_figuresversion AS v (tenant_id, token, seq, change_seqs, change_since)
    VALUES (NEW.tenant_id, gen_random_uuid(), 1, ARRAY[1::bigint], ARRAY[d])
    ON CONFLICT (tenant_id) DO UPDATE SET
        seq = v.seq + 1,
        change_seqs = ARRAY(SELECT u.s FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d
                            ORDER BY u.s) || (v.seq + 1),
        change_since = ARRAY(SELECT u.c FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d
                             ORDER BY u.s) || d;
    UPDATE earlyhelp_figuresversion
    SET change_seqs = change_seqs[2:], change_since = change_since[1:1] || change_since[3:]
    WHERE tenant_id = NEW.tenant_id AND cardinality(change_seqs) > {cap};
END IF;
PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
RETURN NULL;"""


def renewal_trigger() -> pgtrigger.Trigger:
    """The deferred (commit-time) trigger of the pending table, for ``FiguresPendingRenewal.Meta.triggers``."""
    return pgtrigger.Trigger(
        name="figures_renew_at_commit", level=pgtrigger.Row, when=pgtrigger.After, operation=pgtrigger.Insert,
        timing=pgtrigger.Deferred, declare=[("d", "date"), ("previous", "text")],
        func=_RENEW_AT_COMMIT.replace("{cap}", str(MAX_CHANGES)))
