"""The embedded PostgreSQL server (earlyhelp.embedded_db): the demo's and the tests' database when DATABASE_URL
is unset, set up as production is."""

import os
import subprocess
import sys
from pathlib import Path

import environ
import psycopg2

from earlyhelp import embedded_db

ROOT = Path(__file__).resolve().parent.parent


def test_a_server_listens_on_its_socket_only_with_the_owner_and_a_non_owner_application_role():
    with embedded_db.throwaway_server() as server:
        assert server.is_running()
        directory = server.directory
        with psycopg2.connect(host=str(directory), port=embedded_db.PORT, user=embedded_db.APP_ROLE,
                              dbname=embedded_db.DATABASE) as conn, conn.cursor() as cursor:
            cursor.execute("SHOW listen_addresses")
            assert cursor.fetchone() == ("",)
            cursor.execute("SELECT rolsuper, rolbypassrls, rolcreatedb FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (False, False, False)
            cursor.execute("SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                           [embedded_db.DATABASE])
            assert cursor.fetchone() == (embedded_db.OWNER,)
            cursor.execute("SELECT current_setting('server_version_num')::int >= 150000")
            assert cursor.fetchone() == (True,)
        assert server.start() is False  # already running: nothing started twice
    assert not directory.exists()


def test_the_owner_url_given_to_migrate_names_the_socket():
    config = environ.Env.db_url_config(embedded_db.database_url(Path("/srv/eh/var/pg"), user=embedded_db.OWNER))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"]) == ("earlyhelp", "earlyhelp_owner")
    assert config["OPTIONS"]["host"] == "/srv/eh/var/pg"


def test_without_database_url_the_app_connects_to_the_embedded_socket_as_the_application_role(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"VAR_DIR": str(tmp_path)}
    code = "from earlyhelp import settings as s; d = s.DATABASES['default']; print(d['HOST'], d['USER'], d['ENGINE'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == [str(tmp_path.resolve() / "pg"), "earlyhelp_app", "django.db.backends.postgresql"]
