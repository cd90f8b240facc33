"""The HTML edition of a report passes axe-core (WCAG 2.2 AA tags) in Chromium, in the app and at the council's
public address, with no Content-Security-Policy violations (the charts are inline SVG without styles).

axe-core is the copy vendored for the browser walks (``tests/browser/vendor/axe-core``, from the npm registry).
"""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import indicators, publishing, services
from reporting.models import Indicator, ReportRun
from tests.browser.test_role_days import AXE  # the one vendored copy of axe-core
from tests.factories import acting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page, source: str) -> list[dict]:
    # Evaluated through the browser's debugging protocol, so the page's CSP (no inline scripts) does not block it.
    page.evaluate(source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


@pytest.fixture
def published_run(tenant_a, member):
    """A Public report with a chart, written sections and the framework's tables, rendered and published."""
    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="ola")
    quarters = [Quarter(2014, 2).shifted(-i) for i in range(7, -1, -1)]
    with tenant_context(tenant_a):
        for quarter, value in zip(quarters, [3, 40, 41, 44, 45, 46, 47, 48], strict=True):
            indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_CARE, quarter=quarter,
                                        value=value, source="Test figures", by=acting(officer))
        report = services.report_create(
            by=acting(officer), title="Early help performance", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=2,
            executive_summary="Fewer children are in **care**.", recommendations="Note the report.\nAsk for more.",
            is_public=True)
        keep = {"executive_summary", "recommendations", "caseload_trend", "feedback", "framework", "implications"}
        services.report_arrange_sections(report=report, by=acting(officer), layout=[
            dict(item, include=item["key"] in keep) for item in report.sections])
        run = services.report_run_request(report=report, by=acting(officer))
        run = services.report_run_execute(tenant=tenant_a, run_id=run.pk)
        assert run.status == ReportRun.Status.DONE, run.error
        publication = publishing.publication_create(run=run, by=acting(officer), published_on=dt.date(2014, 12, 22),
                                                    committee="Scrutiny", item_number="6", on_public_site=True)
    return run, publication


def test_the_html_edition_passes_axe_in_the_app_and_at_the_public_address(live_server, page, published_run,
                                                                          screenshot):
    source = axe_source()
    run, publication = published_run
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ola")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")
    page.goto(f"{live_server.url}/reports/runs/{run.public_id}/")
    page.get_by_role("link", name="Read the accessible HTML edition").click()
    page.wait_for_selector("h1:has-text('Early help performance')")
    assert page.locator("svg[role=img]").count() == 1
    assert page.locator("svg[role=img] title").text_content().startswith("Line chart: caseloads")
    # The static stylesheet applies (GOV.UK black header), and nothing was blocked by the CSP.
    assert page.evaluate("getComputedStyle(document.querySelector('.eh-edition__header')).backgroundColor") == \
        "rgb(11, 12, 12)"
    assert axe_violations(page, source) == []
    screenshot("report-html-edition")

    anyone = page.context.browser.new_context()
    public_page = anyone.new_page()
    public_page.on("console", lambda message: blocked.append(message.text)
                   if "Content Security Policy" in message.text else None)
    base = f"{live_server.url}/public/{publication.tenant.slug}/reports/{publication.public_id}/"
    public_page.goto(base)
    assert axe_violations(public_page, source) == []
    public_page.get_by_role("link", name="Read the report as a web page (accessible HTML edition)").click()
    public_page.wait_for_selector("h1:has-text('Early help performance')")
    assert public_page.evaluate(
        "getComputedStyle(document.querySelector('.eh-edition__header')).backgroundColor") == "rgb(11, 12, 12)"
    assert axe_violations(public_page, source) == []
    public_page.goto(f"{live_server.url}/public/{publication.tenant.slug}/reports/")
    assert axe_violations(public_page, source) == []
    anyone.close()
    assert blocked == []
