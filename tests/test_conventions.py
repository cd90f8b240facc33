"""Conventions enforced by tests rather than memory (see STYLE.md)."""

import re
from pathlib import Path

from django.apps import apps

from earlyhelp.tenancy import TenantModel

ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIRS = ["earlyhelp", "commissioning", "cases", "outcomes", "reporting"]

# Files allowed to use unscoped access (``all_tenants`` / ``scopes_disabled`` / ``platform_context``).
# Adding one is a reviewed decision: say why beside it.
UNSCOPED_ALLOWED = {
    "earlyhelp/tenancy.py": "defines the managers and the cross-tenant checks",
    "earlyhelp/audit.py": "writes the audit row for an explicit tenant",
    "earlyhelp/audit_verify.py": "walks one explicit tenant's audit chain (command and page pass the tenant)",
    "earlyhelp/audit_seals.py": "seals and checks one explicit tenant's read rows (the verification and the task "
                                "pass the tenant)",
    "earlyhelp/middleware.py": "lists the signed-in user's own memberships before a tenant is chosen",
    "earlyhelp/two_factor.py": "whether any of the user's own memberships needs two-factor, before a tenant is chosen",
    "earlyhelp/admin.py": "platform administrators' site; membership checks across the user's tenants",
    "earlyhelp/demo.py": "platform seeding",
    "earlyhelp/management/commands/seed_demo.py": "platform seeding",
    "earlyhelp/rls.py": "platform: inspects every tenant table",
    "earlyhelp/api/authentication.py": "finds an API client by its token's prefix before the tenant is known",
}


def tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy]


def test_unscoped_access_is_rare_and_listed():
    pattern = re.compile(r"\ball_tenants\b|\bscopes_disabled\b|\bplatform_context\b")
    offenders = []
    for folder in PROJECT_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/tests/" in rel or rel in UNSCOPED_ALLOWED:
                continue
            if pattern.search(path.read_text()):
                offenders.append(rel)
    assert offenders == [], f"unscoped access outside the allowed files: {offenders}"


def test_every_tenant_model_keeps_the_fail_closed_manager_and_the_unscoped_base_manager():
    for model in tenant_models():
        assert type(model._default_manager).__name__ == "TenantManager", model
        assert model._default_manager.name == "objects", model
        assert model._meta.base_manager_name == "all_tenants", f"{model}: Meta must inherit TenantModel.Meta"


def test_every_unique_constraint_on_a_tenant_table_carries_the_tenant():
    for model in tenant_models():
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields:
                assert "tenant" in fields, f"{model.__name__}.{constraint.name} lacks the tenant"
        for field in model._meta.local_fields:
            if field.unique and not field.primary_key:
                raise AssertionError(f"{model.__name__}.{field.name} is unique without the tenant")
        names = {tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)}
        assert ("tenant", "public_id") in names, f"{model.__name__} lost the (tenant, public_id) constraint"


def test_imports_run_down_the_floors_only():
    floors = ["earlyhelp", "commissioning", "cases", "outcomes", "reporting"]
    offenders = []
    for level, folder in enumerate(floors):
        higher = floors[level + 1 :]
        if not higher:
            continue
        pattern = re.compile(r"^\s*(from|import)\s+(" + "|".join(higher) + r")\b", re.MULTILINE)
        for path in (ROOT / folder).rglob("*.py"):
            if "/migrations/" in path.as_posix() or "/tests/" in path.as_posix():
                continue
            if pattern.search(path.read_text()):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == [], f"imports up the floors: {offenders}"


def test_every_foreign_key_between_tenant_models_carries_the_tenant():
    """A foreign key from one tenant row to another is a TenantForeignKey: a composite (tenant_id, …) constraint
    in the database and joins on the tenant too (docs/scaling.md §3)."""
    from earlyhelp.tenancy import TenantForeignKey

    offenders = [
        f"{model.__name__}.{field.name}"
        for model in tenant_models()
        for field in model._meta.local_concrete_fields
        if field.is_relation and field.name != "tenant" and isinstance(field.related_model, type)
        and issubclass(field.related_model, TenantModel) and not isinstance(field, TenantForeignKey)
    ]
    assert offenders == []


# Models that are not tenant-owned, with the reason. Adding one is a reviewed decision (issue #16): a table
# outside this list must inherit TenantModel (and so get the fail-closed manager and row-level security).
PLATFORM_MODELS = {
    "admin.LogEntry": "Django admin's change log (platform staff); tenant changes are in the audit log",
    "auth.Permission": "Django's permission catalogue (no tenant data)",
    "auth.Group": "Django's groups (unused for roles; roles live on memberships)",
    "contenttypes.ContentType": "Django's model catalogue (no tenant data)",
    "sessions.Session": "sign-in sessions, keyed by an unguessable key; a user may belong to several councils",
    "axes.AccessFailureLog": "sign-in throttling happens before any council is known",
    "axes.AccessAttempt": "sign-in throttling happens before any council is known",
    "axes.AccessAttemptExpiration": "sign-in throttling happens before any council is known",
    "axes.AccessLog": "sign-in throttling happens before any council is known",
    "otp_totp.TOTPDevice": "a person's authenticator, used for every council they belong to",
    "earlyhelp.User": "a person may belong to several councils through memberships",
    "earlyhelp.TenantUser": "proxy of User for the tenant administrators' site",
    "earlyhelp.Tenant": "the councils themselves",
    "earlyhelp.TenantSettings": "proxy of Tenant: a council's own settings page",
    "earlyhelp.FiguresVersion": "figures-engine state per council, written by triggers; its tenant_id is a plain "
                                "column (no foreign key to wait on) with RLS forced (earlyhelp 0009)",
    "earlyhelp.FiguresPendingRenewal": "empty between transactions; renewal queue of the figures engine; RLS "
                                       "forced on its tenant_id (earlyhelp 0009)",
}


def test_every_model_is_tenant_owned_or_a_reviewed_platform_model():
    outside = sorted(
        m._meta.label for m in apps.get_models() if not issubclass(m, TenantModel) and m._meta.label not in
        PLATFORM_MODELS
    )
    assert outside == [], f"inherit TenantModel, or add to PLATFORM_MODELS with the reason: {outside}"
    stale = sorted(set(PLATFORM_MODELS) - {m._meta.label for m in apps.get_models()})
    assert stale == [], f"no longer models: {stale}"


# What a migration may import from the project besides other migration modules (``<app>.migrations.*``, e.g. a
# frozen ``_frozen_*`` module): classes and callables that migrations record by their import path. Their behaviour
# is part of history — editing one changes what a fresh ``migrate`` does — so they are reviewed as stable: change
# them only compatibly, or freeze a copy into the migrations that use them first.
MIGRATION_IMPORTS_ALLOWED = {
    "earlyhelp.rls": "the row-level security operations (EnableRowLevelSecurity, EnableLinkTableSecurity, "
                     "AllowReadBySetting, RefuseUpdateAndDelete, TenantForeignKeys): one reviewed SQL shape per "
                     "operation, run by every app's migrations",
    "earlyhelp.tenancy": "TenantForeignKey: a field class that Django's migrations name by path (no SQL of its own)",
    "cases.models.documents": "the upload_to callable a FileField's migration names by path (no SQL)",
}


def _imported_modules(path: Path) -> set[str]:
    import ast

    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_every_pdf_is_written_by_the_platform_writer():
    """Committee reports, case files and subject access exports all go through ``earlyhelp.pdf.write_pdf`` (the
    collector paused, the frame stack's own room): no other module imports WeasyPrint."""
    offenders = [path.relative_to(ROOT).as_posix() for folder in PROJECT_DIRS for path in (ROOT / folder).rglob("*.py")
                 if "tests" not in path.parts and path != ROOT / "earlyhelp" / "pdf.py"
                 and any(name.split(".")[0] == "weasyprint" for name in _imported_modules(path))]
    assert offenders == []


def test_no_migration_imports_live_application_code():
    """Editing application code never changes what an old migration does: migrations import Django, libraries,
    other migration modules and the reviewed list above — never, say, ``earlyhelp.figures_engine``."""
    offenders = []
    for folder in PROJECT_DIRS:
        for path in sorted((ROOT / folder / "migrations").glob("*.py")):
            for module in _imported_modules(path):
                parts = module.split(".")
                if parts[0] not in PROJECT_DIRS or parts[1:2] == ["migrations"]:
                    continue
                if module not in MIGRATION_IMPORTS_ALLOWED:
                    offenders.append(f"{path.relative_to(ROOT).as_posix()} imports {module}")
    assert offenders == [], f"migrations importing live code (freeze it into the migration): {offenders}"


# Files whose SQL creates triggers outside the models' declarations (django-pgtrigger ``Meta.triggers``, compiled
# into migrations by ``makemigrations``). Adding one is a reviewed decision: say why beside it.
TRIGGER_SQL_ALLOWED = {
    "cases/migrations/_frozen_figures_0007_0011.py": "history: the figures triggers as cases 0007/0009/0011 and "
                                                     "outcomes 0004 created them (dropped by cases 0012)",
    "earlyhelp/rls.py": "RefuseUpdateAndDelete: the audit table's append-only trigger (earlyhelp 0002)",
}
# Triggers in the database that no model declares, with the file that creates them.
UNDECLARED_TRIGGERS_ALLOWED = {"earlyhelp_auditevent_append_only": "earlyhelp/rls.py",
                               "earlyhelp_auditseal_append_only": "earlyhelp/rls.py"}


def test_no_sql_builds_triggers_outside_the_models_declarations():
    pattern = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\b", re.IGNORECASE)
    found = set()
    for folder in [*PROJECT_DIRS, "bench", "tests"]:
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text()):
                found.add(path.relative_to(ROOT).as_posix())
    assert found == set(TRIGGER_SQL_ALLOWED), found ^ set(TRIGGER_SQL_ALLOWED)


def test_every_trigger_in_the_database_is_declared_on_its_model(db):
    """What the migrations built matches the declarations: each trigger is a model's (``Meta.triggers``, under
    its django-pgtrigger id) or on the reviewed list; and every declared trigger is installed, as declared."""
    import pgtrigger
    from django.db import connection

    declared = {}
    for model, trigger in pgtrigger.registered():
        compiled = trigger.compile(model)
        declared[(model._meta.db_table, compiled.sql.pgid)] = compiled.hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, t.tgname, obj_description(t.oid, 'pg_trigger') FROM pg_trigger t "
                       "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")
        installed = {(table, name): comment for table, name, comment in cursor.fetchall()}
    undeclared = sorted(name for table, name in installed if (table, name) not in declared)
    assert undeclared == sorted(UNDECLARED_TRIGGERS_ALLOWED)
    assert {key: installed.get(key) for key in declared} == declared  # pgtrigger's comment is the SQL's hash


def test_every_column_belongs_to_a_model(db):
    """No column is added behind the models' back (a raw ``ALTER`` in a migration): each table of a model has
    exactly the model's columns, so ``makemigrations`` sees the whole schema."""
    from django.db import connection

    expected = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            expected[model._meta.db_table] = {f.column for f in model._meta.local_concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, array_agg(column_name::text) FROM information_schema.columns "
                       "WHERE table_schema = current_schema() AND table_name = ANY(%s) GROUP BY table_name",
                       [list(expected)])
        actual = {table: set(columns) for table, columns in cursor.fetchall()}
    assert set(actual) == set(expected)
    assert {t: c for t, c in actual.items() if c != expected[t]} == {}, {
        t: (c - expected[t], expected[t] - c) for t, c in actual.items() if c != expected[t]}


# Lower-floor files that name a higher app's table or column, with the reason. Migrations are history: what they
# ran once is kept as it was (the frozen figures SQL of cases 0007/0011 named outcomes' tables; cases 0012 drops
# those triggers by name). Since the figures engine moved to earlyhelp (earlyhelp 0009) no live file is listed.
HIGHER_TABLE_NAMES_ALLOWED = {
    "cases/migrations/_frozen_figures_0007_0011.py": "history: the figures triggers as cases 0011 created them",
    "cases/migrations/0012_engine21_figures_rls_and_fields.py": "history: drops the triggers 0007/0011 created",
}
FLOORS = ["earlyhelp", "commissioning", "cases", "outcomes", "reporting"]
SQL_STATEMENT = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE|ALTER\s+TABLE)\b.*\b(FROM|INTO|SET|"
                           r"TABLE|ON|WHERE)\b", re.DOTALL)


def _floor_tables_and_columns():
    tables, columns = {}, {}
    for label in FLOORS:
        models = list(apps.get_app_config(label).get_models(include_auto_created=True))
        tables[label] = {m._meta.db_table for m in models}
        columns[label] = {f.column for m in models for f in m._meta.local_concrete_fields}
    return tables, columns


def _lower_floor_files(folder: str):
    for path in sorted((ROOT / folder).rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if path.suffix in {".py", ".html", ".sql", ".txt", ".md"} and rel not in HIGHER_TABLE_NAMES_ALLOWED:
            yield rel, path


def test_no_lower_floor_names_a_higher_apps_table():
    """``earlyhelp``, ``commissioning`` and ``cases`` never name a table of an app above them (in SQL, say):
    a higher app declares what the platform needs on its own models and registers its figures itself (the
    figures anchors of outcomes' models, ``earlyhelp.figures_engine.figures_triggers`` and
    ``register_measure``). Columns qualified by their table are covered here; bare columns below."""
    tables, _ = _floor_tables_and_columns()
    offenders = []
    for level, folder in enumerate(FLOORS[:3]):
        higher = set().union(*(tables[label] for label in FLOORS[level + 1:]))
        pattern = re.compile(r"\b(" + "|".join(sorted(higher, key=len, reverse=True)) + r")\b")
        for rel, path in _lower_floor_files(folder):
            found = sorted(set(pattern.findall(path.read_text())))
            if found:
                offenders.append(f"{rel}: {found}")
    assert offenders == [], f"lower floors naming higher apps' tables: {offenders}"


# ------------------------------------------------------------------------------- who acts (earlyhelp.actors)

# The modules of writes: every app's services, and the few write modules named for what they hold.
SERVICE_MODULES = sorted(
    {p for d in PROJECT_DIRS for p in (ROOT / d).glob("services.py")}
    | {p for d in PROJECT_DIRS for p in (ROOT / d).glob("services/*.py")}
    | {p for d in PROJECT_DIRS for p in (ROOT / d).glob("api/services.py")}
    | {ROOT / name for name in ("reporting/publishing.py", "reporting/indicators.py", "earlyhelp/data_exports.py",
                                "cases/import_jobs.py", "commissioning/import_jobs.py", "cases/reminders.py")}
)
# Calls that change data (or queue a change, or append to the audit log).
WRITE_CALLS = {"create", "save", "delete", "update", "bulk_create", "bulk_update", "get_or_create",
               "update_or_create", "record_event", "enqueue"}
# Writes that nobody asks for, so take no ``by``: a council's set-up when it is created, and the workers that
# carry out a job someone asked for (they look the requester up again from the job, and check them).
ACTS_FOR_NOBODY = {
    "tenant_defaults_ensure": "a council's default lists, made when it is set up",
    "case_settings": "a council's case settings row, made with the defaults on first read",
    "outcomes_defaults_ensure": "a council's default outcomes and tools, made when it is set up",
    "family_outcomes_ensure": "a council's default family outcomes, made when it is set up",
    "programme_framework_ensure": "a council's programme framework, made when it is set up",
    "tool_templates_ensure": "a council's tool templates, made when it is set up (as the 'tenant set-up' rule)",
    "report_run_execute": "the worker rendering a run someone requested",
    "report_runs_requeue_stalled": "the stalled-run check",
    "case_import_job_execute": "the worker importing a file someone queued (checks them again)",
    "case_import_jobs_requeue_stalled": "the stalled-job check",
    "return_import_job_execute": "the worker importing a file someone queued (checks them again)",
    "return_import_jobs_requeue_stalled": "the stalled-job check",
    "data_export_build": "the worker building an export someone asked for (checks them again)",
    "data_export_fail": "the worker recording why an export failed",
    "daily_digests_send": "the daily digest task, emailing each member their own task list",
    "api_submission_record": "the API's record of what a client submitted, after the service did it",
}
# earlyhelp.actors' checks (``can`` for a predicate such as ``note_is_editable``), and commissioning's submitter
# rule (require + the provider's own services), which the queued-import request shares with the services.
CHECKS = {"require", "granted", "can", "_require_submitter"}
OLD_ACTOR_PARAMETERS = {"actor", "author", "created_by", "requested_by", "revoked_by", "user", "membership_by"}


def _service_functions():
    import ast

    for path in SERVICE_MODULES:
        tree = ast.parse(path.read_text())
        private = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield path.relative_to(ROOT), node, private


def _called_names(node) -> set[str]:
    import ast

    return {c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
            for c in ast.walk(node) if isinstance(c, ast.Call)}


def test_every_service_that_writes_takes_by_keyword_only_and_checks_it_itself():
    missing, unchecked = [], []
    for path, node, private in _service_functions():
        called = _called_names(node)
        takes_by = any(a.arg == "by" for a in node.args.kwonlyargs)
        if not takes_by:
            if called & WRITE_CALLS and node.name not in ACTS_FOR_NOBODY:
                missing.append(f"{path}:{node.lineno} {node.name}")
            continue
        helpers = {name for name in called if name in private}
        checked = CHECKS & (called | set().union(*(_called_names(private[h]) for h in helpers)))
        if not checked:
            unchecked.append(f"{path}:{node.lineno} {node.name}")
    assert not missing, "services that write without a keyword-only `by` (earlyhelp.actors):\n" + "\n".join(missing)
    assert not unchecked, "services taking `by` that never call earlyhelp.actors.require:\n" + "\n".join(unchecked)
    assert len(ACTS_FOR_NOBODY) < 20  # reviewed one by one: set-up and workers only


def test_no_service_signature_names_the_actor_the_old_ways():
    found = []
    for path, node, _ in _service_functions():
        args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        names = {a.arg for a in args}
        if names & OLD_ACTOR_PARAMETERS:
            found.append(f"{path}:{node.lineno} {node.name}({', '.join(sorted(names & OLD_ACTOR_PARAMETERS))})")
        if any(a.arg == "by" for a in node.args.posonlyargs + node.args.args):
            found.append(f"{path}:{node.lineno} {node.name}: `by` must be keyword-only")
    assert not found, "service parameters still naming the acting user the old way (use `by`):\n" + "\n".join(found)
def _sql_words() -> set[str]:
    """PostgreSQL's keywords and type names: words of the language, not columns (``text``, ``owner``…)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM pg_get_keywords() UNION SELECT typname FROM pg_type")
        return {word for (word,) in cursor.fetchall()}


def test_no_lower_floor_sql_names_a_higher_apps_column(db):
    """In the SQL of ``earlyhelp``, ``commissioning`` and ``cases`` (string constants that read as a statement),
    no column that exists only on a higher app's tables: a lower floor's SQL reads its own floor's and lower
    floors' columns. (A column name shared with a lower table, ``tenant_id`` say, cannot be told apart and is
    not a finding.)"""
    import ast

    _, columns = _floor_tables_and_columns()
    sql_words = _sql_words()
    offenders = []
    for level, folder in enumerate(FLOORS[:3]):
        own = set().union(*(columns[label] for label in FLOORS[:level + 1]))
        higher_only = set().union(*(columns[label] for label in FLOORS[level + 1:])) - own - sql_words
        pattern = re.compile(r"\b(" + "|".join(sorted(higher_only, key=len, reverse=True)) + r")\b")
        for rel, path in _lower_floor_files(folder):
            if path.suffix != ".py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.search(
                        node.value):
                    found = sorted(set(pattern.findall(node.value)))
                    if found:
                        offenders.append(f"{rel}:{node.lineno}: {found}")
    assert offenders == [], f"lower floors' SQL naming higher apps' columns: {offenders}"


def test_the_column_check_finds_a_higher_column(tmp_path):
    """The check above can fail: SQL in a lower floor naming a reading's own column is found."""
    _, columns = _floor_tables_and_columns()
    higher_only = columns["outcomes"] - set().union(*(columns[label] for label in FLOORS[:3]))
    assert "taken_on" in higher_only
    sql = "SELECT min(x.taken_on) FROM some_table x WHERE x.tenant_id = %s"
    assert SQL_STATEMENT.search(sql)
    assert re.search(r"\b(" + "|".join(sorted(higher_only, key=len, reverse=True)) + r")\b", sql)
