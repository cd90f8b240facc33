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
