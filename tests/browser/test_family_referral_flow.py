"""A practitioner records a referral for a mother and two children in one go, finds an existing child by search
and adds their new brother to the same family, opens a case for the family, and reads the family page: everyone,
the relationships both ways, and a genogram with a text alternative. Headless Chromium, no JavaScript needed."""

import datetime as dt

import pytest

from cases.models import Case, Person, Referral
from cases.tests import helpers
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def iso(days_ago: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def test_a_family_referral_a_sibling_a_case_and_the_family_page(live_server, page, screenshot, tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice", user__first_name="Alice", user__last_name="Hollis")
    with tenant_context(tenant_a):
        team = TeamFactory(tenant=tenant_a, name="North Early Help Team")
        alice.memberships.get().teams.add(team)
        sam = helpers.child(first="Sam", last="Shaw")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")

    # A mother and two children, in one referral.
    page.goto(f"{live_server.url}/cases/referrals/new/")
    page.get_by_label("Name").fill("Finn Fenwick")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("text=No one matches")
    page.get_by_role("link", name="None of these: add a new child and family").click()
    assert page.locator("#id_child-0-first_name").input_value() == "Finn"  # carried from the search
    assert page.get_by_label("Family name").input_value() == "Fenwick family"
    page.get_by_label("Postcode").first.fill("NB3 3CC")
    page.locator("#id_child-0-date_of_birth").fill("2015-03-02")
    page.locator("#id_child-0-nhs_number").fill("943 476 5919")
    page.get_by_role("button", name="Add another child").click()
    assert page.locator("#id_child-0-nhs_number").input_value() == "943 476 5919"  # what was typed is kept
    page.locator("#id_child-1-first_name").fill("Flora")
    page.locator("#id_child-1-last_name").fill("Fenwick")
    page.locator("#id_child-1-date_of_birth").fill("2018-09-14")
    page.locator("#id_child-1-nhs_number_absent_reason").select_option("not_known")
    page.get_by_role("button", name="Add another adult").click()
    page.locator("#id_adult-0-first_name").fill("Fay")
    page.locator("#id_adult-0-last_name").fill("Fenwick")
    page.locator("#id_adult-0-phone").fill("01632 960001")
    page.locator("#id_adult-0-nhs_number_absent_reason").select_option("not_asked")
    page.get_by_label("Relationship to Finn Fenwick").select_option("mother")
    page.get_by_label("Has parental responsibility for Finn Fenwick").check()
    page.get_by_label("Relationship to Flora Fenwick").select_option("mother")
    page.get_by_label("Has parental responsibility for Flora Fenwick").check()
    page.get_by_label("Who consented to early help").select_option("0")
    page.get_by_label("Date of consent").fill(iso(58))
    page.get_by_label("Date received").fill(iso(60))
    page.get_by_label("Referral source").select_option(label="Schools")
    page.get_by_label("Direct", exact=True).check()
    page.get_by_role("button", name="Save the referral").click()
    page.wait_for_selector("text=Referral recorded. It is about 2 children.")
    screenshot("family-referral-recorded")

    # A known child found by search; their new brother joins the same family.
    page.goto(f"{live_server.url}/cases/referrals/new/")
    page.get_by_label("Name").fill("Shaw")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Refer Sam Shaw").click()
    page.get_by_role("button", name="Add another child").click()
    page.locator("#id_child-1-first_name").fill("Sid")
    page.locator("#id_child-1-last_name").fill("Shaw")
    page.locator("#id_child-1-date_of_birth").fill("2019-05-06")
    page.get_by_label("Date received").fill(iso(30))
    page.get_by_label("Referral source").select_option(label="Schools")
    page.get_by_label("Direct", exact=True).check()
    page.get_by_role("button", name="Save the referral").click()
    page.wait_for_selector("text=Referral recorded. It is about 2 children.")
    with tenant_context(tenant_a):
        assert Person.objects.get(first_name="Sid").family_id == sam.family_id

    # A case for the Fenwick family (consent was recorded with the referral).
    with tenant_context(tenant_a):
        fenwick = Referral.objects.get(family__name="Fenwick family")
    page.goto(f"{live_server.url}/cases/referrals/{fenwick.public_id}/")
    page.get_by_role("link", name="Open an early help case").click()
    page.get_by_label("Team").select_option(label="North Early Help Team")
    page.get_by_label("Date opened").fill(iso(55))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Case opened.")
    with tenant_context(tenant_a):
        case = Case.objects.get(family=fenwick.family)
        assert sorted(c.first_name for c in case.children.all()) == ["Finn", "Flora"]

    # The family page: everyone, relationships both ways, a genogram with a text alternative.
    page.get_by_role("link", name="The family: household, relationships and genogram").click()
    household = page.locator("#household").inner_text()
    assert all(name in household for name in ("Fay Fenwick", "Finn Fenwick", "Flora Fenwick"))
    relationships = page.locator("#relationships").inner_text()
    assert "Fay Fenwick is Finn Fenwick's mother (parental responsibility); Finn Fenwick is Fay Fenwick's child." \
        in relationships
    assert "Fay Fenwick is Flora Fenwick's mother" in relationships
    genogram = page.get_by_role("img", name="Genogram of the Fenwick family")
    assert genogram.count() == 1
    assert "Finn Fenwick is Fay Fenwick's child" in page.locator("svg desc").text_content()
    screenshot("family-page")
