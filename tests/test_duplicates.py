"""Duplicate people: suggestions, merge and unmerge (a round trip restores every table exactly), "not a
duplicate", and the refusals. Here rather than in cases/tests: a merge moves readings too, a table of the outcomes
app above cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cases import duplicates, services
from cases.models import LinkedIdentifier, NotDuplicate, Person, PersonMerge, Relationship
from cases.services.duplicates import person_merge, person_unmerge
from cases.tests.helpers import child, close, open_case, referral, team_for
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes.tests.helpers import reading, worry
from tests.factories import acting

D = dt.date
# The merge's own record and the audit trail change by design; every other table must come back byte for byte.
_CHANGED_BY_DESIGN = {"cases_personmerge", "earlyhelp_auditevent"}


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and an md5 of every row (ordered by primary key) of every table."""
    prints = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if not model._meta.managed or table in _CHANGED_BY_DESIGN or table in prints:
                continue
            pk = model._meta.pk.column
            cursor.execute(f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t."{pk}"), \'\')) '
                           f'FROM "{table}" t')
            prints[table] = cursor.fetchone()
    return prints


@pytest.fixture
def manager(tenant_a, member):
    user = member(tenant_a, role=Role.TEAM_MANAGER, username="maud")
    return user, Membership.all_tenants.get(user=user, tenant=tenant_a)


def _family_with_mother(first, last, dob, postcode, *, nhs="", by):
    kid = child(first=first, last=last, dob=dob, postcode=postcode)
    if nhs:
        services.nhs_number_check_record(person=kid, nhs_number=nhs, verified=False, by=by)
    mother = services.person_create(family=kid.family, first_name="Jo", last_name=last, kind="adult",
                                    date_of_birth=D(1988, 1, 2), by=by)
    services.relationship_add(person=mother, relative=kid, kind=Relationship.Kind.MOTHER,
                              parental_responsibility=True, by=by)
    services.linked_identifier_add(person=kid, entry=services.IdentifierEntry("case_number", f"SC-{first}"), by=by)
    return kid, mother


def test_a_merge_and_its_undoing_leave_every_table_exactly_as_before(tenant_a, manager, member):
    user, membership = manager
    with tenant_context(tenant_a):
        team = team_for(tenant_a)
        ada, mother = _family_with_mother("Ada", "Ashby", D(2015, 3, 1), "NB1 1AA", nhs="9434765919",
                                          by=membership)
        close(open_case(lead=user, team=team, kid=ada), closed_on=D(2024, 4, 21))
        twin = services.person_create(family=ada.family, first_name="Adah", last_name="Ashbey",
                                      date_of_birth=D(2015, 1, 3), postcode="NB1 1AB", by=membership)
        services.linked_identifier_add(person=twin, entry=services.IdentifierEntry("case_number", "SC-Adah"),
                                       by=membership)
        referral([twin])
        twins_case = open_case(lead=user, team=team, kid=twin, opened_on=D(2024, 4, 22))
        reading(twins_case, worry(), "start", D(2024, 4, 25), person=twin, x=3, y=2, z=1)
        # The duplicate is also recorded as the same mother's child, and as Ada's sibling (it must not become
        # a relationship of Ada to herself).
        services.relationship_add(person=mother, relative=twin, kind=Relationship.Kind.MOTHER, by=acting())
        services.relationship_add(person=twin, relative=ada, kind=Relationship.Kind.SIBLING, by=acting())
        before = table_fingerprints()
        rels = sorted(Relationship.all_tenants.values_list())

        merge = person_merge(survivor=ada, merged=twin, by=membership)

        assert not Person.objects.filter(pk=twin.pk).exists()
        assert ada.referrals.count() == 3 and ada.cases.count() == 2 and ada.readings.count() == 1
        assert set(LinkedIdentifier.objects.filter(person=ada).values_list("value", flat=True)) == {
            "SC-Ada", "SC-Adah"}
        assert not Relationship.objects.filter(person=ada, relative=ada).exists()
        assert table_fingerprints() != before

        restored = person_unmerge(merge=merge, by=membership)

        assert restored.public_id == twin.public_id
        assert sorted(Relationship.all_tenants.values_list()) == rels
        assert table_fingerprints() == before
        assert PersonMerge.objects.get().undone_at is not None
        assert list(AuditEvent.objects.filter(action__startswith="person.").exclude(
            action__in=["person.created", "person.identifier_added", "person.nhs_number_recorded"]).order_by(
            "id").values_list("action", flat=True)) == ["person.merged", "person.unmerged"]


def test_a_merge_is_refused_with_a_clear_message_and_nothing_written(tenant_a, tenant_b, manager, member):
    user, membership = manager
    with tenant_context(tenant_b):
        stranger = child(first="Ada", last="Ashby")
    with tenant_context(tenant_a):
        ada = child()
        other = child(first="Adah", last="Ashby")
        practitioner = member(tenant_a, role=Role.PRACTITIONER, username="pat")
        before = table_fingerprints()
        with pytest.raises(ValidationError, match="cannot be merged with themselves"):
            person_merge(survivor=ada, merged=ada, by=membership)
        with pytest.raises(ValidationError, match="another local authority"):
            person_merge(survivor=ada, merged=stranger, by=membership)
        with pytest.raises(PermissionDenied, match="Only a team manager"):
            person_merge(survivor=ada, merged=other, by=Membership.all_tenants.get(user=practitioner))
        assert table_fingerprints() == before


def test_suggestions_find_typos_and_sound_alikes_within_the_council_only(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        child(first="Katie", last="Smyth", dob=D(2016, 5, 4), postcode="NB1 1AA")
    with tenant_context(tenant_a):
        katie = child(first="Katie", last="Smith", dob=D(2016, 5, 4), postcode="NB1 1AA")
        child(first="Tom", last="Smith", dob=D(2012, 9, 9), postcode="NB1 1AA")  # a brother: not offered
        found = duplicates.person_likely_duplicates(first_name="Katy", last_name="Smyth",
                                                    date_of_birth=D(2016, 4, 5), postcode="NB1 1AA")
        assert [m.person for m in found] == [katie]
        assert "a date of birth one typing slip away" in found[0].reasons
        by_nhs = duplicates.person_likely_duplicates(first_name="Someone", last_name="Else",
                                                     nhs_number="943 476 5919")
        assert by_nhs == []
        services.nhs_number_check_record(person=katie, nhs_number="9434765919", verified=False, by=acting())
        by_nhs = duplicates.person_likely_duplicates(first_name="Someone", last_name="Else",
                                                     nhs_number="943 476 5919")
        assert [(m.person, m.score) for m in by_nhs] == [(katie, 1.0)]


def test_the_queue_pairs_likely_duplicates_and_forgets_a_pair_marked_not_a_duplicate(tenant_a, tenant_b, manager):
    user, membership = manager
    with tenant_context(tenant_b):
        child(first="Katie", last="Smith", dob=D(2016, 5, 4))
    with tenant_context(tenant_a):
        katie = child(first="Katie", last="Smith", dob=D(2016, 5, 4))
        katy = child(first="Katy", last="Smyth", dob=D(2016, 5, 4))
        child(first="Tom", last="Smith", dob=D(2012, 9, 9))
        pairs = duplicates.duplicate_pairs()
        assert [{m.person, m.other} for m in pairs] == [{katie, katy}]
        services.not_duplicate_record(person=katy, other=katie, by=membership)
        assert duplicates.duplicate_pairs() == []
        assert NotDuplicate.objects.count() == 1


@pytest.mark.parametrize(("a", "b", "close"), [
    (D(2016, 5, 4), D(2016, 4, 5), True),   # day and month swapped
    (D(2016, 5, 14), D(2016, 5, 41 - 27), True),  # the same
    (D(2016, 5, 12), D(2016, 5, 21), True),  # neighbouring digits swapped
    (D(2016, 5, 12), D(2016, 5, 13), True),  # one digit
    (D(2016, 5, 12), D(2013, 5, 17), False),
])
def test_dates_one_typing_slip_apart(a, b, close):
    assert duplicates.dates_close(a, b) is close


def test_the_benchmark_finds_most_planted_duplicates_and_keeps_nothing(db):
    from cases.duplicates_benchmark import measure
    from earlyhelp.models import Tenant

    results, _ = measure(people=300, planted=30, seed=7, thresholds=(duplicates.SUGGEST_AT,))
    (at_default,) = results
    assert at_default.planted == 30 == sum(at_default.planted_by_variation.values())
    assert at_default.true_positives == sum(at_default.found_by_variation.values())
    assert at_default.recall >= 0.85 and at_default.precision >= 0.75
    assert not Tenant.objects.filter(name__startswith="Benchmark").exists()
    assert not Person.all_tenants.exists()
