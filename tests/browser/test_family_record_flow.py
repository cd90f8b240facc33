"""On a 390 px phone, a practitioner keeps a family's record: adds a relationship (a relationship to oneself is
refused first, the error summary leading to the field), checks and verifies an NHS number (a wrong check digit
refused), adds a unique pupil number and records a move. Each page passes axe-core (WCAG 2.2 AA) and does not
scroll sideways."""

import datetime as dt

import pytest

from cases import services
from cases.models import Person, Relationship
from cases.tests import helpers
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.browser.test_role_days import VIEWPORTS, check_page, sign_in
from tests.factories import acting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_keeps_the_familys_record_on_a_phone(live_server, browser, tenant_a, member):
    member(tenant_a, Role.PRACTITIONER, username="practitioner")
    with tenant_context(tenant_a):
        family = services.family_create(name="Hale family", address="4 Ridge Road", postcode="NB5 5EE",
                                        moved_in_on=dt.date(2021, 3, 1), by=acting())
        hugo = helpers.child(family=family, first="Hugo", last="Hale", dob=dt.date(2016, 4, 4))
        services.person_create(family=family, first_name="Hana", last_name="Hale", kind="adult",
                               date_of_birth=dt.date(1990, 5, 5), by=acting())
    context = browser.new_context(viewport=VIEWPORTS["phone"], bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "practitioner")
    base = f"{live_server.url}/cases/families/{family.public_id}/"
    problems = check_page(page, base, "phone")

    page.get_by_role("link", name="Add a relationship").click()
    page.get_by_label("Who").select_option(label="Hana Hale, born 05/05/1990")
    page.get_by_label("is the").select_option("mother")
    page.get_by_label("of", exact=True).select_option(label="Hana Hale, born 05/05/1990")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "Hana Hale cannot be related to themselves." in page.locator(".govuk-error-summary").inner_text()
    problems += check_page(page, None, "phone")
    page.get_by_label("of", exact=True).select_option(label="Hugo Hale, born 04/04/2016")
    page.get_by_label("Has parental responsibility for them").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#relationships")
    assert "Hana Hale is Hugo Hale's mother (parental responsibility); Hugo Hale is Hana Hale's child." in (
        page.locator("#relationships").inner_text())

    page.get_by_role("link", name="Change or end the relationship between Hana Hale and Hugo Hale").click()
    problems += check_page(page, None, "phone")
    page.get_by_role("link", name="End this relationship").click()
    problems += check_page(page, None, "phone")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_selector("#household")

    page.get_by_role("link", name="Record Hugo Hale's NHS number").click()
    page.get_by_label("NHS number").fill("123 456 7890")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "is not a valid NHS number" in page.locator(".govuk-error-summary").inner_text()
    problems += check_page(page, None, "phone")
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Verified", exact=True).check()
    page.get_by_label("Traced on the NHS Personal Demographics Service (PDS)").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#household")

    page.get_by_role("link", name="Add an identifier for Hugo Hale").click()
    page.get_by_label("Unique Pupil Number").check()
    page.get_by_label("Identifier", exact=True).fill("B801200005001")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#household")
    assert "Unique Pupil Number B801200005001" in page.locator("#household").inner_text()
    page.get_by_role("link", name="End or remove Unique Pupil Number of Hugo Hale").click()
    problems += check_page(page, None, "phone")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_selector("#household")
    problems += check_page(page, None, "phone")

    page.get_by_role("link", name="Record a move").click()
    problems += check_page(page, None, "phone")
    page.get_by_label("New address").fill("9 Harbour View")
    page.get_by_label("Postcode").fill("NB6 6FF")
    page.get_by_label("Date they moved in").fill("2024-06-01")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#addresses")
    problems += check_page(page, None, "phone")
    context.close()
    assert not problems, "\n".join(problems)
    with tenant_context(tenant_a):
        hugo = Person.objects.get(pk=hugo.pk)
        assert hugo.nhs_number_status == "verified" and hugo.nhs_number_verified_how == "pds_trace"
        assert Relationship.objects.filter(person=hugo, kind="child").count() == 1
        assert family.addresses.filter(moved_out_on=dt.date(2024, 5, 31)).count() == 1
