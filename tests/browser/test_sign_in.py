"""A person signs in, lands on their authority's home page, and switches authority — in headless Chromium."""

import pytest

from earlyhelp.permissions import Role
from tests.factories import MembershipFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_switch_authority(live_server, page, screenshot, tenant_a, tenant_b, member):
    user = member(tenant_a, role=Role.TENANT_ADMIN, username="sam")  # a tenant admin's home lists the teams
    MembershipFactory(tenant=tenant_b, user=user, role=Role.TENANT_ADMIN)
    TeamFactory(tenant=tenant_a, name="Grays Team")
    TeamFactory(tenant=tenant_b, name="Allenton Team")

    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Eastmoor City Council"  # first alphabetically
    assert page.get_by_text("Allenton Team").is_visible()
    screenshot("home-eastmoor")

    page.get_by_label("Local authority").select_option(label="Northbridge Borough Council (Tenant administrator)")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_selector("text=You are now working in Northbridge Borough Council")
    assert page.locator("h1").inner_text() == "Northbridge Borough Council"
    assert page.get_by_text("Grays Team").is_visible()
    assert page.get_by_text("Allenton Team").count() == 0
    screenshot("home-northbridge")


def test_the_sign_in_form_works_from_the_keyboard(live_server, page, tenant_a, member):
    member(tenant_a, username="kim")
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")  # skip link first
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent || document.activeElement.id")
    assert focused  # something sensible receives focus
    page.focus("#id_username")
    page.keyboard.type("kim")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Northbridge Borough Council')")
