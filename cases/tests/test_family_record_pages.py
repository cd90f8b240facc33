"""Pages that keep a family's record right: add, change and end a relationship (both ways; not to oneself, not
twice, not a parent younger than the child), check and verify an NHS number (how, by whom, when), add, end and
remove linked identifiers (a unique pupil number's check letter), and record a move (not before the last one).
Each bad input is refused with a message naming the problem and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.models import FamilyAddress, LinkedIdentifier, Person, Relationship
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import child

D = dt.date


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def family(tenant_a, alice):
    """Gail (born 1990) and her son Gus (born 2015), no relationship recorded yet; one address from 2020."""
    with tenant_context(tenant_a):
        fam = services.family_create(name="Garner family", address="1 Old Road", postcode="NB1 1AA",
                                     moved_in_on=D(2020, 1, 1), by=acting())
        gus = child(first="Gus", last="Garner", dob=D(2015, 6, 1), family=fam)
        gail = services.person_create(family=gus.family, first_name="Gail", last_name="Garner", kind="adult",
                                      date_of_birth=D(1990, 2, 3), by=acting())
        return gus.family, gail, gus


def _url(name, *args):
    return reverse(f"cases:{name}", args=args)


def _counts():
    return (Relationship.all_tenants.count(), LinkedIdentifier.all_tenants.count(), FamilyAddress.all_tenants.count())


def test_a_relationship_is_added_and_shown_both_ways_and_audited(family, alice, sign_in, tenant_a):
    fam, gail, gus = family
    client = sign_in(alice)
    assert "Add a relationship" in client.get(_url("family", fam.public_id)).content.decode()
    response = client.post(_url("relationship-add", fam.public_id), {
        "person": gail.public_id, "kind": "mother", "relative": gus.public_id, "parental_responsibility": "on"})
    assert response.status_code == 302, response.content.decode()
    page = client.get(_url("family", fam.public_id)).content.decode()
    assert "Gail Garner is Gus Garner's mother (parental responsibility); Gus Garner is Gail Garner's child." in page
    with tenant_context(tenant_a):
        assert Relationship.objects.get(person=gus, relative=gail).kind == "child"
        event = AuditEvent.objects.get(action="relationship.recorded")
        assert event.actor == alice and event.detail["kind"] == "mother"


@pytest.mark.parametrize(("who", "kind", "whom", "message"), [
    ("gail", "mother", "gail", "Gail Garner cannot be related to themselves."),
    ("gus", "father", "gail", "cannot be Gail Garner&#x27;s father: they are not older than Gail Garner"),
    ("gail", "mother", "gus", "already recorded as Gus Garner&#x27;s mother: change that relationship instead"),
    ("gus", "sibling", "gail", "Parental responsibility is held by a parent or carer for a child"),
])
def test_a_bad_relationship_is_refused_with_a_clear_message_and_nothing_written(
        family, alice, sign_in, tenant_a, who, kind, whom, message):
    fam, gail, gus = family
    people = {"gail": gail, "gus": gus}
    with tenant_context(tenant_a):
        if "already" in message:
            services.relationship_add(person=gail, relative=gus, kind="mother",
                                      by=Membership.all_tenants.get(user=alice))
        before = _counts()
    data = {"person": people[who].public_id, "kind": kind, "relative": people[whom].public_id}
    if kind == "sibling":
        data["parental_responsibility"] = "on"
    response = sign_in(alice).post(_url("relationship-add", fam.public_id), data)
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and message in page, page
    assert _counts() == before


def test_a_relationship_is_changed_then_ended_both_ways(family, alice, sign_in, tenant_a):
    fam, gail, gus = family
    with tenant_context(tenant_a):
        row = services.relationship_add(person=gail, relative=gus, kind="mother",
                                        by=Membership.all_tenants.get(user=alice))
    client = sign_in(alice)
    page = client.get(_url("relationship-change", fam.public_id, row.public_id)).content.decode()
    assert "Gus Garner&#x27;s mother" in page and "Gail Garner&#x27;s child" in page and "End this relationship" in page
    response = client.post(_url("relationship-change", fam.public_id, row.public_id), {"kind": "step_parent"})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert Relationship.objects.get(person=gus, relative=gail).kind == "step_child"
    assert client.get(_url("relationship-end", fam.public_id, row.public_id)).status_code == 200
    assert client.post(_url("relationship-end", fam.public_id, row.public_id)).status_code == 302
    with tenant_context(tenant_a):
        assert not Relationship.objects.exists()
        assert AuditEvent.objects.get(action="relationship.ended").detail["kind"] == "step_parent"


def test_an_nhs_number_is_checked_then_verified_with_how_who_and_when(family, alice, sign_in, tenant_a):
    fam, gail, gus = family
    client = sign_in(alice)
    url = _url("person-nhs-number", gus.public_id)
    response = client.post(url, {"nhs_number": "123 456 7890", "verified": "yes", "how": "pds_trace"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "&quot;123 456 7890&quot; is not a valid NHS number: the last digit does not match the check digit" in page
    response = client.post(url, {"nhs_number": "943 476 5919", "verified": "yes"})
    assert response.status_code == 400 and "Say how the NHS number was verified." in response.content.decode()
    with tenant_context(tenant_a):
        assert Person.objects.get(pk=gus.pk).nhs_number == ""

    assert client.post(url, {"nhs_number": "943 476 5919", "verified": "yes", "how": "pds_trace"}).status_code == 302
    with tenant_context(tenant_a):
        gus = Person.objects.get(pk=gus.pk)
        assert (gus.nhs_number, gus.nhs_number_status, gus.nhs_number_verified_how) == (
            "9434765919", "verified", "pds_trace")
        assert gus.nhs_number_verified_by == alice and gus.nhs_number_verified_at is not None
    page = client.get(url).content.decode()
    assert "Traced on the NHS Personal Demographics Service (PDS); by" in page

    assert client.post(url, {"nhs_number": "9434765919", "verified": "no"}).status_code == 302
    with tenant_context(tenant_a):
        gus = Person.objects.get(pk=gus.pk)
        assert gus.nhs_number_status == "unverified" and gus.nhs_number_verified_by is None
        assert list(AuditEvent.objects.filter(action__startswith="person.nhs").order_by("id").values_list(
            "action", flat=True)) == ["person.nhs_number_verified", "person.nhs_number_recorded"]


def test_linked_identifiers_are_checked_per_type_then_ended_or_removed(family, alice, sign_in, tenant_a):
    fam, gail, gus = family
    client = sign_in(alice)
    url = _url("identifier-add", gus.public_id)
    response = client.post(url, {"identifier_type": "upn", "value": "A801200005001"})
    assert response.status_code == 400
    assert "is not a unique pupil number" in response.content.decode()
    response = client.post(url, {"identifier_type": "nino", "value": "QQ 12 34 56 E"})
    assert response.status_code == 400 and "is not a National Insurance number" in response.content.decode()
    assert LinkedIdentifier.all_tenants.count() == 0

    assert client.post(url, {"identifier_type": "upn", "value": "b801200005001",
                             "valid_from": "2020-09-01"}).status_code == 302
    response = client.post(url, {"identifier_type": "upn", "value": "B801200005001"})
    assert "already has the Unique Pupil Number B801200005001" in response.content.decode()
    assert client.post(url, {"identifier_type": "case_number", "value": "SC-1"}).status_code == 302
    with tenant_context(tenant_a):
        upn = LinkedIdentifier.objects.get(identifier_type="upn")
        case_number = LinkedIdentifier.objects.get(identifier_type="case_number")
    remove = _url("identifier-remove", gus.public_id, upn.public_id)
    response = client.post(remove, {"reason": "ended", "valid_to": "2019-01-01"})
    assert response.status_code == 400 and "cannot stop being valid before it started" in response.content.decode()
    assert client.post(remove, {"reason": "ended", "valid_to": "2024-07-31"}).status_code == 302
    remove = _url("identifier-remove", gus.public_id, case_number.public_id)
    assert client.post(remove, {"reason": "error"}).status_code == 302
    with tenant_context(tenant_a):
        assert list(LinkedIdentifier.objects.values_list("value", "valid_to")) == [("B801200005001", D(2024, 7, 31))]
    assert "Unique Pupil Number B801200005001 (to 31 Jul 2024)" in client.get(
        _url("family", fam.public_id)).content.decode()


def test_a_move_closes_the_previous_address_and_cannot_come_before_the_last(family, alice, sign_in, tenant_a):
    fam, gail, gus = family
    client = sign_in(alice)
    url = _url("family-move", fam.public_id)
    response = client.post(url, {"address": "2 New Street", "postcode": "nb2 2bb", "moved_on": "2019-05-01"})
    assert response.status_code == 400
    assert "moved into their current address on 01/01/2020: the move must be after that" in response.content.decode()
    assert FamilyAddress.all_tenants.count() == 1
    assert client.post(url, {"address": "2 New Street", "postcode": "nb2 2bb",
                             "moved_on": "2024-05-01"}).status_code == 302
    with tenant_context(tenant_a):
        old, new = FamilyAddress.objects.order_by("moved_in_on")
        assert old.moved_out_on == D(2024, 4, 30) and new.moved_out_on is None and new.postcode == "NB2 2BB"
    page = client.get(url).content.decode()
    assert "1 Old Road" in page and "30 Apr 2024" in page and "Current" in page


def test_a_member_who_only_reads_child_records_cannot_change_them(family, member, sign_in, tenant_a):
    fam, gail, gus = family
    auditor = sign_in(member(tenant_a, Role.AUDITOR, username="audrey"))
    page = auditor.get(_url("family", fam.public_id)).content.decode()
    assert "Add a relationship" not in page and "Record a move" not in page
    assert auditor.post(_url("family-move", fam.public_id), {"address": "x", "moved_on": "2024-05-01"}).status_code \
        == 403


@pytest.mark.parametrize(("value", "stored"), [
    ("ab 12 34 56 c", "AB123456C"), ("AB123456D", "AB123456D"),
    ("GB123456A", None), ("DA123456A", None), ("AO123456A", None), ("AB123456E", None), ("AB12345C", None)])
def test_a_national_insurance_number_is_checked_as_hmrc_issues_them(value, stored):
    from django.core.exceptions import ValidationError

    from cases.identifiers import identifier_clean

    if stored is None:
        with pytest.raises(ValidationError, match="is not a National Insurance number"):
            identifier_clean("nino", value)
    else:
        assert identifier_clean("nino", value) == stored


def test_the_services_check_the_actor_and_the_ages_themselves(family, alice, member, tenant_a):
    from django.core.exceptions import PermissionDenied, ValidationError

    fam, gail, gus = family
    auditor = Membership.all_tenants.get(user=member(tenant_a, Role.AUDITOR, username="audrey"))
    with tenant_context(tenant_a):
        teen = services.person_create(family=fam, first_name="Tia", last_name="Garner", kind="adult",
                                      date_of_birth=D(2005, 1, 1), by=acting())
        before = _counts()
        with pytest.raises(PermissionDenied):
            services.relationship_add(person=gail, relative=gus, kind="mother", by=auditor)
        with pytest.raises(ValidationError, match="only 10 years older than Gus Garner: a parent is at least 12"):
            services.relationship_add(person=teen, relative=gus, kind="mother",
                                      by=Membership.all_tenants.get(user=alice))
        with pytest.raises(ValidationError, match="Gus Garner .born 01/06/2015. cannot be Tia Garner's parent"):
            services.relationship_add(person=teen, relative=gus, kind="child",
                                      by=Membership.all_tenants.get(user=alice))
        assert _counts() == before
        # A sister ten years older is fine: the age rule is for parents.
        services.relationship_add(person=teen, relative=gus, kind="sibling", by=Membership.all_tenants.get(user=alice))
