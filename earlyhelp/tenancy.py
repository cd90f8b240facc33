"""The tenancy kernel: the abstract base every tenant-owned model inherits, and the tenant context.

A tenant-owned model's default manager (``objects``) is a django-scopes ``ScopedManager``: a query made with no
tenant in context raises ``ScopeError`` instead of returning every tenant's rows, and inside a tenant's context
it only ever returns that tenant's rows. Unscoped access goes through the ``all_tenants`` manager, whose uses
are few, reviewed and listed in ``tests/test_conventions.py``.

The context is entered by the middleware (a signed-in user's active membership), by API authentication and by
every Celery task (``earlyhelp.tasks.tenant_task``) through :func:`tenant_context`, which also sets the
transaction-local ``app.tenant_id`` that PostgreSQL's row-level security policies read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django_scopes import get_scope, scope, scopes_disabled
from django_scopes.manager import DisabledQuerySet

if TYPE_CHECKING:
    from .models import Tenant

__all__ = [
    "TenantModel",
    "TenantManager",
    "TenantForeignKey",
    "tenant_context",
    "current_tenant",
    "current_tenant_id",
    "platform_context",
    "set_database_user",
    "set_database_settings",
]


def current_tenant() -> Tenant | None:
    """The tenant whose context is active, or None outside any tenant context."""
    current = get_scope()
    if not current.get("_enabled", True):
        return None
    return current.get("tenant")


def current_tenant_id() -> int | None:
    tenant = current_tenant()
    return tenant.pk if tenant is not None else None


# Settings that let a platform lookup see rows before the tenant is known (the API token's prefix, read by the
# ``read_by_token_prefix`` policy): entering a tenant's context always clears them, in the same statement.
LOOKUP_SETTINGS = ("app.api_token_prefix",)


def set_database_settings(values: dict[str, str]) -> None:
    """Set transaction-local PostgreSQL settings read by the row-level security policies, in one statement."""
    if not values:
        return
    calls = ", ".join(["set_config(%s, %s, true)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [part for item in values.items() for part in item])


def _set_database_setting(name: str, value: str) -> None:
    set_database_settings({name: value})


def set_database_user(user_id: int | None) -> None:
    """Let the current transaction read the signed-in user's own memberships (all tenants) under RLS."""
    _set_database_setting("app.user_id", "" if user_id is None else str(user_id))


class _SettingsBeforeNextStatement:
    """An execute wrapper that sends transaction-local settings with the connection's next statement, as a first
    statement of the same query (each statement of a multi-statement query sees the ones before it): the
    settings are in place before anything runs, without a round trip of their own. Statements it cannot prefix
    (``executemany``, a server-side cursor, a statement without parameters) get the settings sent just before
    them instead."""

    def __init__(self, values: dict[str, str]):
        self.pending: dict[str, str] | None = values

    def __call__(self, execute, sql, params, many, context):
        values, self.pending = self.pending, None
        if values is None:
            return execute(sql, params, many, context)
        cursor = getattr(context.get("cursor"), "cursor", None)
        if many or params is None or getattr(cursor, "name", None):
            set_database_settings(values)
            return execute(sql, params, many, context)
        if isinstance(params, dict):
            keys = [f"eh_setting_{i}" for i in range(2 * len(values))]
            calls = ", ".join(f"set_config(%({keys[2 * i]})s, %({keys[2 * i + 1]})s, true)" for i in range(len(values)))
            params = {**params, **dict(zip(keys, [part for item in values.items() for part in item], strict=True))}
        else:
            calls = ", ".join(["set_config(%s, %s, true)"] * len(values))
            params = (*[part for item in values.items() for part in item], *params)
        return execute(f"SELECT {calls}; {sql}", params, many, context)


@contextmanager
def tenant_context(tenant: Tenant, *, savepoint: bool = True, restore: bool = True,
                   lazy: bool = False) -> Iterator[Tenant]:
    """Run the block as ``tenant``: scoped managers filter to it and RLS sees only its rows.

    The block runs in a transaction because ``app.tenant_id`` is set transaction-locally: it cannot leak to the
    next request or task that reuses the connection. Inside an enclosing transaction it is a savepoint unless
    ``savepoint=False`` (an error in the block then rolls back the enclosing transaction, as with
    ``atomic(savepoint=False)``). Leaving the block inside an enclosing transaction puts back the enclosing
    tenant's setting, unless ``restore=False``: for a caller that ends the transaction right after the block and
    runs nothing else in it (the API's request transaction), where that would be a wasted round trip.
    One statement sets ``app.tenant_id`` and clears the platform lookup settings (``LOOKUP_SETTINGS``); with
    ``lazy=True`` it is sent with the block's first statement instead (``_SettingsBeforeNextStatement``).
    """
    if tenant is None or tenant.pk is None:
        raise ValueError("tenant_context needs a saved tenant")
    settings = {**dict.fromkeys(LOOKUP_SETTINGS, ""), "app.tenant_id": str(tenant.pk)}
    with ExitStack() as stack:
        stack.enter_context(transaction.atomic(savepoint=savepoint))
        stack.enter_context(scope(tenant=tenant))
        if lazy:
            stack.enter_context(connection.execute_wrapper(_SettingsBeforeNextStatement(settings)))
        else:
            set_database_settings(settings)
        yield tenant
    # Inside an enclosing transaction the setting would outlive this block: put back the enclosing one.
    if restore and connection.in_atomic_block:
        outer = current_tenant()
        _set_database_setting("app.tenant_id", str(outer.pk) if outer is not None else "")


@contextmanager
def platform_context() -> Iterator[None]:
    """Unscoped access for platform code only (migrations, platform admin, benchmarks, demo seeding).

    RLS still applies unless the connection is the owner or a superuser, as platform jobs are.
    """
    with scopes_disabled():
        yield


class _NoTenantQuerySet(DisabledQuerySet):
    """Raised on evaluation when no tenant is in context. ``all()`` stays lazy so that form fields can be
    declared at import time; filtering, counting, iterating or fetching raise ``ScopeError``."""

    def all(self):
        return self._clone()


class TenantManager(models.Manager):
    """django-scopes' fail-closed manager for the ``tenant`` dimension.

    Differs from ``django_scopes.ScopedManager`` in two ways that matter here: ``scope(tenant=None)`` fails
    closed instead of returning every tenant's rows, and ``.all()`` outside a scope is lazy (see above).
    """

    def get_queryset(self):
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        tenant = current.get("tenant")
        if tenant is None:
            return _NoTenantQuerySet(self.model, using=self._db, missing_scopes=["tenant"])
        return super().get_queryset().filter(tenant=tenant)


class TenantForeignKey(models.ForeignKey):
    """A foreign key from one tenant-owned row to another, carrying the tenant.

    * In the database it is the composite constraint ``(tenant_id, <column>) REFERENCES <table> (tenant_id, id)``
      (``earlyhelp.rls.TenantForeignKeys`` creates it, with the ``(tenant_id, id)`` unique key it needs), never
      Django's single-column constraint: a row can only point into its own tenant, refused by the database.
    * Every ORM join through it is on both columns (``ON r.family_id = f.id AND r.tenant_id = f.tenant_id``).

    Both together matter for row-level security at scale (docs/scaling.md §3): the tenant equality puts every
    joined table's tenant column, the ORM's ``tenant_id = <tenant>`` and the policy's ``app.tenant_id`` into one
    equivalence class, and PostgreSQL then estimates the join from the composite foreign key (each row matches
    exactly one row of its own tenant) instead of treating the joined table's tenant filter as independent of
    the join, which underestimated joins by about the number of tenants and chose bad plans. A single-column
    constraint next to the composite one would take the join clause first and hide the composite one from the
    estimator, so there is none.
    """

    def __init__(self, *args, **kwargs):
        kwargs["db_constraint"] = False  # the composite constraint replaces it (see above)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("db_constraint", None)
        return name, "earlyhelp.tenancy.TenantForeignKey", args, kwargs

    def get_extra_restriction(self, alias, related_alias):
        # alias: the referenced table's alias, related_alias: this field's table (either may be on the left of
        # the join). None when Django pushes a condition into a subquery: nothing to add there.
        if alias is None or related_alias is None:
            return None
        from django.db.models.lookups import Exact
        from django.db.models.sql.where import AND, WhereNode

        here = self.model._meta.get_field("tenant").get_col(related_alias)
        there = self.related_model._meta.get_field("tenant").get_col(alias)
        return WhereNode([Exact(here, there)], connector=AND)


class TenantModel(models.Model):
    """Abstract base of every tenant-owned table.

    Invariants: ``tenant`` is never null; every foreign key to another tenant-owned row points into the same
    tenant (checked on save, and for many-to-many additions); ``public_id`` is the identifier shown in URLs and
    the API; unique constraints include the tenant.
    """

    tenant = models.ForeignKey("earlyhelp.Tenant", on_delete=models.PROTECT, related_name="+", editable=False)
    public_id = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = TenantManager()
    all_tenants = models.Manager()  # unscoped: platform code only, see module docstring

    class Meta:
        abstract = True
        base_manager_name = "all_tenants"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="%(app_label)s_%(class)s_public_id"),
        ]

    def save(self, *args, **kwargs):
        if self.tenant_id is None:
            tenant = current_tenant()
            if tenant is None:
                raise ValidationError(f"{type(self).__name__} needs a tenant: none given and none in context")
            self.tenant = tenant
        self.check_same_tenant()
        super().save(*args, **kwargs)

    def check_same_tenant(self) -> None:
        """Refuse a foreign key that points at another tenant's row."""
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "tenant":
                continue
            related_model = field.related_model
            if not (isinstance(related_model, type) and issubclass(related_model, TenantModel)):
                continue
            value = getattr(self, field.attname)
            if value is None:
                continue
            cached = field.get_cached_value(self, default=None) if field.is_cached(self) else None
            if cached is not None:
                other_tenant_id = cached.tenant_id
            else:
                other_tenant_id = (
                    related_model.all_tenants.filter(pk=value).values_list("tenant_id", flat=True).first()
                )
            if other_tenant_id is not None and other_tenant_id != self.tenant_id:
                raise ValidationError(
                    {field.name: f"{related_model._meta.verbose_name} belongs to another local authority"}
                )


@receiver(m2m_changed)
def _refuse_cross_tenant_m2m(sender, instance, action, model, pk_set, **kwargs):
    """Many-to-many additions between tenant-owned rows stay inside one tenant."""
    if action != "pre_add" or not pk_set:
        return
    if not (isinstance(instance, TenantModel) and issubclass(model, TenantModel)):
        return
    foreign = model.all_tenants.filter(pk__in=pk_set).exclude(tenant_id=instance.tenant_id)
    if foreign.exists():
        raise ValidationError(f"{model._meta.verbose_name_plural} belong to another local authority")
