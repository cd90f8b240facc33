"""A practitioner records a referral, opens a case, assesses, plans, reviews and closes it — in headless
Chromium, by labels, as a keyboard or screen-reader user would find the fields."""

import datetime as dt

import pytest

from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def iso(days_ago: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def test_referral_to_closure(live_server, page, screenshot, tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice", user__first_name="Alice", user__last_name="Hollis")
    with tenant_context(tenant_a):
        team = TeamFactory(tenant=tenant_a, name="North Early Help Team")
        alice.memberships.get().teams.add(team)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")

    # Referral: search first, then add a new child.
    page.locator("#navigation").get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Record a referral").click()
    page.get_by_label("Name").fill("Ada Ashby")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("text=No one matches")
    page.get_by_role("link", name="None of these: add a new child and family").click()
    page.get_by_label("Family name").fill("Ashby family")
    page.locator("#id_child-0-first_name").fill("Ada")
    page.locator("#id_child-0-last_name").fill("Ashby")
    page.locator("#id_child-0-date_of_birth").fill("2015-03-01")
    page.get_by_label("Date received").fill(iso(60))
    page.get_by_label("Referral source").select_option(label="Schools")
    page.get_by_label("Direct", exact=True).check()
    page.get_by_label("Parenting and family relationships").check()
    page.get_by_role("button", name="Save the referral").click()
    page.wait_for_selector("text=Referral recorded.")

    # Consent, then open the case.
    page.get_by_role("link", name="Record the family's consent").click()
    page.get_by_label("Consent to early help").check()
    page.get_by_label("Given", exact=True).check()
    page.get_by_label("Date of the decision").fill(iso(58))
    page.get_by_label("Given, refused or withdrawn by").fill("Claire Ashby (mother)")
    page.get_by_label("Signed consent form").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Consent recorded.")
    page.get_by_role("link", name="Open an early help case").click()
    page.get_by_label("Team").select_option(label="North Early Help Team")
    page.get_by_label("Date opened").fill(iso(55))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Case opened.")

    # Assessment.
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Date started").fill(iso(50))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Complete the assessment").click()
    page.get_by_label("Date completed").fill(iso(40))
    page.get_by_label("Parenting and family relationships").check()
    page.get_by_label("The child's voice has been recorded").check()
    page.get_by_label("What the child said").fill("I like it when mum walks me to school.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Assessment completed.")

    # Plan and action.
    page.get_by_role("link", name="Make a plan").click()
    page.get_by_label("Date of the plan").fill(iso(38))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action").fill("Agree a morning routine and walk to school together")
    page.get_by_label("Who will do it").fill("Mum")
    page.get_by_label("Due by").fill(iso(20))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Action added.")

    # Review.
    page.get_by_role("link", name="Record a review").click()
    page.get_by_label("Date of review").fill(iso(10))
    page.get_by_label("Next review by").fill(iso(-30))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Review recorded.")

    page.locator("#navigation").get_by_role("link", name="Caseload").click()
    page.wait_for_selector("text=Ashby family")
    screenshot("cases-caseload")
    page.get_by_role("link", name="Ashby family").click()
    screenshot("cases-case-page")

    # Closure: a missing summary is refused with an error summary, then the case closes.
    page.get_by_role("link", name="Close the case").click()
    page.get_by_label("Date closed").fill(iso(1))
    page.get_by_label("Reason for closure").select_option(label="Outcomes met")
    page.get_by_label("Outcomes achieved fully").check()
    page.get_by_label("Need met").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=There is a problem")
    assert page.get_by_text("Write the closure summary before closing the case.").first.is_visible()
    page.get_by_label("Closure summary").fill("Ada attends every day; routines are in place.")
    # "Achieved fully" while the record shows gaps (issue #19) needs the lead professional's reason.
    page.get_by_label("Why were the outcomes achieved").fill("School confirms attendance above 95% all term.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Case closed.")
    timeline = page.locator(".eh-timeline").inner_text()
    for entry in ("Referral received", "Case opened", "Early Help Assessment completed", "Plan made", "Review held",
                  "Case closed"):
        assert entry in timeline
