"""A figure already published never changes silently: after a backdated correction to a published quarter, the
run's page (the performance officer's view) lists the printed figure as changed since published, with what was
printed, what it is now and the difference; the run's files stay as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.tests.helpers import child, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import figure_changes, services
from reporting.models import ReportRun
from tests.factories import acting

from .test_public_reports import publish

pytestmark = pytest.mark.django_db(transaction=True)
IN_QUARTER = dt.date(2014, 8, 4)  # 2014/15 Q2 (July to September 2014)


@pytest.fixture
def officer(tenant_a, member):
    return member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="officer")


@pytest.fixture
def world(tenant_a, member):
    worker = member(tenant_a, Role.PRACTITIONER, username="worker")
    team = team_for(tenant_a, worker)
    with tenant_context(tenant_a):
        for n in range(12):
            open_case(lead=worker, team=team, kid=child(first=f"Kid{n}"), received_on=IN_QUARTER,
                      opened_on=IN_QUARTER + dt.timedelta(days=2))
    return {"worker": worker, "team": team}


def _run(tenant, officer) -> ReportRun:
    with tenant_context(tenant):
        report = services.report_create(
            by=acting(officer), title="Early help performance", committee="Children's Scrutiny Committee",
            meeting_date=dt.date(2015, 1, 6), item_number="6", report_of="Officer", accountable_director="Director",
            period_start_year=2014, period_quarter=2, is_public=False, exempt_reason="Paragraph 3",
            executive_summary="Families are better off.")
        services.report_arrange_sections(report=report, by=acting(officer), layout=[
            dict(item, include=item["key"] == "performance_framework") for item in report.sections])
        run = services.report_run_request(report=report, by=acting(officer))
        run = services.report_run_execute(tenant=tenant, run_id=run.pk)
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def test_a_backdated_correction_shows_as_changed_since_published(world, tenant_a, tenant_b, officer, sign_in,
                                                                member):
    run = _run(tenant_a, officer)
    publish(tenant_a, officer, run, on_public_site=False)
    client = sign_in(officer)
    page = client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    assert "changed since published" not in page.lower()  # nothing changed yet

    with tenant_context(tenant_a):  # a referral of the published quarter, recorded late
        open_case(lead=world["worker"], team=world["team"], kid=child(first="Late"), received_on=IN_QUARTER,
                  opened_on=IN_QUARTER + dt.timedelta(days=3))
    with tenant_context(tenant_a):
        changes = figure_changes.changes_since_run(ReportRun.objects.get(pk=run.pk))
    referrals = [c for c in changes if c.kind == "count" and "referral" in c.label.lower()]
    assert referrals, changes
    assert referrals[0].printed == "12" and referrals[0].now == "13" and referrals[0].difference == "+1"

    page = client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    assert "Changed since published" in page and 'id="changed-since-published"' in page
    assert "+1" in page
    with tenant_context(tenant_a):
        kept = ReportRun.objects.get(pk=run.pk)
    assert kept.snapshot_sha256 == run.snapshot_sha256  # the run as published is kept

    # Another council's officer still gets 404 for the run.
    other = sign_in(member(tenant_b, role=Role.PERFORMANCE_OFFICER, username="other"))
    assert other.get(reverse("reporting:run-detail", args=[run.public_id])).status_code == 404


def test_a_change_after_the_published_quarter_changes_nothing_printed(world, tenant_a, officer):
    run = _run(tenant_a, officer)
    with tenant_context(tenant_a):
        open_case(lead=world["worker"], team=world["team"], kid=child(first="Later"), received_on=dt.date(2015, 2, 1),
                  opened_on=dt.date(2015, 2, 2))
    with tenant_context(tenant_a):
        assert figure_changes.changes_since_run(ReportRun.objects.get(pk=run.pk)) == []


def test_the_runs_page_stays_up_when_the_figures_cannot_be_counted_again(world, tenant_a, officer, sign_in,
                                                                         monkeypatch):
    run = _run(tenant_a, officer)

    def broken(*args, **kwargs):
        raise RuntimeError("a section cannot be built")

    monkeypatch.setattr("reporting.rendering.build_snapshot", broken)
    page = sign_in(officer).get(reverse("reporting:run-detail", args=[run.public_id]))
    assert page.status_code == 200
    assert "could not be compared with the records as they are now" in page.content.decode()
