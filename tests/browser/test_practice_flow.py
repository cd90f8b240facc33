"""A practitioner records consent and a home visit; their manager records supervision and transfers the case to
another worker — in headless Chromium, without JavaScript-only controls."""

import datetime as dt

import pytest

from cases.tests import helpers
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def iso(days_ago: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")


def test_consent_note_supervision_transfer(live_server, browser, page, screenshot, tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice", user__first_name="Alice", user__last_name="Hollis")
    bea = member(tenant_a, Role.PRACTITIONER, username="bea", user__first_name="Bea", user__last_name="Marlow")
    marcus = member(tenant_a, Role.TEAM_MANAGER, username="marcus", user__first_name="Marcus",
                    user__last_name="Beale")
    with tenant_context(tenant_a):
        north = TeamFactory(tenant=tenant_a, name="North Early Help Team")
        south = TeamFactory(tenant=tenant_a, name="South Early Help Team")
        alice.memberships.get().teams.add(north)
        marcus.memberships.get().teams.add(north, south)
        bea.memberships.get().teams.add(south)
        kid = helpers.child(first="Ada", last="Ashby")
        referral = helpers.referral([kid], received_on=dt.date.today() - dt.timedelta(days=20))

    # Consent, recorded from the referral, lets the case open.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/cases/referrals/{referral.public_id}/")
    page.get_by_role("link", name="Record the family's consent").click()
    page.get_by_label("Consent to early help").check()
    page.get_by_label("Given", exact=True).check()
    page.get_by_label("Date of the decision").fill(iso(18))
    page.get_by_label("Given, refused or withdrawn by").fill("Claire Ashby (mother)")
    page.get_by_label("Signed consent form").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Consent recorded.")
    page.get_by_role("link", name="Open an early help case").click()
    page.get_by_label("Team").select_option(label="North Early Help Team")
    page.get_by_label("Date opened").fill(iso(15))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Case opened.")
    assert page.get_by_text("Consent given").first.is_visible()
    case_url = page.url

    # A home visit, significant, on the chronology; the notes page shows it in full.
    page.get_by_role("link", name="Record a contact or note").click()
    page.get_by_label("Date and time").fill(f"{iso(1)}T10:30")
    page.get_by_label("Kind of contact").select_option(label="Home visit")
    page.get_by_label("Who was seen").fill("Ada and mum")
    page.get_by_label("The child was seen", exact=True).check()
    page.get_by_label("The child was seen alone").check()
    page.get_by_label("What happened").fill("Ada showed me her routine chart; mum says mornings are calmer.")
    page.get_by_label("Significant: show it on the chronology").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Note recorded.")
    assert "Significant: Home visit" in page.locator(".eh-timeline").inner_text()
    page.get_by_role("link", name="Read all contacts and notes (1)").click()
    page.wait_for_selector("text=routine chart")
    page.get_by_role("link", name="Add an addendum").click()
    page.get_by_label("Addendum").fill("Mum rang: school confirmed Ada was on time all week.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Addendum added.")
    page.context.clear_cookies()

    # The manager supervises and transfers the case to Bea in the South team.
    sign_in(page, live_server, "marcus")
    page.goto(case_url)
    page.get_by_role("link", name="Record supervision").click()
    page.get_by_label("Date of supervision").fill(iso(0))
    page.get_by_label("Discussion").fill("Progress on routines; Ada's voice is clear in the notes.")
    page.get_by_label("Decisions").fill("Family moving to the south of the borough: transfer to the South team.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Supervision recorded.")
    page.get_by_role("link", name="Transfer the case").click()
    page.get_by_label("Team").select_option(label="South Early Help Team")
    page.get_by_label("Lead professional").select_option(label="Bea Marlow")
    page.get_by_label("Reason for the transfer").fill("The family has moved to the south of the borough.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Case transferred.")
    timeline = page.locator(".eh-timeline").inner_text()
    assert "Supervision" in timeline and "Transferred to Bea Marlow" in timeline
    assert "Lead professional Alice Hollis" in timeline  # who the case opened to
    assert "Bea Marlow" in page.locator(".govuk-summary-list").first.inner_text()
    screenshot("cases-practice-case-page")
    page.locator("#navigation").get_by_role("link", name="My team").click()
    page.wait_for_selector("text=Caseloads by lead professional")
    screenshot("cases-practice-team")
