"""The duplicates in the browser: "Is this the same person?" on the referral page, the managers' queue (merge,
undo, not a duplicate) and the NHS number completeness report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.models import NotDuplicate, Person, PersonMerge, Referral
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import child, open_case, team_for
from .test_family_referral_page import URL, base

D = dt.date


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def maud(tenant_a, member):
    return member(tenant_a, Role.TEAM_MANAGER, username="maud")


@pytest.fixture
def school(tenant_a, alice):
    from cases.models import ReferralSource

    with tenant_context(tenant_a):
        child(first="Zed", last="Zulu")
        return ReferralSource.objects.get(code="2A").pk


def test_a_new_child_who_may_be_known_is_offered_first_and_the_known_record_can_be_used(
        alice, school, sign_in, tenant_a, tenant_b):
    with tenant_context(tenant_b):
        child(first="Fin", last="Fenwik", dob=D(2015, 3, 2), postcode="NB3 3CC")  # another council: never shown
    with tenant_context(tenant_a):
        known = child(first="Fin", last="Fenwik", dob=D(2015, 2, 3), postcode="NB3 3CC")
    client = sign_in(alice)
    data = base(school)
    data.pop("child-0-nhs_number")
    data["child-0-nhs_number_absent_reason"] = "not_known"
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Is this the same person?" in page and page.count("same_person:") == 1
    assert f"same_person:child-0:{known.public_id}" in page
    assert 'name="duplicates_checked" value="1"' in page
    with tenant_context(tenant_a):
        assert not Referral.objects.exists()

    response = client.post(URL, {**data, "action": f"same_person:child-0:{known.public_id}"})
    assert "(already recorded, Fenwik family)" in response.content.decode()

    data["duplicates_checked"] = "1"  # "none of these": saved as new people
    assert client.post(URL, data).status_code == 302
    with tenant_context(tenant_a):
        assert Person.objects.filter(first_name="Finn").count() == 1


def test_a_manager_merges_a_pair_from_the_queue_and_undoes_it(maud, sign_in, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        katie = child(first="Katie", last="Smith", dob=D(2016, 5, 4))
        katy = child(first="Katy", last="Smyth", dob=D(2016, 5, 4))
    client = sign_in(maud)
    page = client.get(reverse("cases:duplicates")).content.decode()
    assert "Katie Smith" in page and "Katy Smyth" in page and "1 pair to check" in page

    response = client.post(reverse("cases:person-merge", args=[katy.public_id]), {"survivor": katie.public_id})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        merge = PersonMerge.objects.get()
        assert not Person.objects.filter(pk=katy.pk).exists()
    page = client.get(reverse("cases:duplicates")).content.decode()
    assert "0 pairs to check" in page and "Undo" in page

    assert client.post(reverse("cases:person-unmerge", args=[merge.public_id])).status_code == 302
    with tenant_context(tenant_a):
        assert Person.objects.filter(pk=katy.pk).exists()
    response = client.post(reverse("cases:person-unmerge", args=[merge.public_id]))
    assert response.status_code == 400 and "already undone" in response.content.decode()

    client.post(reverse("cases:not-duplicate", args=[katie.public_id]), {"other": katy.public_id})
    with tenant_context(tenant_a):
        assert NotDuplicate.objects.count() == 1
    assert "0 pairs to check" in client.get(reverse("cases:duplicates")).content.decode()


def test_merging_a_person_with_themselves_is_refused_on_the_page(maud, sign_in, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        katie = child(first="Katie", last="Smith")
    with tenant_context(tenant_b):
        stranger = child(first="Katie", last="Smith")
    client = sign_in(maud)
    response = client.post(reverse("cases:person-merge", args=[katie.public_id]), {"survivor": katie.public_id})
    assert response.status_code == 400
    assert "cannot be merged with themselves" in response.content.decode()
    response = client.post(reverse("cases:person-merge", args=[katie.public_id]),
                           {"survivor": stranger.public_id})
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert not PersonMerge.objects.exists() and Person.objects.filter(pk=katie.pk).exists()


def test_the_completeness_report_counts_children_by_team_with_bases(maud, sign_in, tenant_a, member):
    with tenant_context(tenant_a):
        team = team_for(tenant_a, maud, name="North team")
        verified = child(first="Vera", last="One")
        services.nhs_number_check_record(person=verified, nhs_number="9434765919", verified=True, how="pds_trace",
                                         by=acting(maud))
        open_case(lead=maud, team=team, kid=verified)
        unverified = child(first="Una", last="Two")
        services.nhs_number_check_record(person=unverified, nhs_number="4010232137", verified=False, by=acting())
        open_case(lead=maud, team=team, kid=unverified)
        open_case(lead=maud, team=team, kid=child(first="Mia", last="Three"))
        child(first="Noel", last="Four")  # no open case: counted in the council's row only
        from cases import stats

        teams, everyone = stats.identifier_completeness()
    assert [(r.label, r.verified, r.unverified, r.missing, r.base) for r in teams] == [("North team", 1, 1, 1, 3)]
    assert (everyone.verified, everyone.unverified, everyone.missing, everyone.base) == (1, 1, 2, 4)
    page = sign_in(maud).get(reverse("cases:identifier-completeness")).content.decode()
    assert "North team" in page and "1 (33%)" in page and "2 (50%)" in page


def test_the_search_before_a_referral_also_finds_a_name_spelt_differently_in_the_council_only(
        alice, school, sign_in, tenant_a, tenant_b):
    with tenant_context(tenant_b):
        child(first="Katie", last="Smith", dob=D(2016, 5, 4), postcode="NB1 1AA")
    with tenant_context(tenant_a):
        katie = child(first="Katie", last="Smith", dob=D(2016, 5, 4), postcode="NB1 1AA")
    page = sign_in(alice).get(URL, {"name": "Katy Smyth"}).content.decode()  # no word matches exactly
    assert page.count("Katie Smith") == 1 and f"?person={katie.public_id}" in page
