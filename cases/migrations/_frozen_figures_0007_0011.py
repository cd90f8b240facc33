"""Frozen: the figures-cache SQL and migration operations exactly as cases 0007, 0009 and 0011 and outcomes 0004
ran them (copied from cases/figures_cache.py as it stood when they landed). NEVER EDIT THIS MODULE: a fresh
``migrate`` must build the same database whatever the application code says today. A later change to the
triggers is a new migration (since cases 0012, the triggers are declared on the models with django-pgtrigger).
"""

# ruff: noqa: S608, E501

from __future__ import annotations

from dataclasses import dataclass

from django.db.migrations.operations.base import Operation

MAX_CHANGES = 32

# Every table a cached figure was counted from when these migrations landed.
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
    """On PostgreSQL: (re)define the trigger functions and the deferred trigger on ``cases_figurespending``."""

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
    """On PostgreSQL: the dated design — the version row's change number and staircase, the commit-time
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
