"""Pages that keep a family's record right: relationships (add, change, end), an NHS number's verification,
linked identifiers (add, end or remove) and a move of the household. Thin over ``cases.services``: each page
passes ``request.membership`` as ``by``; another council's family or person is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from earlyhelp.forms import show_service_errors
from earlyhelp.permissions import Capability, require_capability

from .. import forms, selectors, services
from ..identifiers import nhs_number_display
from ..models import LinkedIdentifier, Person, Relationship

EDIT = Capability.EDIT_CHILD_RECORDS


def _family_url(family) -> str:
    return reverse("cases:family", kwargs={"public_id": family.public_id})


def _person(request, public_id) -> Person:
    """A person of the council in context, for a member who may see child records (404 for another council's)."""
    return get_object_or_404(Person.objects.select_related("family", "nhs_number_verified_by"), public_id=public_id)


def _page(request, form, *, title, family, caption="", intro="", summary=(), history=None, danger=None,
          button="Save", status=None):
    return render(request, "cases/family_record_form.html", {
        "form": form, "title": title, "family": family, "caption": caption or family.name, "intro": intro,
        "summary": summary, "history": history, "danger": danger, "button": button, "back": _family_url(family),
        "forms_with_errors": [form] if form is not None and form.errors else [],
    }, status=status or (400 if form is not None and form.errors else 200))


# Relationships -------------------------------------------------------------------------------------------------


@require_capability(EDIT)
def relationship_add(request, public_id):
    family = selectors.family_get(membership=request.membership, public_id=public_id)
    form = forms.RelationshipForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.relationship_add(person=data["person"], relative=data["relative"], kind=data["kind"],
                                      parental_responsibility=data["parental_responsibility"],
                                      by=request.membership)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"Recorded: {data['person'].full_name} is {data['relative'].full_name}'s "
                                      f"{Relationship.Kind(data['kind']).label.lower()}.")
            return redirect(_family_url(family))
    return _page(request, form, title="Add a relationship", family=family,
                 intro="Say how two people in the family are related. The other way round is recorded too.")


def _relationship(request, public_id, relationship_id) -> Relationship:
    family = selectors.family_get(membership=request.membership, public_id=public_id)
    return get_object_or_404(Relationship.objects.select_related("person", "relative", "person__family"),
                             person__family=family, public_id=relationship_id)


def _relationship_summary(relationship: Relationship) -> list:
    back = Relationship.objects.filter(person=relationship.relative, relative=relationship.person).first()
    rows = [(relationship.person.full_name,
             f"{relationship.relative.full_name}'s {relationship.get_kind_display().lower()}"
             + (" (parental responsibility)" if relationship.parental_responsibility else ""))]
    if back is not None:
        rows.append((relationship.relative.full_name,
                     f"{relationship.person.full_name}'s {back.get_kind_display().lower()}"))
    return rows


@require_capability(EDIT)
def relationship_change(request, public_id, relationship_id):
    relationship = _relationship(request, public_id, relationship_id)
    family = relationship.person.family
    form = forms.RelationshipChangeForm(request.POST or None, initial={
        "kind": relationship.kind, "parental_responsibility": relationship.parental_responsibility})
    form.fields["kind"].label = f"{relationship.person.full_name} is {relationship.relative.full_name}'s"
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_change(relationship=relationship, by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "Relationship changed.")
            return redirect(_family_url(family))
    end = reverse("cases:relationship-end", kwargs={"public_id": family.public_id,
                                                    "relationship_id": relationship.public_id})
    return _page(request, form, title="Change a relationship", family=family,
                 summary=_relationship_summary(relationship), danger=(end, "End this relationship"))


@require_capability(EDIT)
def relationship_end(request, public_id, relationship_id):
    relationship = _relationship(request, public_id, relationship_id)
    family = relationship.person.family
    if request.method == "POST":
        services.relationship_end(relationship=relationship, by=request.membership)
        messages.success(request, f"The relationship between {relationship.person.full_name} and "
                                  f"{relationship.relative.full_name} was ended.")
        return redirect(_family_url(family))
    return _page(request, None, title="End this relationship", family=family, button="End the relationship",
                 summary=_relationship_summary(relationship),
                 intro="Both sides of the relationship will be removed from the family's record, the genogram and "
                       "exports. The audit log keeps what it was. If a couple separated, change it to "
                       "\u201cformer partner\u201d instead.")


# The NHS number and linked identifiers --------------------------------------------------------------------------


def _nhs_summary(person: Person) -> list:
    if not person.nhs_number:
        reason = person.get_nhs_number_absent_reason_display() or "reason not recorded"
        return [("NHS number", f"None: {reason.lower()}")]
    rows = [("NHS number", nhs_number_display(person.nhs_number)),
            ("Status", person.get_nhs_number_status_display() or "Not verified")]
    if person.nhs_number_status == Person.NhsNumberStatus.VERIFIED:
        who = person.nhs_number_verified_by.get_full_name() if person.nhs_number_verified_by else "someone"
        when = f"{person.nhs_number_verified_at:%d %B %Y}" if person.nhs_number_verified_at else "an unknown date"
        rows.append(("Verified", f"{person.get_nhs_number_verified_how_display() or 'How not recorded'}; by "
                                 f"{who} on {when}"))
    return rows


@require_capability(EDIT)
def nhs_number(request, public_id):
    person = _person(request, public_id)
    verified = person.nhs_number_status == Person.NhsNumberStatus.VERIFIED
    form = forms.NhsNumberForm(request.POST or None, initial={
        "nhs_number": nhs_number_display(person.nhs_number), "verified": "yes" if verified else "no",
        "how": person.nhs_number_verified_how})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.nhs_number_check_record(person=person, nhs_number=data["nhs_number"],
                                             verified=data["verified"] == "yes", how=data["how"],
                                             by=request.membership)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{person.full_name}'s NHS number is recorded as "
                                      f"{person.get_nhs_number_status_display().lower()}.")
            return redirect(_family_url(person.family))
    return _page(request, form, title=f"{person.full_name}'s NHS number", family=person.family,
                 summary=_nhs_summary(person),
                 intro="The NHS number is the child's consistent identifier. It is checked with its check digit; "
                       "record it as verified only once it has been checked as this person's.")


@require_capability(EDIT)
def disabilities(request, public_id):
    person = _person(request, public_id)
    form = forms.DisabilitiesForm(request.POST or None, initial={"disabilities": person.disabilities})
    if request.method == "POST" and form.is_valid():
        try:
            services.person_disabilities_record(person=person, codes=form.cleaned_data["disabilities"],
                                                by=request.membership)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{person.full_name}'s disabilities are recorded.")
            return redirect(_family_url(person.family))
    return _page(request, form, title=f"{person.full_name}'s disabilities", family=person.family,
                 intro="Recorded as the CIN census codes; they go into the census return while the child is in "
                       "need under section 17.")


def _identifier_history(person: Person) -> dict:
    return {"caption": "Identifiers recorded", "head": ["Identifier", "Valid from", "Valid to"],
            "rows": [[str(i), f"{i.valid_from:%d %b %Y}" if i.valid_from else "—",
                      f"{i.valid_to:%d %b %Y}" if i.valid_to else "Current"]
                     for i in person.linked_identifiers.all()]}


@require_capability(EDIT)
def identifier_add(request, public_id):
    person = _person(request, public_id)
    form = forms.IdentifierAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = services.IdentifierEntry(**form.cleaned_data)
        try:
            services.linked_identifier_add(person=person, entry=entry, by=request.membership)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{LinkedIdentifier.Type(entry.identifier_type).label} added for "
                                      f"{person.full_name}.")
            return redirect(_family_url(person.family))
    return _page(request, form, title=f"Add an identifier for {person.full_name}", family=person.family,
                 history=_identifier_history(person))


@require_capability(EDIT)
def identifier_remove(request, public_id, identifier_id):
    person = _person(request, public_id)
    identifier = get_object_or_404(LinkedIdentifier, person=person, public_id=identifier_id)
    form = forms.IdentifierRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["reason"] == "ended":
                services.linked_identifier_end(identifier=identifier, valid_to=form.cleaned_data["valid_to"],
                                               by=request.membership)
                done = "ended"
            else:
                services.linked_identifier_remove(identifier=identifier, by=request.membership)
                done = "removed"
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{identifier.get_identifier_type_display()} {identifier.value} {done}.")
            return redirect(_family_url(person.family))
    return _page(request, form, title=f"End or remove {person.full_name}'s {identifier.get_identifier_type_display()}",
                 family=person.family, summary=[(identifier.get_identifier_type_display(), identifier.value)])


# Address history ------------------------------------------------------------------------------------------------


@require_capability(EDIT)
def family_move(request, public_id):
    family = selectors.family_get(membership=request.membership, public_id=public_id)
    form = forms.FamilyMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_move(family=family, by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"The {family.name}'s move is recorded.")
            return redirect(_family_url(family))
    history = {"caption": "Address history", "head": ["Address", "From", "To"],
               "rows": [[str(a), f"{a.moved_in_on:%d %b %Y}" if a.moved_in_on else "—",
                         f"{a.moved_out_on:%d %b %Y}" if a.moved_out_on else "Current"]
                        for a in family.addresses.all()]}
    return _page(request, form, title="Record a move", family=family, history=history,
                 intro="The household's new address. The current address ends the day before they moved in.")
