"""Families, people, their identifiers and the relationships between them.

A relationship is written as a pair (Jo is Ann's mother ⇔ Ann is Jo's child) so it reads the same from both
people. Relationships are written (both rows of the pair) by ``family_records.relationship_add`` and
``relationship_change`` only; NHS numbers by ``family_records.nhs_number_check_record``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..identifiers import identifier_clean, nhs_number_clean
from ..models import Family, FamilyAddress, LinkedIdentifier, Person, Relationship
from ._common import check_not_future, check_one_tenant


@dataclass
class IdentifierEntry:
    """A linked identifier of a new person (SSD ``ssd_linked_identifiers``)."""

    identifier_type: str
    value: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def postcode_normal(text: str) -> str:
    return " ".join(text.split()).upper()


def family_create(*, name: str, postcode: str = "", ward: str = "", address: str = "",
                  moved_in_on: dt.date | None = None, by) -> Family:
    """A new family (household). With an address, it is also the first entry of the family's address history."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant()
    if not name.strip():
        raise ValidationError({"name": "Enter the family's name."})
    family = Family.objects.create(name=name.strip(), postcode=postcode_normal(postcode), ward=ward,
                                   address=address.strip())
    if family.address or family.postcode:
        FamilyAddress.objects.create(family=family, address=family.address or "(address not given)",
                                     postcode=family.postcode, moved_in_on=moved_in_on)
    record_event(action="family.created", by=by, obj=family)
    return family


def family_move(*, family: Family, address: str, postcode: str, moved_on: dt.date, by) -> FamilyAddress:
    """The household moved: the current address ends the day before ``moved_on`` and the new one starts."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(family)
    if not address.strip():
        raise ValidationError({"address": "Enter the new address."})
    check_not_future(moved_on, "The date of the move")
    current = family.addresses.filter(moved_out_on__isnull=True).first()
    if current is not None and current.moved_in_on and moved_on <= current.moved_in_on:
        raise ValidationError({"moved_on": f"The family moved into their current address on "
                                           f"{current.moved_in_on:%d/%m/%Y}: the move must be after that."})
    with transaction.atomic():
        if current is not None:
            current.moved_out_on = moved_on - dt.timedelta(days=1) if current.moved_in_on else moved_on
            current.save(update_fields=["moved_out_on"])
        row = FamilyAddress.objects.create(family=family, address=address.strip(),
                                           postcode=postcode_normal(postcode), moved_in_on=moved_on)
        family.address, family.postcode = row.address, row.postcode
        family.save(update_fields=["address", "postcode"])
        record_event(action="family.moved", by=by, obj=family)
    return row


def person_details_errors(*, first_name: str, last_name: str, date_of_birth: dt.date | None, nhs_number: str,
                          nhs_number_absent_reason: str, email: str = "",
                          identifiers: list[IdentifierEntry] = (), today: dt.date | None = None) -> dict:
    """The problems with a new person's details, by field (empty when there are none). Shared by
    :func:`person_create` and the referral, which checks every person before writing any."""
    errors: dict[str, list[str]] = {}
    if not first_name.strip():
        errors["first_name"] = ["Enter the first name."]
    if not last_name.strip():
        errors["last_name"] = ["Enter the last name."]
    if date_of_birth is not None and date_of_birth > (today or dt.date.today()):
        errors["date_of_birth"] = [f"The date of birth ({date_of_birth:%d/%m/%Y}) cannot be in the future."]
    try:
        number = nhs_number_clean(nhs_number)
    except ValidationError as error:
        errors["nhs_number"] = error.messages
        number = nhs_number
    if number and nhs_number_absent_reason:
        errors["nhs_number_absent_reason"] = ["Give the NHS number or the reason it is left out, not both."]
    elif nhs_number_absent_reason and nhs_number_absent_reason not in Person.NhsNumberAbsent.values:
        errors["nhs_number_absent_reason"] = ["Choose why there is no NHS number."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [f'"{email}" is not an email address, like name@example.com.']
    for i, entry in enumerate(identifiers):
        problem = linked_identifier_problem(entry)
        if problem:
            errors[f"identifiers.{i}"] = [problem]
    return errors


def linked_identifier_problem(entry: IdentifierEntry, *, person: Person | None = None) -> str:
    """Why ``entry`` cannot be recorded ("" when it can): checked per type (``cases.identifiers``); for an
    existing ``person``, also not the same identifier twice, nor a second current one of a type a person has
    one of at a time."""
    if entry.identifier_type not in LinkedIdentifier.Type.values:
        return f'"{entry.identifier_type}" is not a kind of identifier here.'
    if not entry.value.strip():
        return "Enter the identifier."
    try:
        value = identifier_clean(entry.identifier_type, entry.value)
    except ValidationError as error:
        return error.messages[0]
    if entry.valid_from and entry.valid_to and entry.valid_to < entry.valid_from:
        return "The identifier cannot stop being valid before it starts."
    if person is not None and person.pk is not None:
        label = LinkedIdentifier.Type(entry.identifier_type).label
        same = person.linked_identifiers.filter(identifier_type=entry.identifier_type)
        if same.filter(value=value).exists():
            return f"{person.full_name} already has the {label} {value}."
        current = same.filter(valid_to__isnull=True).first()
        if (entry.valid_to is None and current is not None
                and entry.identifier_type in LinkedIdentifier.ONE_AT_A_TIME):
            return (f"{person.full_name} already has a current {label} ({current.value}): record the date it "
                    "stopped being valid first.")
    return ""


def person_create(
    *,
    family: Family,
    first_name: str,
    last_name: str,
    kind: str = Person.Kind.CHILD,
    date_of_birth: dt.date | None = None,
    sex: str = "U",
    ethnicity: str = "NOBT",
    postcode: str = "",
    ward: str = "",
    relationship: str = "",
    nhs_number: str = "",
    nhs_number_absent_reason: str = "",
    identifiers: list[IdentifierEntry] = (),
    upn: str = "",
    local_id: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    preferred_language: str = "",
    interpreter_needed: bool = False,
    in_household: bool = True,
    by,
) -> Person:
    """A person of ``family``. The NHS number is checked (Modulus 11) and stored as 10 digits, unverified; left
    out, the reason is recorded ("not yet asked" when none is given). ``upn`` is a shorthand for a linked
    identifier of that type."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(family)
    identifiers = list(identifiers)
    if upn.strip():
        identifiers.append(IdentifierEntry(LinkedIdentifier.Type.UPN, upn))
    errors = person_details_errors(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth,
                                   nhs_number=nhs_number, nhs_number_absent_reason=nhs_number_absent_reason,
                                   email=email, identifiers=identifiers)
    if kind not in Person.Kind.values:
        errors["kind"] = ["Choose child or adult."]
    if errors:
        raise ValidationError(errors)
    number = nhs_number_clean(nhs_number)
    with transaction.atomic():
        person = Person.objects.create(
            family=family, kind=kind, first_name=first_name.strip(), last_name=last_name.strip(),
            date_of_birth=date_of_birth, sex=sex, ethnicity=ethnicity,
            postcode=postcode_normal(postcode or family.postcode), ward=ward or family.ward,
            relationship=relationship, nhs_number=number,
            nhs_number_status=Person.NhsNumberStatus.UNVERIFIED if number else "",
            nhs_number_absent_reason="" if number else (nhs_number_absent_reason or Person.NhsNumberAbsent.NOT_ASKED),
            local_id=local_id, phone=phone.strip(), email=email.strip(), address=address.strip(),
            preferred_language=preferred_language.strip(), interpreter_needed=interpreter_needed,
            in_household=in_household,
        )
        for entry in identifiers:
            _identifier_create(person, entry)
        record_event(action="person.created", by=by, obj=person)
    return person


def _identifier_create(person: Person, entry: IdentifierEntry) -> LinkedIdentifier:
    value = identifier_clean(entry.identifier_type, entry.value)
    return LinkedIdentifier.objects.create(person=person, identifier_type=entry.identifier_type, value=value,
                                           valid_from=entry.valid_from, valid_to=entry.valid_to)


def linked_identifier_add(*, person: Person, entry: IdentifierEntry, by) -> LinkedIdentifier:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(person)
    problem = linked_identifier_problem(entry, person=person)
    if problem:
        raise ValidationError({"value": problem})
    row = _identifier_create(person, entry)
    record_event(action="person.identifier_added", by=by, obj=person,
                 detail={"type": entry.identifier_type})
    return row


def person_disabilities_record(*, person: Person, codes, by) -> Person:
    """Record a child's disabilities as CIN census codes (``NONE``: the child has none), or clear them (not
    recorded). ``NONE`` stands alone; codes are kept in the census list's order."""
    from ..defaults import CIN_DISABILITIES

    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(person)
    order = [code for code, _ in CIN_DISABILITIES]
    chosen = set(codes)
    if person.kind != Person.Kind.CHILD:
        raise ValidationError("Disabilities are recorded here for children (the CIN census).")
    unknown = chosen - set(order)
    if unknown:
        raise ValidationError({"disabilities": f"Not a CIN census disability code: {', '.join(sorted(unknown))}."})
    if "NONE" in chosen and len(chosen) > 1:
        raise ValidationError({"disabilities": "Choose 'No disability' on its own, or the child's disabilities."})
    person.disabilities = [code for code in order if code in chosen]
    person.save(update_fields=["disabilities"])
    record_event(action="person.disabilities_recorded", by=by, obj=person,
                 detail={"codes": person.disabilities})
    return person


def relationship_problem(person: Person | None, relative: Person | None, kind: str) -> str:
    """Why ``person`` cannot be recorded as ``relative``'s ``kind`` ("" when they can)."""
    if kind not in Relationship.Kind.values:
        return "Choose how they are related."
    if person is not None and relative is not None:
        if person.pk is not None and person.pk == relative.pk:
            return f"{person.full_name} cannot be related to themselves."
        if person.family_id and relative.family_id and person.family_id != relative.family_id:
            return f"{person.full_name} and {relative.full_name} are in different families."
    return ""
