"""The figures cache's state per tenant (``cases.figures_cache``): a version row and the commit-time renewal queue.

Both tables carry a ``tenant_id`` and have row-level security forced with the tenant policy (cases 0012): the
application role sees and writes only the current tenant's row. ``tenant_id`` is a plain column, not a foreign
key, so deleting a tenant never waits on these rows (an orphan state is harmless: its token is random).
"""

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models

from commissioning.models import CommissionedService

from ..figures_cache import figures_triggers, renewal_trigger


class FiguresVersion(models.Model):
    """A tenant's figures state: a random token (replaced when a write can change every period, which retires
    every cached entry at once), the number of changes committed under it, and the staircase of recent changes
    ``(change number, earliest date it can change)`` that lets a closed period's entries outlive today's work.
    Written only by the commit-time trigger and by the first reader (``figures_cache.data_state``); the database
    defaults are what those writers rely on."""

    tenant_id = models.BigIntegerField(primary_key=True)
    token = models.UUIDField()
    seq = models.BigIntegerField(db_default=0, help_text="Changes committed under this token.")
    change_seqs = ArrayField(models.BigIntegerField(), db_default=[],
                             help_text="The staircase's change numbers, rising.")
    change_since = ArrayField(models.DateField(), db_default=[],
                              help_text="The staircase's earliest dates, rising with the change numbers.")

    class Meta:
        db_table = "cases_figuresversion"

    def __str__(self) -> str:
        return f"figures of tenant {self.tenant_id}: {self.token}.{self.seq}"


class FiguresPendingRenewal(models.Model):
    """One row per transaction and tenant that wrote to a source table, holding the earliest date the
    transaction's writes can change a figure from (NULL on a row of the first design: every period). A deferred
    (commit-time) trigger records the change on the tenant's version row and deletes this row, so the version
    row's lock is held only while the writing transaction commits rather than from its first write. Always empty
    between transactions."""

    tenant_id = models.BigIntegerField()
    since = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "cases_figurespending"
        triggers = [renewal_trigger()]

    def __str__(self) -> str:
        return f"pending renewal for tenant {self.tenant_id}"


# Commissioned services are a lookup of the figures (interventions by service). commissioning sits below cases
# and cannot name the figures machinery, so cases declares the triggers on its model here; django-pgtrigger
# compiles them into commissioning's migrations.
pgtrigger.register(*figures_triggers(None))(CommissionedService)
