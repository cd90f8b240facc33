"""The figures engine moves to earlyhelp (earlyhelp 0009): the state rows are copied, the old tables dropped, and
the source triggers call the platform's functions."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# A council's figures state (token, change number, staircase) is kept across the move, so the figures stored
# under it stay served.
COPY_STATE = """
DO $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
    t bigint;
BEGIN
    FOR t IN SELECT id FROM earlyhelp_tenant LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO earlyhelp_figuresversion (tenant_id, token, seq, change_seqs, change_since)
        SELECT tenant_id, token, seq, change_seqs, change_since FROM cases_figuresversion WHERE tenant_id = t
        ON CONFLICT (tenant_id) DO NOTHING;
    END LOOP;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_merge_20261206_1016'),
        ('earlyhelp', '0009_engine_figures_engine'),
    ]

    operations = [
        # The figures state moves to the platform floor: each council's row is copied in its own tenant context
        # (row-level security is forced on both tables), then the old tables go.
        migrations.RunSQL(COPY_STATE, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(
            name='FiguresPendingRenewal',
        ),
        migrations.DeleteModel(
            name='FiguresVersion',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='assessment',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='assessment',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='assessment',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='assessment',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='case',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='case',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='case',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='case',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closure',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closure',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closure',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closure',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closurereason',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closurereason',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closurereason',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='closurereason',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='feedback',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='feedback',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='feedback',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='feedback',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='intervention',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='intervention',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='intervention',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='intervention',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referral',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referral',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referral',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referral',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referralsource',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referralsource',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referralsource',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='referralsource',
            name='figures_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='stepchange',
            name='figures_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='stepchange',
            name='figures_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='stepchange',
            name='figures_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='stepchange',
            name='figures_truncate',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='assessment',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.completed_on) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='6805cb7b919afe914bc76eed1a166b94b51c67b3', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_de0ca', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_assessment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='assessment',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'child_voice', 'child_voice_recorded', 'summary']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'child_voice', 'child_voice_recorded', 'summary']::text[]) THEN least(o.completed_on, n.completed_on) ELSE NULL END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='3bfcde47ccd4a3da66f14e2a52e2acadff59e569', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_f5ce1', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_assessment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='assessment',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.completed_on) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='6b2e47e88084523089d006d614d817129e0ae0a8', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_165af', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_assessment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='assessment',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='177e581b1fe62e94a1372af5d3bffd8ff5f4d916', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_96120', table='cases_assessment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(least(r.opened_on, r.closed_on, (SELECT x.received_on FROM cases_referral x WHERE x.tenant_id = r.tenant_id AND x.id = r.referral_id))) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='2e03e0efb6767deea8a62e59da9c9c106d15258f', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_8ea90', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_case', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'created_at', 'lead_professional_id', 'summary', 'summary_updated_at', 'level_of_need_id', 'closed_on']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'created_at', 'lead_professional_id', 'summary', 'summary_updated_at', 'level_of_need_id', 'closed_on']::text[]) THEN '-infinity'::date ELSE least(CASE WHEN o.closed_on IS DISTINCT FROM n.closed_on THEN least(o.closed_on, n.closed_on) END) END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='b0cb497a9b9630d316789d0a9ea1f5519cf44e17', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_51f2f', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_case', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(least(r.opened_on, r.closed_on, (SELECT x.received_on FROM cases_referral x WHERE x.tenant_id = r.tenant_id AND x.id = r.referral_id))) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='50f0c29a4c6f9c3c6892b77ee11f1ce9c1e78f1f', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_03386', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_case', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='b05b37ded1992ab3fadb2f095aad0f98b8f982a1', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_ffbb1', table='cases_case', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closure',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.closed_on) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='3490cb54e1345ba0ca26e0c40db40fe0f5824054', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_e3adc', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_closure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closure',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'summary']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'summary']::text[]) THEN least(o.closed_on, n.closed_on) ELSE NULL END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='8d87d8a3fa340c6d528918ca0b836ce6dc50b277', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_b9f86', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_closure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closure',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.closed_on) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='64ecc502e4641861a344b9f1ab3f19c8a4d34ae1', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_7f7a8', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_closure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closure',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='6260e440005fa0867f3ffbd78060b735e4b37979', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_002f6', table='cases_closure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closurereason',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='8670d71e638dd07f189e6616340aa12ce8909c6e', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_3967e', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_closurereason', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closurereason',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='7a11f7bec75aa48ee6fdf2d864ec7a27efb687b3', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_c81b1', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_closurereason', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closurereason',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='818141e199330bbd7fef55fd5f9060c0aee4d301', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_3f2e7', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_closurereason', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='closurereason',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='c94da795a2a66214e415fa788ffc720d19bc34e8', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_80495', table='cases_closurereason', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='feedback',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.received_on) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='a39f2f26b319fda1538480433368a0ec748bbbb4', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_a5121', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_feedback', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='feedback',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'respondent', 'comments', 'is_anonymous']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'respondent', 'comments', 'is_anonymous']::text[]) THEN least(o.received_on, n.received_on) ELSE NULL END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='18e95e1f6204e4ee066a25d0cdd153fbb9e2ba9f', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_cde6e', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_feedback', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='feedback',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.received_on) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='5909731ff605eda214c4df09b6efe3b4609bf400', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_89a42', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_feedback', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='feedback',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='dfda777f416bff38e292115bb3b4257fff55fe51', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_2d836', table='cases_feedback', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='intervention',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.started_on) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='9e444382ff88d22eb7514be42d2e29a770befdbb', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_ae418', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_intervention', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='intervention',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'notes', 'created_at', 'ended_on']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'notes', 'created_at', 'ended_on']::text[]) THEN least(o.started_on, n.started_on) ELSE NULL END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='41c9839a7e67232b3923452e18574b94979ed6a1', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_6e6bd', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_intervention', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='intervention',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.started_on) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='9eab8f5f6be3735652263df8aac2ed727f399cf3', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_fb3f3', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_intervention', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='intervention',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='e501e08d33c1f848368f7d9e33c4d9c57ad18a15', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_a4d5f', table='cases_intervention', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referral',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(least(r.received_on, r.decided_on)) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='4c7b96b1459ab52633c49fe33d0c15d5f1693a4f', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_08d31', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_referral', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referral',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'reason', 'created_at', 'recorded_by_id', 'decided_on']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'reason', 'created_at', 'recorded_by_id', 'decided_on']::text[]) THEN least(least(o.received_on, o.decided_on), least(n.received_on, n.decided_on)) ELSE least(CASE WHEN o.decided_on IS DISTINCT FROM n.decided_on THEN least(o.decided_on, n.decided_on) END) END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='d78fe024fe71d9c0e153cff191c1e4cb7a969342', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_7e37a', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_referral', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referral',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(least(r.received_on, r.decided_on)) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='bfd1b0c245ef225e27385fabba092212d18261f4', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_773ab', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_referral', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referral',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='76eae1c5fccdfb4e8d09b8234e7da345d77a5e71', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_06875', table='cases_referral', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referralsource',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='8e814fa70a60bd598b6203a1b60c9d540a77bcc8', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_a9636', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_referralsource', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referralsource',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='f4f5e60a894eb4f2f9e76d4973d59c43ee7de518', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_b44b8', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_referralsource', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referralsource',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT r.tenant_id, min('-infinity'::date) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='36d0fdb8cb76a6f0dcf51310996d9e2445b846d7', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_d4b2e', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_referralsource', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='referralsource',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='8b42c6fcdede0a53c9bd78f17f4da54bd3a74b23', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_6b588', table='cases_referralsource', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stepchange',
            trigger=pgtrigger.compiler.Trigger(name='figures_insert', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.occurred_on) FROM new_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='1e7e5851d3100c162777fc1e207b6015bfe7c6e9', level='STATEMENT', operation='INSERT', pgid='pgtrigger_figures_insert_4c383', referencing='REFERENCING NEW TABLE AS new_rows ', table='cases_stepchange', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stepchange',
            trigger=pgtrigger.compiler.Trigger(name='figures_update', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func="FOR t, d IN SELECT n.tenant_id, min(CASE WHEN (to_jsonb(o) - ARRAY['public_id', 'notes']::text[]) IS DISTINCT FROM (to_jsonb(n) - ARRAY['public_id', 'notes']::text[]) THEN least(o.occurred_on, n.occurred_on) ELSE NULL END) FROM old_rows o JOIN new_rows n ON n.id = o.id GROUP BY n.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;", hash='df7cdcfe15c30a03b4d32a2d6bc26a2c4078658e', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_figures_update_ffd0e', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='cases_stepchange', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stepchange',
            trigger=pgtrigger.compiler.Trigger(name='figures_delete', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE t bigint; d date;', func='FOR t, d IN SELECT r.tenant_id, min(r.occurred_on) FROM old_rows r GROUP BY r.tenant_id LOOP\n    PERFORM figures_engine_note_change(t, d);\nEND LOOP;\nRETURN NULL;', hash='d4f0b0119d211a1d2c1b846940aba0cb1b9e735f', level='STATEMENT', operation='DELETE', pgid='pgtrigger_figures_delete_9a057', referencing='REFERENCING OLD TABLE AS old_rows ', table='cases_stepchange', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='stepchange',
            trigger=pgtrigger.compiler.Trigger(name='figures_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func='PERFORM figures_engine_truncated();\nRETURN NULL;', hash='a9cb1e096848d92267ce68367937838126c628da', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_figures_truncate_2c477', table='cases_stepchange', when='AFTER')),
        ),
    ]
