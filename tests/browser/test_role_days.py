"""Each role's first day, walked in Chromium on a desktop and on a 390×844 phone (issue #19): every page the walk
visits answers below 500, passes axe-core with the WCAG 2.2 AA tags (0 violations), and on the phone does not
scroll sideways (wide tables scroll inside their own focusable region). Screenshots of each role's home go to
test-artifacts/. axe-core is vendored in tests/browser/vendor/axe-core (MPL-2.0, its LICENSE beside it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cases import services as case_services
from cases.models import LevelOfNeed
from cases.tests import helpers
from commissioning import services as commissioning_services
from earlyhelp.models import Membership, User
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import TeamFactory, acting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def council(tenant_a, member):
    """A council with a member in every role, a case with a plan and notes, and a commissioned service."""
    people = {role: member(tenant_a, role, username=role.value, user__first_name=role.label.split()[0],
                           user__last_name="Tester") for role in Role}
    today = dt.date.today()
    with tenant_context(tenant_a):
        team = TeamFactory(tenant=tenant_a, name="North Early Help Team")
        for role in (Role.PRACTITIONER, Role.TEAM_MANAGER):
            people[role].memberships.get().teams.add(team)
        practitioner = people[Role.PRACTITIONER]
        case = helpers.open_case(lead=practitioner, team=team, kid=helpers.child(first="Ada", last="Ashby-Worthington"),
                                 received_on=today - dt.timedelta(days=60), opened_on=today - dt.timedelta(days=50))
        plan = case_services.plan_create(case=case, created_on=today - dt.timedelta(days=40), by=acting())
        action = case_services.plan_action_add(plan=plan, description="A calm bedtime routine, written up with mum",
                                               owner="Mum and the family support worker",
                                               due_on=today + dt.timedelta(days=3), by=acting())
        case_services.plan_goal_focus_set(action=action, nf_outcome="stay_together", people=list(case.children.all()),
                                          by=Membership.objects.get(user=practitioner))
        helpers.referral([helpers.child(first="Cy", last="Cole", postcode="NB2 2BB")], received_on=today)
        commissioner = Membership.objects.get(user=people[Role.COMMISSIONER])
        provider = commissioning_services.provider_create(by=commissioner, name="Women's Aid")
        service = commissioning_services.service_create(by=commissioner, name="STEPS domestic abuse programme",
                                                        provider=provider)
        commissioning_services.service_update(by=commissioner, service=service, annual_value=95000)
        commissioning_services.provider_user_link(by=commissioner, provider=provider,
                                                  membership=Membership.objects.get(user=people[Role.PROVIDER]))
    return {"people": people, "case": case, "service": service, "plan": plan, "action": action, "team": team}


def days(council) -> dict[Role, list[str]]:
    case, service = council["case"].public_id, council["service"].public_id
    practitioner = Membership.all_tenants.get(user=council["people"][Role.PRACTITIONER]).public_id
    with tenant_context(council["case"].tenant):
        case_services.tenant_defaults_ensure(tenant=council["case"].tenant)
        level = LevelOfNeed.objects.first().public_id
    return {
        Role.PRACTITIONER: ["/", "/cases/", "/cases/tasks/", f"/cases/{case}/", f"/cases/{case}/notes/",
                            f"/outcomes/cases/{case}/", "/cases/referrals/", f"/cases/{case}/close/",
                            f"/cases/{case}/children/", f"/cases/{case}/plan/{council['plan'].public_id}/action/",
                            f"/cases/{case}/action/{council['action'].public_id}/focus/",
                            f"/cases/families/{council['case'].family.public_id}/chronology/",
                            f"/cases/families/{council['case'].family.public_id}/"],
        Role.TEAM_MANAGER: ["/", "/cases/team/", "/cases/?scope=team", f"/cases/{case}/"],
        Role.COMMISSIONER: ["/", "/commissioning/", f"/commissioning/services/{service}/"],
        Role.PROVIDER: ["/", "/commissioning/my-services/", f"/commissioning/services/{service}/"],
        Role.PERFORMANCE_OFFICER: ["/", "/outcomes/", "/reports/"],
        Role.AUDITOR: ["/", "/access-log/"],
        Role.TENANT_ADMIN: ["/", "/administration/", "/administration/people/", "/administration/people/add/",
                            f"/administration/people/{practitioner}/", "/administration/teams/",
                            f"/administration/teams/{council['team'].public_id}/", "/administration/localities/add/",
                            "/administration/settings/", "/cases/lists/", "/cases/lists/levels-of-need/",
                            f"/cases/lists/levels-of-need/{level}/", "/cases/lists/closure-reasons/add/",
                            "/cases/lists/settings/", "/api-clients/", "/api-clients/add/", "/access-log/verify/",
                            "/data-export/", "/outcomes/library/"],
    }


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")


def check_page(page, url: str | None, viewport: str) -> list[str]:
    """Problems with the page at ``url`` (None: the page already open): a status ≥ 500, axe violations,
    sideways scroll on a phone."""
    problems = []
    if url is not None:
        response = page.goto(url)
        if response is None or response.status >= 500:
            problems.append(f"{url}: status {response.status if response else 'none'}")
    url = url or page.url
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    assert result["passes"], f"axe checked nothing on {url}"
    for violation in result["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        problems.append(f"{url} [{viewport}]: {violation['id']} ({violation['impact']}) at {targets}")
    if viewport == "phone":
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{url} [phone]: the page is {width[0]} px wide on a {width[1]} px screen")
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_roles_day_is_accessible_and_fits_the_screen(live_server, browser, council, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for role, urls in days(council).items():
        context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)  # axe is injected as a script
        page = context.new_page()
        sign_in(page, live_server.url, role.value)
        for path in urls:
            problems += check_page(page, f"{live_server.url}{path}", viewport)
            if path == "/":
                page.screenshot(path=str(ARTIFACTS / f"home-{role.value}-{viewport}.png"), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)


def test_the_closure_form_in_error_is_accessible_on_a_phone(live_server, browser, council):
    """A form in error: the summary links to the fields and axe finds nothing, on the phone."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, Role.PRACTITIONER.value)
    page.goto(f"{live_server.url}/cases/{council['case'].public_id}/close/")
    page.get_by_label("Date closed").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-error-summary")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_closed_on"
    problems = check_page(page, None, "phone")
    assert not problems, "\n".join(problems)
    context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_tenant_administrator_adds_a_person_and_verifies_the_audit_log(live_server, browser, council, viewport):
    """The administrator's forms in the browser: a person added with a mistake first (the error summary links to
    the field), then the audit log verified with its result on the page; axe finds nothing on either."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, Role.TENANT_ADMIN.value)
    page.goto(f"{live_server.url}/administration/people/add/")
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Email address").fill("noor@example.org")
    page.get_by_label("Username").fill("noor patel")
    page.get_by_label("Practitioner / lead professional").check()
    page.get_by_role("button", name="Add and send the invitation").click()
    page.wait_for_selector(".govuk-error-summary")
    problems = check_page(page, None, viewport)
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.get_by_label("Username").fill("npatel")
    page.get_by_role("button", name="Add and send the invitation").click()
    page.wait_for_selector("h1:has-text('Noor Patel')")
    problems += check_page(page, None, viewport)
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Verify the audit log").click()
    page.get_by_role("button", name="Verify now").click()
    page.wait_for_selector("#verification-result")
    assert "Intact" in page.locator("#verification-result").inner_text()
    problems += check_page(page, None, viewport)
    context.close()
    assert not problems, "\n".join(problems)


def test_the_platform_administrator_lands_on_platform_administration(live_server, page, db):
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    sign_in(page, live_server.url, "root")
    assert page.url.rstrip("/").endswith("/platform")
