"""The figures cache's state under row-level security, its columns on its models, and its trigger functions
frozen here (issue #21).

* The columns cases 0011 added by raw ``ALTER`` become model fields (state only: the database has them).
* ``cases_figuresversion`` and ``cases_figurespending`` get the tenant policy, enabled and forced: the
  application role reads and writes only the current tenant's row.
* The functions the declared triggers call (django-pgtrigger, on the models' ``Meta``; cases 0013, outcomes 0006,
  commissioning 0007) are created here, their SQL written out in this file so that no later edit of the
  application changes what this migration does: ``figures_note_change`` (a statement's earliest date, per
  tenant, onto the transaction's pending row) and ``figures_truncated`` (forget every tenant's state).
* The triggers and functions of cases 0007/0009/0011 and outcomes 0004 are dropped: the declared ones replace
  them, with the same SQL per table.
"""

from types import SimpleNamespace

from django.contrib.postgres.fields import ArrayField
from django.db import migrations, models

from cases.migrations import _frozen_figures_0007_0011 as frozen

from earlyhelp.rls import EnableRowLevelSecurity

# Every table that carried the figures triggers of cases 0007/0011 and outcomes 0004.
OLD_SOURCE_TABLES = [
    "cases_referral", "cases_referralsource", "cases_case", "cases_closure", "cases_closurereason",
    "cases_assessment", "cases_stepchange", "cases_feedback", "cases_intervention",
    "commissioning_commissionedservice",
    "outcomes_reading", "outcomes_readingscore", "outcomes_distancetool", "outcomes_toolversion",
    "outcomes_toolarea", "outcomes_familyoutcome", "outcomes_casefamilyoutcome", "outcomes_programmeframework",
    "outcomes_programmeoutcome", "outcomes_enrolment", "outcomes_enrolmentneed", "outcomes_claim",
]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION figures_note_change(t bigint, d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pending text := current_setting('figures.pending_' || t::text, true);
    pending_id bigint;
BEGIN
    IF d IS NULL THEN
        RETURN;  -- the statement changed nothing any figure reads
    END IF;
    IF pending IS NOT NULL AND pending <> '' THEN
        UPDATE cases_figurespending SET since = d WHERE id = pending::bigint AND since > d;
        IF FOUND THEN
            RETURN;
        END IF;
        PERFORM 1 FROM cases_figurespending WHERE id = pending::bigint;
        IF FOUND THEN
            RETURN;  -- already as early
        END IF;
        -- Renewed already (SET CONSTRAINTS ALL IMMEDIATE fires the commit-time trigger early): queue anew.
    END IF;
    INSERT INTO cases_figurespending (tenant_id, since) VALUES (t, d) RETURNING id INTO pending_id;
    PERFORM set_config('figures.pending_' || t::text, pending_id::text, true);
    PERFORM set_config('figures.dirty_' || t::text, '1', true);
END
$$;

CREATE OR REPLACE FUNCTION figures_truncated() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
    t bigint;
BEGIN
    -- Every tenant's state goes: readers start again under new random tokens. Row-level security is forced on
    -- the version table, so where it applies (a table owner that is not a superuser) each tenant's row is
    -- deleted in that tenant's context, and the caller's setting is put back.
    DELETE FROM cases_figuresversion;
    FOR t IN SELECT id FROM earlyhelp_tenant LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        DELETE FROM cases_figuresversion WHERE tenant_id = t;
    END LOOP;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$;
"""

DROP_OLD = "\n".join(
    [f"DROP TRIGGER IF EXISTS {table}_figures_{op} ON {table};"
     for table in OLD_SOURCE_TABLES for op in ("insert", "update", "delete", "truncate")]
    + [f"DROP FUNCTION IF EXISTS figures_changed_{table}();" for table in OLD_SOURCE_TABLES]
    + ["DROP TRIGGER IF EXISTS cases_figurespending_renew ON cases_figurespending;",
       "DROP FUNCTION IF EXISTS figures_changed_everything();",
       "DROP FUNCTION IF EXISTS figures_renew_token();",
       "DROP FUNCTION IF EXISTS figures_mark_written(bigint);",
       "DROP FUNCTION IF EXISTS figures_renew_token_at_commit();"]
)


def drop_old(apps, schema_editor):
    schema_editor.execute(DROP_OLD)


def recreate_old(apps, schema_editor):
    """Backwards: the triggers and functions of cases 0007/0009/0011 and outcomes 0004 again, as they ran them."""
    state = SimpleNamespace(apps=apps)
    frozen.RenewFiguresTokenAtCommit().database_forwards("cases", schema_editor, state, state)
    for app, names in frozen.SOURCE_TABLES.items():
        for name in names:
            frozen.RenewFiguresTokenOnWrite(f"{app}.{name}").database_forwards("cases", schema_editor, state, state)
    frozen.DatedFiguresChanges().database_forwards("cases", schema_editor, state, state)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_figures_changes_by_date"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="figuresversion", name="seq",
                    field=models.BigIntegerField(db_default=0, help_text="Changes committed under this token."),
                ),
                migrations.AddField(
                    model_name="figuresversion", name="change_seqs",
                    field=ArrayField(base_field=models.BigIntegerField(), db_default=[],
                                     help_text="The staircase's change numbers, rising.", size=None),
                ),
                migrations.AddField(
                    model_name="figuresversion", name="change_since",
                    field=ArrayField(base_field=models.DateField(), db_default=[],
                                     help_text="The staircase's earliest dates, rising with the change numbers.",
                                     size=None),
                ),
                migrations.AddField(
                    model_name="figurespendingrenewal", name="since",
                    field=models.DateField(blank=True, null=True),
                ),
            ],
            database_operations=[],  # added by cases 0011 with these types and defaults
        ),
        EnableRowLevelSecurity("figuresversion"),
        EnableRowLevelSecurity("figurespendingrenewal"),
        migrations.RunSQL(FUNCTIONS, reverse_sql="DROP FUNCTION IF EXISTS figures_truncated();"),
        migrations.RunPython(drop_old, recreate_old, elidable=False),
    ]
