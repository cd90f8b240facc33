"""Merging two records of one person, undoing a merge, and remembering that two people are not one.

A merge finds every foreign key to ``Person`` from the model registry (``_meta``), so a table added later is
covered without changing this module: each row pointing at the merged person is re-pointed at the survivor; a
row that cannot move (a relationship between the two, or one the survivor already has) is kept as a snapshot and
removed. The merged person's row is kept as a snapshot and deleted. ``person_unmerge`` puts every row back as it
was, so both records are restored exactly (tested by a round trip of row counts and checksums).

People in different families can be merged: the survivor keeps its own family; the referrals, cases and
relationships of the merged person move to the survivor and keep their own family; the merged person's family
stays (with its referrals and cases) even when nobody is left in it, so that an unmerge can restore it.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import NotDuplicate, Person, PersonMerge
from ._common import check_one_tenant

# Tables whose references to a person are the merge's own bookkeeping, never moved.
_NOT_MOVED = {"cases.personmerge"}


ONLY_MANAGERS = "Only a team manager can merge or separate people's records."


def _person_references() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every (model, foreign key) pointing at ``Person``, many-to-many link tables included."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in _NOT_MOVED or not model._meta.managed and not model._meta.auto_created:
            continue
        for fk in model._meta.concrete_fields:
            if fk.is_relation and fk.many_to_one | fk.one_to_one and fk.related_model is Person:
                found.append((model, fk))
    return found


def _snapshot(row) -> str:
    """``row`` as JSON, every value kept exactly (Django's JSON serializer cuts times to milliseconds)."""
    def exact(value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return json.dumps(serializers.serialize("python", [row]), default=exact)


def _restore(text: str) -> None:
    """Insert the row of :func:`_snapshot` again, with its primary key and values (no save() side effects)."""
    for restored in serializers.deserialize("python", json.loads(text)):
        restored.save()


def _rows(model):
    """The rows of ``model`` (a tenant's table through its scoped manager, or a link table)."""
    return model._default_manager


def person_merge(*, survivor: Person, merged: Person, by) -> PersonMerge:
    """``merged`` is the same person as ``survivor``: everything recorded about ``merged`` moves to
    ``survivor`` and ``merged`` is removed, reversibly (:func:`person_unmerge`). Refused, with nothing written,
    for a person and themselves, people of another council, or by someone who is not a team manager."""
    require(by, Capability.MANAGE_TEAM, ONLY_MANAGERS)
    check_one_tenant(survivor, merged)
    if survivor.pk == merged.pk:
        raise ValidationError(f"{survivor.full_name} cannot be merged with themselves: choose two different "
                              "records.")
    if PersonMerge.objects.filter(survivor=merged, undone_at__isnull=True).exists():
        raise ValidationError(f"{merged.full_name}'s record took in another record in an earlier merge: merge "
                              f"{survivor.full_name} into {merged.full_name} instead, or undo that merge first.")
    with transaction.atomic():
        snapshot = _snapshot(Person.objects.get(pk=merged.pk))
        moved, removed = [], []
        for model, fk in _person_references():
            for row in _rows(model).filter(**{fk.attname: merged.pk}).order_by("pk"):
                other_person_fks = [f for m, f in _person_references() if m is model and f is not fk]
                to_self = any(getattr(row, f.attname) == survivor.pk for f in other_person_fks)
                if not to_self:
                    try:
                        with transaction.atomic():
                            _rows(model).filter(pk=row.pk).update(**{fk.attname: survivor.pk})
                        moved.append([model._meta.label_lower, fk.attname, row.pk])
                        continue
                    except IntegrityError:
                        pass  # the survivor already has the same row (one per pair): the merged one goes
                removed.append(_snapshot(row))
                _rows(model).filter(pk=row.pk).delete()
        Person.objects.filter(pk=merged.pk).delete()
        merge = PersonMerge.objects.create(
            survivor=survivor, merged_person_id=merged.pk, merged_name=merged.full_name,
            merged_snapshot=snapshot, moved=moved, removed=removed, merged_by=user_of(by))
        record_event(action="person.merged", by=by, obj=survivor,
                     detail={"merged": str(merged.public_id), "merge": str(merge.public_id),
                             "moved": len(moved), "removed": len(removed)})
    return merge


def person_unmerge(*, merge: PersonMerge, by) -> Person:
    """Undo ``merge``: the merged person's record comes back as it was, every row that moved points at them
    again and every row removed is put back. Returns the restored person."""
    require(by, Capability.MANAGE_TEAM, ONLY_MANAGERS)
    check_one_tenant(merge)
    if merge.undone_at is not None:
        raise ValidationError(f"The merge of {merge.merged_name} was already undone on "
                              f"{timezone.localtime(merge.undone_at):%d/%m/%Y}.")
    try:
        with transaction.atomic():
            _restore(merge.merged_snapshot)
            person = Person.objects.get(pk=merge.merged_person_id)
            for label, attname, pk in merge.moved:
                _rows(apps.get_model(label)).filter(pk=pk).update(**{attname: person.pk})
            for text in merge.removed:
                _restore(text)
            merge.undone_by, merge.undone_at = user_of(by), timezone.now()
            merge.save(update_fields=["undone_by", "undone_at"])
            record_event(action="person.unmerged", by=by, obj=person,
                         detail={"survivor": str(merge.survivor.public_id), "merge": str(merge.public_id)})
    except IntegrityError as error:
        raise ValidationError(f"The merge of {merge.merged_name} cannot be undone: something recorded since "
                              f"conflicts with what it would restore ({error.__cause__ or error}).") from error
    return person


def not_duplicate_record(*, person: Person, other: Person, by) -> NotDuplicate:
    """Remember that ``person`` and ``other`` are different people: the pair leaves the duplicates queue."""
    require(by, Capability.MANAGE_TEAM, ONLY_MANAGERS)
    check_one_tenant(person, other)
    if person.pk == other.pk:
        raise ValidationError("Choose two different people.")
    low, high = sorted([person, other], key=lambda p: p.pk)
    row, _ = NotDuplicate.objects.get_or_create(person_low=low, person_high=high, defaults={"decided_by": user_of(by)})
    record_event(action="person.not_duplicate", by=by, obj=low, detail={"other": str(high.public_id)})
    return row
