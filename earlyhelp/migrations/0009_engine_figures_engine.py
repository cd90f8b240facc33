"""The figures engine on the platform floor (issue #21): its state tables move from ``cases`` to ``earlyhelp``
(``earlyhelp_figuresversion``, ``earlyhelp_figurespending``), with the tenant policy enabled and forced, and the
functions the declared source triggers call are created here, their SQL written out in this file so that no
later edit of the application changes what this migration does. Cases 0018 copies the old state rows over and
drops the old tables; the source triggers of cases, commissioning and outcomes are re-declared to call these
functions (cases 0018, commissioning 0009, outcomes 0007), and outcomes 0007 drops the old functions.
"""

import django.contrib.postgres.fields
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from earlyhelp.rls import EnableRowLevelSecurity

FUNCTIONS = """
CREATE OR REPLACE FUNCTION figures_engine_note_change(t bigint, d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pending text := current_setting('figures.pending_' || t::text, true);
    pending_id bigint;
BEGIN
    IF d IS NULL THEN
        RETURN;  -- the statement changed nothing any figure reads
    END IF;
    IF pending IS NOT NULL AND pending <> '' THEN
        UPDATE earlyhelp_figurespending SET since = d WHERE id = pending::bigint AND since > d;
        IF FOUND THEN
            RETURN;
        END IF;
        PERFORM 1 FROM earlyhelp_figurespending WHERE id = pending::bigint;
        IF FOUND THEN
            RETURN;  -- already as early
        END IF;
        -- Renewed already (SET CONSTRAINTS ALL IMMEDIATE fires the commit-time trigger early): queue anew.
    END IF;
    INSERT INTO earlyhelp_figurespending (tenant_id, since) VALUES (t, d) RETURNING id INTO pending_id;
    PERFORM set_config('figures.pending_' || t::text, pending_id::text, true);
    PERFORM set_config('figures.dirty_' || t::text, '1', true);
END
$$;

CREATE OR REPLACE FUNCTION figures_engine_truncated() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
    t bigint;
BEGIN
    -- Every tenant's state goes: readers start again under new random tokens. Row-level security is forced on
    -- the version table, so where it applies (a table owner that is not a superuser) each tenant's row is
    -- deleted in that tenant's context, and the caller's setting is put back.
    DELETE FROM earlyhelp_figuresversion;
    FOR t IN SELECT id FROM earlyhelp_tenant LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        DELETE FROM earlyhelp_figuresversion WHERE tenant_id = t;
    END LOOP;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$;
"""



class Migration(migrations.Migration):

    dependencies = [
        ('earlyhelp', '0008_integrity_audit_keyed_hash'),
    ]

    operations = [
        migrations.CreateModel(
            name='FiguresPendingRenewal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tenant_id', models.BigIntegerField()),
                ('since', models.DateField(blank=True, null=True)),
            ],
            options={
                'db_table': 'earlyhelp_figurespending',
            },
        ),
        migrations.CreateModel(
            name='FiguresVersion',
            fields=[
                ('tenant_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('token', models.UUIDField()),
                ('seq', models.BigIntegerField(db_default=0, help_text='Changes committed under this token.')),
                ('change_seqs', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), db_default=[], help_text="The staircase's change numbers, rising.", size=None)),
                ('change_since', django.contrib.postgres.fields.ArrayField(base_field=models.DateField(), db_default=[], help_text="The staircase's earliest dates, rising with the change numbers.", size=None)),
            ],
        ),
        EnableRowLevelSecurity("figuresversion"),
        EnableRowLevelSecurity("figurespendingrenewal"),
        migrations.RunSQL(FUNCTIONS, reverse_sql="DROP FUNCTION IF EXISTS figures_engine_note_change(bigint, date); "
                                                "DROP FUNCTION IF EXISTS figures_engine_truncated();"),
        pgtrigger.migrations.AddTrigger(
            model_name='figurespendingrenewal',
            trigger=pgtrigger.compiler.Trigger(name='figures_renew_at_commit', sql=pgtrigger.compiler.UpsertTriggerSql(constraint='CONSTRAINT', declare='DECLARE d date; previous text;', func="previous := current_setting('app.tenant_id', true);\nPERFORM set_config('app.tenant_id', NEW.tenant_id::text, true);\nDELETE FROM earlyhelp_figurespending WHERE id = NEW.id RETURNING since INTO d;\nIF d IS NULL OR d = '-infinity' THEN\n    INSERT INTO earlyhelp_figuresversion AS v (tenant_id, token) VALUES (NEW.tenant_id, gen_random_uuid())\n    ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token, seq = v.seq + 1, change_seqs = '{}',\n        change_since = '{}';\nELSE\n    INSERT INTO earlyhelp_figuresversion AS v (tenant_id, token, seq, change_seqs, change_since)\n    VALUES (NEW.tenant_id, gen_random_uuid(), 1, ARRAY[1::bigint], ARRAY[d])\n    ON CONFLICT (tenant_id) DO UPDATE SET\n        seq = v.seq + 1,\n        change_seqs = ARRAY(SELECT u.s FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d\n                            ORDER BY u.s) || (v.seq + 1),\n        change_since = ARRAY(SELECT u.c FROM unnest(v.change_seqs, v.change_since) AS u (s, c) WHERE u.c < d\n                             ORDER BY u.s) || d;\n    UPDATE earlyhelp_figuresversion\n    SET change_seqs = change_seqs[2:], change_since = change_since[1:1] || change_since[3:]\n    WHERE tenant_id = NEW.tenant_id AND cardinality(change_seqs) > 32;\nEND IF;\nPERFORM set_config('app.tenant_id', coalesce(previous, ''), true);\nRETURN NULL;", hash='b6b2da0a630ad9fa2225de921352a8d4cfa67497', operation='INSERT', pgid='pgtrigger_figures_renew_at_commit_831b1', table='earlyhelp_figurespending', timing='DEFERRABLE INITIALLY DEFERRED', when='AFTER')),
        ),
    ]
