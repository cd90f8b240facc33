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
    "cases.FiguresVersion": "figures-cache token per council, renewed by triggers (issue #21 moves it)",
    "cases.FiguresPendingRenewal": "empty between transactions; renewal queue of the figures cache (issue #21)",
}


def test_every_model_is_tenant_owned_or_a_reviewed_platform_model():
    outside = sorted(
        m._meta.label for m in apps.get_models() if not issubclass(m, TenantModel) and m._meta.label not in
        PLATFORM_MODELS
    )
    assert outside == [], f"inherit TenantModel, or add to PLATFORM_MODELS with the reason: {outside}"
    stale = sorted(set(PLATFORM_MODELS) - {m._meta.label for m in apps.get_models()})
    assert stale == [], f"no longer models: {stale}"
