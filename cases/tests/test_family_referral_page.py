"""The family referral page: several children and adults in one referral, "add another" without JavaScript,
search that keeps what was typed, a sibling found by search joining the same family, and bad input refused
with clear messages and nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Consent, Person, Referral, ReferralSource, Relationship
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

from .helpers import child

URL = reverse("cases:referral-new")


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def school(tenant_a, alice):
    with tenant_context(tenant_a):
        child(first="Zed", last="Zulu")  # the tenant's lists exist
        return ReferralSource.objects.get(code="2A").pk


def base(school, **extra):
    data = {"family": "", "children": "2", "adults": "1", "action": "save",
            "family-name": "Fenwick family", "family-address": "3 Mill Lane", "family-postcode": "nb3 3cc",
            "child-0-first_name": "Finn", "child-0-last_name": "Fenwick", "child-0-date_of_birth": "2015-03-02",
            "child-0-nhs_number": "943 476 5919",
            "child-1-first_name": "Flora", "child-1-last_name": "Fenwick", "child-1-date_of_birth": "2018-09-14",
            "child-1-nhs_number_absent_reason": "not_known",
            "adult-0-first_name": "Fay", "adult-0-last_name": "Fenwick", "adult-0-phone": "01632 960001",
            "adult-0-in_household": "on", "adult-0-nhs_number_absent_reason": "not_asked",
            "adult-0-rel_0": "mother", "adult-0-pr_0": "on", "adult-0-rel_1": "mother", "adult-0-pr_1": "on",
            "consent-given": "0", "consent-decided_on": "2024-05-01", "consent-method": "verbal",
            "received_on": "2024-05-01", "source": school, "route": "direct"}
    data.update(extra)
    return data


def test_a_mother_and_two_children_are_referred_in_one_go(alice, school, sign_in, tenant_a):
    client = sign_in(alice)
    response = client.post(URL, base(school))
    assert response.status_code == 302, response.content.decode()
    with tenant_context(tenant_a):
        referral = Referral.objects.get()
        assert sorted(c.first_name for c in referral.children.all()) == ["Finn", "Flora"]
        fay = Person.objects.get(first_name="Fay")
        assert fay.kind == "adult" and fay.family_id == referral.family_id and fay.relationship == "mother"
        assert Relationship.objects.filter(person=fay, kind="mother", parental_responsibility=True).count() == 2
        assert Relationship.objects.filter(relative=fay, kind="child").count() == 2
        assert Consent.objects.get().given_by == "Fay Fenwick (mother)"
        assert referral.family.addresses.get().postcode == "NB3 3CC"


def test_add_another_child_and_adult_keep_what_was_typed(alice, school, sign_in):
    client = sign_in(alice)
    page = client.post(URL, base(school, action="add_child")).content.decode()
    assert 'name="child-2-first_name"' in page and 'value="Flora"' in page and 'value="Fenwick family"' in page
    assert 'name="children" value="3"' in page and "There is a problem" not in page
    page = client.post(URL, base(school, action="add_adult")).content.decode()
    assert 'name="adult-1-first_name"' in page and "Relationship to Flora Fenwick" in page
    page = client.post(URL, base(school, action="remove_child:0")).content.decode()
    assert 'name="children" value="1"' in page and 'value="Finn"' not in page
    assert '<option value="mother" selected>' in page  # Fay's relationship to Flora moved with her


def test_search_keeps_what_was_typed_and_carries_it_into_the_new_child(alice, school, sign_in):
    client = sign_in(alice)
    search = client.get(URL, {"name": "Gil Green", "date_of_birth": "2016-01-02", "postcode": "NB9 9ZZ"})
    page = search.content.decode()
    assert 'value="Gil Green"' in page and "None of these" in page
    new = client.get(URL, {"new": "1", "name": "Gil Green", "date_of_birth": "2016-01-02", "postcode": "NB9 9ZZ"})
    page = new.content.decode()
    assert 'value="Gil"' in page and 'value="Green"' in page and 'value="2016-01-02"' in page
    assert 'value="NB9 9ZZ"' in page and 'value="Green family"' in page


def test_a_sibling_found_by_search_joins_the_same_family(alice, school, sign_in, tenant_a):
    client = sign_in(alice)
    with tenant_context(tenant_a):
        ada = child(first="Ada", last="Ashby")
    search = client.get(URL, {"name": "Ashby"}).content.decode()
    assert f"?family={ada.family.public_id}" in search
    page = client.get(URL, {"family": ada.family.public_id, "name": "Abe Ashby"}).content.decode()
    assert "Add Ada" in page and 'value="Abe"' in page
    data = {"family": str(ada.family.public_id), "children": "1", "adults": "0",
            "action": f"add_person:{ada.public_id}",
            "child-0-first_name": "Abe", "child-0-last_name": "Ashby", "child-0-date_of_birth": "2019-02-03",
            "child-0-nhs_number_absent_reason": "not_asked", "consent-method": "written",
            "received_on": "2024-05-01", "source": school, "route": "direct"}
    page = client.post(URL, data).content.decode()
    assert 'name="children" value="2"' in page and "Ada Ashby" in page
    data.update({"children": "2", "action": "save", "child-1-person": str(ada.public_id)})
    assert client.post(URL, data).status_code == 302
    with tenant_context(tenant_a):
        referral = Referral.objects.get()
        assert referral.family_id == ada.family_id
        assert {c.first_name for c in referral.children.all()} == {"Ada", "Abe"}
        assert Person.objects.get(first_name="Abe").family_id == ada.family_id


def test_finding_a_known_child_inside_the_page_adds_them(alice, school, sign_in, tenant_a):
    client = sign_in(alice)
    with tenant_context(tenant_a):
        ada = child(first="Ada", last="Ashby")
    data = base(school, action="find", **{"find-name": "Ashby"})
    page = client.post(URL, data).content.decode()
    assert f"add_person:{ada.public_id}" in page and 'value="Ashby"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"child-1-date_of_birth": "2999-01-01"}, "The date of birth (01/01/2999) cannot be in the future."),
        ({"adult-0-rel_0": "", "adult-0-rel_1": ""}, "Say how Fay Fenwick is related to the child or children"),
        ({"child-0-nhs_number": "1234567890"}, "is not a valid NHS number"),
        ({"family-name": ""}, "Enter the family&#x27;s name."),
        ({"adult-0-date_of_birth": "2016-01-01"}, "they are not older than Finn Fenwick"),
        ({"adult-0-date_of_birth": "2010-01-01"}, "is only 5 years older than Finn Fenwick"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(alice, school, sign_in, tenant_a, change,
                                                                       message):
    client = sign_in(alice)
    response = client.post(URL, base(school, **change))
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and message in page
    with tenant_context(tenant_a):
        assert not Referral.objects.exists() and Person.objects.count() == 1 and not Relationship.objects.exists()


def test_the_family_page_shows_everyone_relationships_both_ways_and_a_genogram_with_a_text_alternative(
        alice, school, sign_in, tenant_a):
    client = sign_in(alice)
    client.post(URL, base(school))
    with tenant_context(tenant_a):
        family = Referral.objects.get().family
    page = client.get(reverse("cases:family", args=[family.public_id])).content.decode()
    for name in ("Fay Fenwick", "Finn Fenwick", "Flora Fenwick"):
        assert name in page
    assert ("Fay Fenwick is Finn Fenwick's mother (parental responsibility); "
            "Finn Fenwick is Fay Fenwick's child.") in page
    assert 'role="img"' in page and '<title id="genogram-title">Genogram of the Fenwick family</title>' in page
    assert "<desc id=\"genogram-desc\">Fay Fenwick is Finn Fenwick's mother" in page
    assert "943 476 5919" in page and "not known: to be traced" in page and "3 Mill Lane" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]  # no inline styles (CSP)


def test_the_web_referral_reason_is_bounded_like_the_api(alice, school, sign_in, tenant_a):
    """Issue #19: the web form took a 1,000,000-character reason; the API caps 10,000 (earlyhelp.limits)."""
    from earlyhelp import limits

    response = sign_in(alice).post(URL, base(school, reason="x" * (limits.REFERRAL_REASON + 1)))
    assert response.status_code == 400
    assert f"at most {limits.REFERRAL_REASON} characters" in response.content.decode()
    with tenant_context(tenant_a):
        assert not Referral.objects.exists()
