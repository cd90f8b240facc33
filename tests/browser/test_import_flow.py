"""A team manager imports a previous system's referrals and cases in headless Chromium: a file with problems is
listed row by row with nothing saved; the corrected file is imported and summarised."""

import pytest

from cases.models import Referral
from cases.tests.helpers import team_for
from cases.tests.test_import import csv_bytes, good_rows, row
from earlyhelp.permissions import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_lists_every_problem_then_imports_the_corrected_file(
    live_server, page, screenshot, tenant_a, member
):
    team_for(tenant_a, member(tenant_a, role=Role.PRACTITIONER, username="alice"), "North Early Help Team")
    member(tenant_a, role=Role.TEAM_MANAGER, username="mia")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")
    page.get_by_role("link", name="Import records").click()
    page.wait_for_selector("h1:has-text('Import referrals and cases')")

    bad = [row(source_code="ZZ", team="Eastmoor Team"), row(external_id="B1", first_name="Bea"),
           row(external_id="B1", first_name="Bea"), row(external_id="C1", first_name="Cy", closure_reason=""),
           row(referral_received="2023-13-40")]
    page.get_by_label("Import file (CSV or XLSX)").set_input_files(
        files=[{"name": "old-system.csv", "mimeType": "text/csv", "buffer": csv_bytes(bad)}])
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_selector("#problems")
    assert page.get_by_text("The file has 5 problems: nothing was saved").is_visible()
    cells = page.locator("#problems + p + .eh-scroll table tbody tr").all_inner_texts()
    assert cells[0].split("\t") == ["2", "source_code", '"ZZ" is not a referral source code here']
    assert any('"Eastmoor Team" is not a team here' in c for c in cells)
    screenshot("case-import-problems")
    assert Referral.all_tenants.count() == 0

    page.get_by_label("Import file (CSV or XLSX)").set_input_files(
        files=[{"name": "old-system.csv", "mimeType": "text/csv", "buffer": csv_bytes(good_rows())}])
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_selector("text=Import complete")
    assert page.get_by_text("3 (of which 1 re-referral)").is_visible()
    screenshot("case-import-done")
    assert Referral.all_tenants.count() == 3
