"""Referrals — one use case for the browser, the API and the import: :func:`referral_record` takes a family-shaped
input (several children, known or new; the adults with their relationship to each child; who consented), checks
all of it, and only then writes the family, people, relationships, referral and consent in one transaction —
and panel decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Consent, Family, PanelDecision, Person, PresentingNeed, Referral, ReferralSource, Relationship
from ._common import check_not_future, check_one_tenant, months_before
from .consent import consent_record
from .family_records import relationship_add, relationship_change, relationship_kind_problem
from .people import (
    IdentifierEntry,
    family_create,
    person_create,
    person_details_errors,
)


@dataclass
class NewPerson:
    """A person not yet recorded, as a referral names them."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None = None
    sex: str = "U"
    ethnicity: str = "NOBT"
    nhs_number: str = ""
    nhs_number_absent_reason: str = ""
    identifiers: list[IdentifierEntry] = field(default_factory=list)
    local_id: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    ward: str = ""
    preferred_language: str = ""
    interpreter_needed: bool = False
    in_household: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name.strip()} {self.last_name.strip()}".strip()


@dataclass
class ChildEntry:
    """A child the referral is about: ``person`` (already recorded) or ``new``. ``key`` names the child in
    the adults' relationships; ``path`` is where problems about the child are reported (e.g. ``children.1``)."""

    person: Person | None = None
    new: NewPerson | None = None
    key: str = ""
    path: str = ""


@dataclass
class RelationshipEntry:
    """The adult is the child's ``kind`` (mother, kinship carer…)."""

    child: str  # a ChildEntry key
    kind: str
    parental_responsibility: bool = False


@dataclass
class AdultEntry:
    person: Person | None = None
    new: NewPerson | None = None
    relationships: list[RelationshipEntry] = field(default_factory=list)
    path: str = ""


@dataclass
class FamilyEntry:
    """The family: ``family`` when known, else a new one named here (only when no known person is named)."""

    family: Family | None = None
    name: str = ""
    address: str = ""
    postcode: str = ""
    ward: str = ""


@dataclass
class ConsentEntry:
    """Who consented to early help: ``adult`` (an index into the adults) or ``given_by`` (a description)."""

    decided_on: dt.date
    adult: int | None = None
    given_by: str = ""
    method: str = Consent.Method.WRITTEN


@dataclass
class FamilyReferral:
    children: list[ChildEntry]
    adults: list[AdultEntry] = field(default_factory=list)
    family: FamilyEntry = field(default_factory=FamilyEntry)
    consent: ConsentEntry | None = None


@dataclass
class ReferralRecorded:
    referral: Referral
    family: Family
    family_created: bool
    children: list[Person]  # in the order given
    adults: list[Person]
    created: list[Person]  # the people new to the system


def is_re_referral(*, children: Iterable[Person], received_on: dt.date, exclude: Referral | None = None) -> bool:
    """True when any of ``children`` had a referral received within the tenant's re-referral window before
    ``received_on``. The window is inclusive: with 12 months, a referral on 1 May 2024 makes one on 1 May 2025 a
    re-referral, and one on 2 May 2025 not."""
    tenant = check_one_tenant(*children)
    since = months_before(received_on, tenant.re_referral_window_months)
    earlier = Referral.objects.filter(
        children__in=[c.pk for c in children], received_on__gte=since, received_on__lte=received_on
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier.exists()


class _Problems(dict):
    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)

    def add_all(self, prefix: str, errors: dict) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add(f"{prefix}.{name}" if prefix else name, message)


def _check_family(household: FamilyReferral, problems: _Problems) -> Family | None:
    """The one family every known person belongs to (or the one given); a problem when they differ."""
    family = household.family.family
    known = [(entry.path, entry.person) for entry in [*household.children, *household.adults] if entry.person]
    for path, person in known:
        if family is None:
            family = person.family
        elif person.family_id != family.pk:
            problems.add("children" if path.startswith("child") else path,
                         f"{person.full_name} is in the {person.family.name}, not the {family.name}: a referral is "
                         "about the children of one family.")
    if family is None and not household.family.name.strip():
        problems.add("family.name", "Enter the family's name.")
    return family


def _check_people(household: FamilyReferral, problems: _Problems, today: dt.date) -> None:
    if not household.children:
        problems.add("children", "Add at least one child the referral is about.")
    seen: dict[int, str] = {}
    for entry in [*household.children, *household.adults]:
        adult = isinstance(entry, AdultEntry)
        if entry.person is not None:
            if entry.person.pk in seen:
                problems.add(entry.path, f"{entry.person.full_name} is named twice: as {seen[entry.person.pk]} "
                                         "and again here.")
            seen.setdefault(entry.person.pk, "an adult" if adult else "a child")
            if not adult and entry.person.kind != Person.Kind.CHILD:
                problems.add("children", "A referral is about children, not adults: "
                                         f"{entry.person.full_name} is recorded as an adult.")
        elif entry.new is None:
            problems.add(entry.path, "Name the person or choose one already recorded.")
        else:
            new = entry.new
            problems.add_all(entry.path, person_details_errors(
                first_name=new.first_name, last_name=new.last_name, date_of_birth=new.date_of_birth,
                nhs_number=new.nhs_number, nhs_number_absent_reason=new.nhs_number_absent_reason,
                email=new.email, identifiers=new.identifiers, today=today))


def _as_person(entry, kind: str) -> Person:
    """The recorded person, or an unsaved one standing for a new person, for the relationship rules."""
    if entry.person is not None or entry.new is None:
        return entry.person
    new = entry.new
    return Person(first_name=new.first_name.strip(), last_name=new.last_name.strip(), kind=kind,
                  date_of_birth=new.date_of_birth)


def _relationship_write(adult: Person, child: Person, rel: RelationshipEntry, by) -> None:
    """The adult's relationship to the child through the family-record services (checked there once more): a new
    one added, a different one already recorded between the two changed, the same one left as it is."""
    existing = Relationship.objects.filter(person=adult, relative=child).first()
    if existing is None:
        relationship_add(person=adult, relative=child, kind=rel.kind,
                         parental_responsibility=rel.parental_responsibility, by=by)
    elif (existing.kind, existing.parental_responsibility) != (rel.kind, rel.parental_responsibility):
        relationship_change(relationship=existing, kind=rel.kind,
                            parental_responsibility=rel.parental_responsibility, by=by)


def _check_relationships(household: FamilyReferral, problems: _Problems) -> None:
    children = {entry.key: entry for entry in household.children}
    for adult in household.adults:
        name = adult.person.full_name if adult.person else (adult.new.full_name if adult.new else "")
        if not adult.relationships:
            problems.add(f"{adult.path}.relationships",
                         f"Say how {name or 'the adult'} is related to the child or children, for example mother.")
        for i, rel in enumerate(adult.relationships):
            child = children.get(rel.child)
            if child is None:
                problems.add(f"{adult.path}.relationships.{i}.child", f'"{rel.child}" is not one of the children.')
                continue
            if adult.person is not None and child.person is not None and adult.person.pk == child.person.pk:
                problems.add(f"{adult.path}.relationships.{i}",
                             f"{adult.person.full_name} cannot be related to themselves.")
                continue
            problem = relationship_kind_problem(_as_person(adult, Person.Kind.ADULT),
                                                _as_person(child, Person.Kind.CHILD), rel.kind,
                                                rel.parental_responsibility)
            if problem:
                problems.add(f"{adult.path}.relationships.{i}.kind", problem)


def _create(entry, family: Family, kind: str, relationship: str, by) -> Person:
    new = entry.new
    return person_create(
        family=family, kind=kind, first_name=new.first_name, last_name=new.last_name,
        date_of_birth=new.date_of_birth, sex=new.sex, ethnicity=new.ethnicity, postcode=new.postcode,
        ward=new.ward, relationship=relationship, nhs_number=new.nhs_number,
        nhs_number_absent_reason=new.nhs_number_absent_reason, identifiers=new.identifiers, local_id=new.local_id,
        phone=new.phone, email=new.email, address=new.address, preferred_language=new.preferred_language,
        interpreter_needed=new.interpreter_needed, in_household=new.in_household, by=by)


def referral_record(
    *,
    household: FamilyReferral,
    received_on: dt.date,
    source: ReferralSource,
    route: str = Referral.Route.DIRECT,
    presenting_needs: Iterable[PresentingNeed] = (),
    reason: str = "",
    by,
    today: dt.date | None = None,
) -> ReferralRecorded:
    """Record a referral about the children of one family, with the adults around them.

    Known people join the referral as they are; new people are created in the known people's family (or in a new
    family named in ``household.family``); each adult's relationship to each child is recorded both ways; who
    consented is recorded as the family's consent to early help. Every problem is found before anything is
    written and raised as one ``ValidationError`` keyed by path (``children.1.date_of_birth``,
    ``adults.0.relationships``, ``family.name``, ``received_on``…). The referral is flagged as a re-referral when
    any child had one within the tenant's window (see :func:`is_re_referral`)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    today = today or dt.date.today()
    presenting_needs = list(presenting_needs)
    for i, entry in enumerate(household.children):
        entry.path = entry.path or f"children.{i}"
        entry.key = entry.key or entry.path
    for i, entry in enumerate(household.adults):
        entry.path = entry.path or f"adults.{i}"
    check_one_tenant(source, household.family.family, *presenting_needs,
                     *(e.person for e in [*household.children, *household.adults]))
    problems = _Problems()
    _check_people(household, problems, today)
    family = _check_family(household, problems)
    _check_relationships(household, problems)
    if received_on > today:
        problems.add("received_on", "The date the referral was received cannot be in the future.")
    if route not in Referral.Route.values:
        problems.add("route", "Choose the route: direct or panel.")
    consent = household.consent
    if consent is not None:
        if consent.adult is not None and not 0 <= consent.adult < len(household.adults):
            problems.add("consent.adult", "Choose one of the adults as the person who consented.")
        elif consent.adult is None and not consent.given_by.strip():
            problems.add("consent.given_by", "Say who consented to early help.")
        if consent.method not in Consent.Method.values:
            problems.add("consent.method", "Say how the consent was recorded.")
        if consent.decided_on > today:
            problems.add("consent.decided_on", "The date of consent cannot be in the future.")
    if problems:
        raise ValidationError(dict(problems))

    with transaction.atomic():
        created = []
        family_created = family is None
        if family is None:
            entry = household.family
            family = family_create(name=entry.name, postcode=entry.postcode, ward=entry.ward, address=entry.address,
                                   by=by)
        children = []
        for entry in household.children:
            if entry.person is None:
                entry.person = _create(entry, family, Person.Kind.CHILD, "child", by)
                created.append(entry.person)
            children.append(entry.person)
        by_key = {entry.key: entry.person for entry in household.children}
        adults = []
        for entry in household.adults:
            if entry.person is None:
                first = Relationship.Kind(entry.relationships[0].kind).label.lower()
                entry.person = _create(entry, family, Person.Kind.ADULT, first, by)
                created.append(entry.person)
            adults.append(entry.person)
            for rel in entry.relationships:
                _relationship_write(entry.person, by_key[rel.child], rel, by)
        flagged = is_re_referral(children=children, received_on=received_on)
        referral = Referral.objects.create(
            family=family, received_on=received_on, source=source, route=route, reason=reason,
            is_re_referral=flagged, recorded_by=user_of(by),
        )
        referral.children.set(children)
        referral.presenting_needs.set(presenting_needs)
        record_event(action="referral.created", by=by, obj=referral,
                     detail={"re_referral": flagged, "route": route, "children": len(children),
                             "adults": len(adults), "people_created": len(created)})
        if consent is not None:
            given_by = consent.given_by.strip()
            if consent.adult is not None:
                adult = adults[consent.adult]
                given_by = f"{adult.full_name} ({adult.relationship or 'adult'})"
            consent_record(family=family, scope=Consent.Scope.EARLY_HELP, status=Consent.Status.GIVEN,
                           decided_on=consent.decided_on, given_by=given_by[:120], method=consent.method,
                           referral=referral, by=by)
    return ReferralRecorded(referral=referral, family=family, family_created=family_created, children=children,
                            adults=adults, created=created)


def referral_create(
    *,
    children: list[Person],
    received_on: dt.date,
    source: ReferralSource,
    route: str = Referral.Route.DIRECT,
    presenting_needs: Iterable[PresentingNeed] = (),
    reason: str = "",
    by,
) -> Referral:
    """A referral about children already recorded (one family): :func:`referral_record` with known children."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    household = FamilyReferral(children=[ChildEntry(person=child) for child in children])
    return referral_record(household=household, received_on=received_on, source=source, route=route,
                           presenting_needs=presenting_needs, reason=reason, by=by).referral


def referral_decide(*, referral: Referral, decision: str, decided_on: dt.date, by) -> Referral:
    """Record what was decided. 'Early help case opened' is recorded by :func:`case_open` instead."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(referral)
    if referral.decision:
        raise ValidationError("This referral already has a decision.")
    if decision not in Referral.Decision.values:
        raise ValidationError({"decision": "Choose a decision."})
    if decision == Referral.Decision.CASE_OPENED:
        raise ValidationError({"decision": "Open a case from the referral to record that decision."})
    if decided_on < referral.received_on:
        raise ValidationError({"decided_on": "The decision cannot be before the referral was received."})
    check_not_future(decided_on, "The decision date")
    referral.decision = decision
    referral.decided_on = decided_on
    referral.save(update_fields=["decision", "decided_on"])
    record_event(action="referral.decided", by=by, obj=referral, detail={"decision": decision})
    return referral


def panel_decision_record(
    *, panel: str, decided_on: dt.date, decision: str, referral: Referral | None = None, case=None, by
) -> PanelDecision:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(referral, case)
    if referral is None and case is None:
        raise ValidationError("A panel decision is recorded against a referral or a case.")
    if not decision.strip():
        raise ValidationError({"decision": "Enter what the panel decided."})
    if referral is not None and decided_on < referral.received_on:
        raise ValidationError({"decided_on": "The panel cannot decide before the referral was received."})
    check_not_future(decided_on, "The panel date")
    row = PanelDecision.objects.create(
        panel=panel, decided_on=decided_on, decision=decision.strip(), referral=referral, case=case
    )
    record_event(action="panel_decision.recorded", by=by, obj=row, detail={"panel": panel})
    return row
