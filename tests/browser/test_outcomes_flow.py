"""Supporting Families and tool set-up in headless Chromium, by labels: a team manager enrols a family from its
case, records that each need was met, and prepares a claim; a tenant administrator revises a tool's areas."""

import datetime as dt

import pytest

from cases import services as case_services
from cases.tests.helpers import need, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from tests.factories import acting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")


def test_enrol_evidence_and_claim(live_server, page, screenshot, tenant_a, member):
    tom = member(tenant_a, Role.TEAM_MANAGER, username="tom", user__first_name="Tom", user__last_name="Reyes")
    team = team_for(tenant_a, tom)
    today = dt.date.today()
    opened = today - dt.timedelta(days=400)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=tom, team=team, received_on=opened - dt.timedelta(days=5), opened_on=opened)
        a = case_services.assessment_start(case=case, started_on=opened, by=acting())
        case_services.assessment_complete(assessment=a, completed_on=opened, needs=[need("PARENTING")], by=acting())
        case_services.plan_create(case=case, created_on=opened, summary="Routines and school", by=acting())

    sign_in(page, live_server, "tom")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.get_by_role("link", name="Supporting Families").last.click()
    page.get_by_label("Getting a good education").check()
    page.get_by_label("Secure housing").check()
    page.get_by_label("Financial stability").check()
    page.get_by_label("Date enrolled").fill((opened + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Enrol the family").click()
    page.wait_for_selector("text=A claim cannot be made today")

    met_on = (today - dt.timedelta(days=200)).isoformat()
    for label in ("Getting a good education", "Secure housing"):
        page.get_by_role("link", name=f"Record evidence for {label}").click()
        page.get_by_label("Outcome met").check()
        page.get_by_label("Date of the evidence").fill(met_on)
        page.get_by_label("Source").fill("School and housing officer")
        page.get_by_label("Describe the evidence").fill("Attendance above 95% for two terms; tenancy secured.")
        page.get_by_role("button", name="Save the evidence").click()
        page.wait_for_selector("text=Evidence recorded")
    page.get_by_role("link", name="Record evidence for Financial stability").click()
    page.get_by_label("Progress", exact=True).check()
    page.get_by_label("Describe the evidence").fill("Debt advice appointment kept.")
    page.get_by_role("button", name="Save the evidence").click()
    page.wait_for_selector("text=Financial stability: the outcome has not been met.")
    screenshot("outcomes-supporting-families-family")

    page.get_by_role("link", name="Record evidence for Financial stability").click()
    page.get_by_label("Outcome met").check()
    page.get_by_label("Date of the evidence").fill(met_on)
    page.get_by_label("Describe the evidence").fill("Repayment plan agreed and kept.")
    page.get_by_role("button", name="Save the evidence").click()
    page.wait_for_selector("text=A claim can be made today")
    page.get_by_role("link", name="Prepare a claim").click()
    page.get_by_role("button", name="Prepare the claim").click()
    page.wait_for_selector("text=Evidence pack")
    assert page.get_by_text("Repayment plan agreed and kept.").is_visible()
    screenshot("outcomes-supporting-families-claim")


def test_tool_set_up(live_server, page, screenshot, tenant_a, member):
    member(tenant_a, Role.TENANT_ADMIN, username="ada")
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
    sign_in(page, live_server, "ada")
    page.locator("#navigation").get_by_role("link", name="Tools").click()
    page.get_by_role("link", name="Create a tool").click()
    page.get_by_role("button", name="Create the tool").click()
    page.wait_for_selector("text=There is a problem")
    page.get_by_label("Name", exact=True).fill("Teen wellbeing")
    page.get_by_label("Short name").fill("teen-wellbeing")
    page.get_by_label("Child or young person").check()
    page.get_by_label("Lowest score").fill("0")
    page.get_by_label("Highest score").fill("4")
    page.get_by_label("A higher score is better").uncheck()
    page.get_by_label("Areas").fill("Worry\nSleep\nFriendships\nSchool")
    page.get_by_role("button", name="Create the tool").click()
    page.wait_for_selector("text=Teen wellbeing created.")
    page.get_by_label("Areas").fill("worry | Worries\nsleep | Sleep\nfriendships | Friendships")
    page.get_by_role("button", name="Save the areas").click()
    page.wait_for_selector("text=Areas of version 1 changed")
    screenshot("outcomes-tool")
