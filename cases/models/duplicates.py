"""Possible duplicate people: the pairs a manager said are not the same person, and merges (kept so that a merge
can be undone exactly)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.tenancy import TenantForeignKey, TenantModel

from .people import Person


class NotDuplicate(TenantModel):
    """A manager decided that two people who look alike are different people: the pair is no longer offered in
    the duplicates queue. ``person_low`` has the smaller id of the two."""

    person_low = TenantForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_high = TenantForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-decided_at"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "person_low", "person_high"], name="cases_notduplicate_pair"),
            models.CheckConstraint(condition=models.Q(person_low__lt=models.F("person_high")),
                                   name="cases_notduplicate_ordered"),
        ]


class PersonMerge(TenantModel):
    """``merged`` (now deleted) became ``survivor``: what moved and what was removed, so that the merge can be
    undone (``cases.services.duplicates.person_unmerge``) and both records restored exactly.

    ``merged_snapshot`` is the merged person's row and ``removed`` the rows that could not move (a relationship
    between the two people, or one the survivor already had), both in Django's serialization format; ``moved``
    lists ``[model label, field name, primary key]`` of every row whose foreign key now points at the survivor.
    ``merged_person_id`` is the merged person's id (no foreign key: the row is gone while the merge stands)."""

    survivor = TenantForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged_person_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=201)
    merged_snapshot = models.TextField()
    moved = models.JSONField(default=list)
    removed = models.JSONField(default=list)  # of snapshots (text)
    # Empty when a partner system merged through the API (``people:merge``): the audit event names the client.
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} merged into {self.survivor}"
