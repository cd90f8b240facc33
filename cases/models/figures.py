"""The per-tenant data version behind the shared cache of aggregate figures (``cases.figures_cache``)."""

from __future__ import annotations

from django.db import models


class FiguresVersion(models.Model):
    """A random token per tenant, replaced by a database trigger in the same transaction as any write to the
    tables the aggregate figures are counted from.

    Not a tenant-owned table (no row-level security): it holds no tenant data, only a random token, and the
    trigger must be able to renew it whichever context the write ran in. ``tenant_id`` is a plain column, not a
    foreign key, so deleting a tenant never waits on it (an orphan token is harmless).
    """

    tenant_id = models.BigIntegerField(primary_key=True)
    token = models.UUIDField()

    class Meta:
        db_table = "cases_figuresversion"

    def __str__(self) -> str:
        return f"figures of tenant {self.tenant_id}: {self.token}"


class FiguresPendingRenewal(models.Model):
    """One row per transaction and tenant that wrote to a source table: a deferred (commit-time) trigger on this
    table renews the tenant's token and deletes the row, so the token's row lock is held only while the writing
    transaction commits rather than from its first write (``cases.figures_cache``). Always empty between
    transactions."""

    tenant_id = models.BigIntegerField()

    class Meta:
        db_table = "cases_figurespending"

    def __str__(self) -> str:
        return f"pending renewal for tenant {self.tenant_id}"
