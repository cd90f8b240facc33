"""Keeping a family's record right after the referral: relationships added, changed or ended; an NHS number
checked and its verification recorded (how, by whom, when); linked identifiers ended or removed.

Every function follows the acting-user convention (``earlyhelp.actors``): keyword-only ``by``, capability checked
here, audited with ``record_event(by=...)``, all or nothing, refused with a message naming what is wrong. A
relationship is always a pair of rows (Jo is Ann's mother ⇔ Ann is Jo's child): these functions write, change and
remove both together, so it reads the same from each person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..identifiers import nhs_number_clean
from ..models import LinkedIdentifier, Person, Relationship
from ..models.people import ADULT_TO_CHILD_KINDS, INVERSE_KIND
from ._common import check_not_future, check_one_tenant
from .people import relationship_problem

# Kinds in which ``person`` is of an older generation than ``relative`` (a parent, carer of a child…): the one
# born later cannot be it. Grandparents and parents must be born before the child; a carer only is checked too.
OLDER_KINDS = frozenset({
    Relationship.Kind.MOTHER, Relationship.Kind.FATHER, Relationship.Kind.PARENT, Relationship.Kind.STEP_PARENT,
    Relationship.Kind.GRANDPARENT, Relationship.Kind.KINSHIP_CARER, Relationship.Kind.FOSTER_CARER,
})
YOUNGER_KINDS = frozenset(INVERSE_KIND[kind] for kind in OLDER_KINDS)
# A parent is at least this many years older than their child; less is refused as a likely mistake in a date.
MIN_PARENT_AGE_GAP_YEARS = 12
PARENT_KINDS = frozenset({Relationship.Kind.MOTHER, Relationship.Kind.FATHER, Relationship.Kind.PARENT})


def _years_between(older: dt.date, younger: dt.date) -> int:
    return younger.year - older.year - ((younger.month, younger.day) < (older.month, older.day))


def relationship_kind_problem(person: Person, relative: Person, kind: str, parental_responsibility: bool) -> str:
    """Why ``person`` cannot be ``relative``'s ``kind`` by their dates of birth, or hold parental responsibility
    for them ("" when they can). A parent or grandparent born after the child, or a parent fewer than
    ``MIN_PARENT_AGE_GAP_YEARS`` older, is refused: the dates or the relationship are wrong."""
    problem = relationship_problem(person, relative, kind)
    if problem:
        return problem
    older, younger = (person, relative) if kind in OLDER_KINDS else (relative, person) if kind in YOUNGER_KINDS \
        else (None, None)
    if older is not None and older.date_of_birth and younger.date_of_birth:
        shown = Relationship.Kind(kind if older is person else INVERSE_KIND[kind]).label.lower()
        if older.date_of_birth >= younger.date_of_birth:
            return (f"{older.full_name} (born {older.date_of_birth:%d/%m/%Y}) cannot be {younger.full_name}'s "
                    f"{shown}: they are not older than {younger.full_name} (born {younger.date_of_birth:%d/%m/%Y}). "
                    "Check the dates of birth or the relationship.")
        gap = _years_between(older.date_of_birth, younger.date_of_birth)
        if (kind in PARENT_KINDS or kind == Relationship.Kind.CHILD) and gap < MIN_PARENT_AGE_GAP_YEARS:
            return (f"{older.full_name} is only {gap} years older than {younger.full_name}: a parent is at least "
                    f"{MIN_PARENT_AGE_GAP_YEARS} years older. Check the dates of birth or the relationship.")
    if parental_responsibility and kind not in ADULT_TO_CHILD_KINDS:
        return (f"Parental responsibility is held by a parent or carer for a child: {person.full_name} is "
                f"recorded as {relative.full_name}'s {Relationship.Kind(kind).label.lower()}.")
    if parental_responsibility and relative.kind != Person.Kind.CHILD:
        return f"Parental responsibility is for a child: {relative.full_name} is recorded as an adult."
    return ""


def _write_pair(person: Person, relative: Person, kind: str, parental_responsibility: bool) -> Relationship:
    row, _ = Relationship.objects.update_or_create(
        person=person, relative=relative, defaults={"kind": kind, "parental_responsibility": parental_responsibility})
    Relationship.objects.update_or_create(
        person=relative, relative=person, defaults={"kind": INVERSE_KIND[kind], "parental_responsibility": False})
    return row


def relationship_add(*, person: Person, relative: Person, kind: str, parental_responsibility: bool = False,
                     by) -> Relationship:
    """Record that ``person`` is ``relative``'s ``kind`` (and the inverse, read from ``relative``). Refused when
    the two are one person, in different families, already related (change that relationship instead), or their
    dates of birth contradict the relationship."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(person, relative)
    problem = relationship_kind_problem(person, relative, kind, parental_responsibility)
    if problem:
        raise ValidationError({"kind": problem})
    existing = Relationship.objects.filter(person=person, relative=relative).first() or \
        Relationship.objects.filter(person=relative, relative=person).first()
    if existing is not None:
        raise ValidationError({"relative": f"{existing.person.full_name} is already recorded as "
                                           f"{existing.relative.full_name}'s {existing.get_kind_display().lower()}: "
                                           "change that relationship instead."})
    with transaction.atomic():
        row = _write_pair(person, relative, kind, parental_responsibility)
        record_event(action="relationship.recorded", by=by, obj=person,
                     detail={"relative": str(relative.public_id), "kind": kind,
                             "parental_responsibility": parental_responsibility})
    return row


def relationship_change(*, relationship: Relationship, kind: str, parental_responsibility: bool = False,
                        by) -> Relationship:
    """Change what ``relationship.person`` is to ``relationship.relative`` (the other side follows)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(relationship)
    person, relative = relationship.person, relationship.relative
    problem = relationship_kind_problem(person, relative, kind, parental_responsibility)
    if problem:
        raise ValidationError({"kind": problem})
    before = {"kind": relationship.kind, "parental_responsibility": relationship.parental_responsibility}
    with transaction.atomic():
        row = _write_pair(person, relative, kind, parental_responsibility)
        record_event(action="relationship.changed", by=by, obj=person,
                     detail={"relative": str(relative.public_id), "kind": kind,
                             "parental_responsibility": parental_responsibility, "before": before})
    return row


def relationship_end(*, relationship: Relationship, by) -> None:
    """Remove the relationship between the two people, both ways (recorded in error, or no longer true: a
    partnership that ended is better changed to "former partner"). The audit event keeps what it was."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(relationship)
    person, relative = relationship.person, relationship.relative
    with transaction.atomic():
        Relationship.objects.filter(person=person, relative=relative).delete()
        Relationship.objects.filter(person=relative, relative=person).delete()
        record_event(action="relationship.ended", by=by, obj=person,
                     detail={"relative": str(relative.public_id), "kind": relationship.kind,
                             "parental_responsibility": relationship.parental_responsibility})


def nhs_number_check_record(*, person: Person, nhs_number: str, verified: bool, how: str = "", by) -> Person:
    """Record ``person``'s NHS number (checked with its Modulus 11 check digit) and whether it is verified as
    theirs: verified says ``how`` (``Person.NhsNumberVerifiedHow``) and is stamped with who (``by``) and when
    (now); not verified clears any earlier verification. A changed number is never verified by the change alone
    unless ``verified`` says so."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(person)
    errors: dict[str, list[str]] = {}
    number = ""
    if not nhs_number.strip():
        errors["nhs_number"] = ["Enter the NHS number: 10 digits, like 943 476 5919."]
    else:
        try:
            number = nhs_number_clean(nhs_number)
        except ValidationError as error:
            errors["nhs_number"] = error.messages
    if verified and how not in Person.NhsNumberVerifiedHow.values:
        errors["how"] = ["Say how the NHS number was verified."]
    if verified and user_of(by) is None:
        errors["verified"] = ["A verification is made by a signed-in worker, not by a partner system."]
    if errors:
        raise ValidationError(errors)
    before = {"status": person.nhs_number_status, "changed": number != person.nhs_number}
    person.nhs_number, person.nhs_number_absent_reason = number, ""
    if verified:
        person.nhs_number_status = Person.NhsNumberStatus.VERIFIED
        person.nhs_number_verified_by, person.nhs_number_verified_at = user_of(by), timezone.now()
        person.nhs_number_verified_how = how
    else:
        person.nhs_number_status = Person.NhsNumberStatus.UNVERIFIED
        person.nhs_number_verified_by, person.nhs_number_verified_at, person.nhs_number_verified_how = None, None, ""
    with transaction.atomic():
        person.save(update_fields=["nhs_number", "nhs_number_absent_reason", "nhs_number_status",
                                   "nhs_number_verified_by", "nhs_number_verified_at", "nhs_number_verified_how"])
        record_event(action="person.nhs_number_verified" if verified else "person.nhs_number_recorded", by=by,
                     obj=person, detail={"how": how if verified else "", "before": before})
    return person


def linked_identifier_end(*, identifier: LinkedIdentifier, valid_to: dt.date, by) -> LinkedIdentifier:
    """The identifier stopped being valid on ``valid_to`` (kept in the person's history)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(identifier)
    if valid_to is None:
        raise ValidationError({"valid_to": "Enter the date it stopped being valid."})
    try:
        check_not_future(valid_to, "The date it stopped being valid")
    except ValidationError as error:
        raise ValidationError({"valid_to": error.messages}) from None
    if identifier.valid_to is not None:
        raise ValidationError({"valid_to": f"This {identifier.get_identifier_type_display()} already stopped being "
                                           f"valid on {identifier.valid_to:%d/%m/%Y}."})
    if identifier.valid_from and valid_to < identifier.valid_from:
        raise ValidationError({"valid_to": f"It cannot stop being valid before it started "
                                           f"({identifier.valid_from:%d/%m/%Y})."})
    identifier.valid_to = valid_to
    with transaction.atomic():
        identifier.save(update_fields=["valid_to"])
        record_event(action="person.identifier_ended", by=by, obj=identifier.person,
                     detail={"type": identifier.identifier_type, "valid_to": valid_to.isoformat()})
    return identifier


def linked_identifier_remove(*, identifier: LinkedIdentifier, by) -> None:
    """Remove an identifier recorded in error (one that was the person's but stopped is ended instead)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(identifier)
    person, kind = identifier.person, identifier.identifier_type
    with transaction.atomic():
        identifier.delete()
        record_event(action="person.identifier_removed", by=by, obj=person, detail={"type": kind})
