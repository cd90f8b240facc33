"""``earlyhelp_analyze(text[])``: lets the application role refresh planner statistics after a bulk load
(``earlyhelp.planner_statistics``). ``SECURITY DEFINER``, owned by the role that migrates (the tables' owner);
it analyses only ``public`` tables that owner owns. PostgreSQL only."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION earlyhelp_analyze(tables text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
    analysed integer := 0;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                   WHERE schemaname = 'public' AND tablename = t AND tableowner = current_user) THEN
            EXECUTE format('ANALYZE public.%I', t);
            analysed := analysed + 1;
        END IF;
    END LOOP;
    RETURN analysed;
END
$$;
REVOKE ALL ON FUNCTION earlyhelp_analyze(text[]) FROM PUBLIC;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)  # no parameters: format()'s %I stays as written


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS earlyhelp_analyze(text[])")


class Migration(migrations.Migration):
    dependencies = [("earlyhelp", "0012_merge_20261206_1239")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
