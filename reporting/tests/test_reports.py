"""Committee reports: writing, arranging, rendering by the job, and who may do it."""

import datetime as dt
import io
import re

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import rendering, services
from reporting.models import Report, ReportRun
from tests.factories import acting

REPORT_FIELDS = {
    "title": "Early Offer of Help Commissioned Services",
    "committee": "Children's Overview and Scrutiny Committee",
    "meeting_date": "2015-01-06",
    "item_number": "6",
    "wards_affected": "All",
    "key_decision": "Not applicable",
    "report_of": "Head of Commissioning",
    "accountable_director": "Director of Children's Services",
    "is_public": "on",
    "exempt_reason": "",
    "period_start_year": "2014",
    "period_quarter": "2",
    "author": "A. Officer",
    "executive_summary": "Services are **making a difference**.<script>alert('x')</script>",
    "recommendations": "That members note the outcomes.\nThat members ask for a further report.",
    "introduction": "Background.",
    "issues_analysis": "",
    "reasons_for_recommendation": "",
    "consultation": "",
    "corporate_policies": "",
    "financial_implications": "No direct financial implications.",
    "financial_verified_by": "Kay Finance",
    "legal_implications": "",
    "legal_verified_by": "",
    "diversity_implications": "",
    "diversity_verified_by": "",
    "other_implications": "",
    "background_papers": "",
    "appendices": "",
    "follow_up_months": "6",
    "follow_up_window_months": "6",
}


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="alice")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, role=Role.PRACTITIONER, username="bob")


@pytest.fixture
def outsider(tenant_b, member):
    return member(tenant_b, role=Role.PERFORMANCE_OFFICER, username="outsider")


@pytest.fixture
def report(tenant_a, alice):
    with tenant_context(tenant_a):
        fields = dict(REPORT_FIELDS)
        fields["is_public"] = True
        fields["period_start_year"] = 2014
        fields["period_quarter"] = 2
        import datetime as dt

        fields["meeting_date"] = dt.date(2015, 1, 6)
        return services.report_create(by=acting(alice), **fields)


def pdf_text(run: ReportRun) -> str:
    with run.pdf.open("rb") as handle, pdfplumber.open(io.BytesIO(handle.read())) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_an_officer_writes_a_report_in_the_browser(alice, sign_in, tenant_a):
    client = sign_in(alice)
    response = client.post(reverse("reporting:report-create"), REPORT_FIELDS)
    assert response.status_code == 302
    report = Report.all_tenants.get(title=REPORT_FIELDS["title"])
    assert report.tenant == tenant_a
    assert AuditEvent.all_tenants.filter(action="report.created", object_public_id=str(report.public_id)).exists()


def test_an_exempt_report_must_say_why(alice, sign_in):
    data = {**REPORT_FIELDS, "is_public": ""}
    response = sign_in(alice).post(reverse("reporting:report-create"), data)
    assert response.status_code == 200
    assert "Say why the report is exempt" in response.content.decode()
    assert not Report.all_tenants.exists()


def test_rendering_produces_a_pdf_with_the_header_narrative_and_definitions(alice, sign_in, report,
                                                                           django_capture_on_commit_callbacks):
    client = sign_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:report-render", args=[report.public_id]))
    run = ReportRun.all_tenants.get(report=report)
    assert response["Location"] == reverse("reporting:run-detail", args=[run.public_id])
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.progress == 100 and run.attempts == 1
    text = pdf_text(run)
    assert "Children's Overview and Scrutiny Committee" in text
    assert "This report is Public" in text
    assert "Key Decision: Not applicable" in text
    assert "making a difference" in text
    assert "alert(" not in text  # the script was sanitised away
    assert re.search(r"2\.1\s+That members note the outcomes\.", text)
    assert re.search(r"2\.2\s+That members ask for a further report\.", text)
    assert "Implications verified by: Kay Finance" in text
    assert "Definitions of the figures in this report" in text
    assert re.search(r"Page 1 of \d+", text)
    assert run.pdf_sha256 and run.snapshot_sha256 == rendering.snapshot_hash(run.snapshot)
    page = client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    assert "Download the PDF" in page
    download = client.get(reverse("reporting:run-download", args=[run.public_id]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert AuditEvent.all_tenants.filter(action="report_run.downloaded").count() == 1


def test_a_run_keeps_the_report_as_it_was_when_requested(alice, report, tenant_a):
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
        services.report_update(report=report, by=acting(alice), title="A later title")
    assert run.parameters["title"] == REPORT_FIELDS["title"]


def test_the_job_is_idempotent_a_second_delivery_changes_nothing(alice, report, tenant_a):
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    first = ReportRun.all_tenants.get(pk=run.pk)
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)  # redelivered after a lost ack
    again = ReportRun.all_tenants.get(pk=run.pk)
    assert (again.attempts, again.pdf_sha256, again.pdf.name) == (first.attempts, first.pdf_sha256, first.pdf.name)
    assert AuditEvent.all_tenants.filter(action="report_run.rendered").count() == 1


def test_a_run_left_running_by_a_killed_worker_finishes_once_when_redelivered(alice, report, tenant_a):
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
    ReportRun.all_tenants.filter(pk=run.pk).update(status="running", progress=40, attempts=1)
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    run = ReportRun.all_tenants.get(pk=run.pk)
    assert run.status == "done" and run.attempts == 2
    assert ReportRun.all_tenants.count() == 1


def test_a_run_whose_worker_died_outright_is_shown_stalled_and_can_be_retried(alice, sign_in, report, tenant_a,
                                                                             django_capture_on_commit_callbacks):
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
    fresh = timezone.now() - dt.timedelta(minutes=1)  # a heartbeat is due every 30 s: stalled after 2 minutes
    ReportRun.all_tenants.filter(pk=run.pk).update(status="running", progress=40, attempts=1, started_at=fresh)
    client = sign_in(alice)
    url = reverse("reporting:run-detail", args=[run.public_id])
    page = client.get(url).content.decode()
    assert "updates itself" in page and "may have stopped" not in page
    assert "Only a failed or stalled run" in client.post(reverse("reporting:run-retry", args=[run.public_id]),
                                                         follow=True).content.decode()
    ReportRun.all_tenants.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(minutes=11))
    page = client.get(url).content.decode()
    assert "the report worker may have stopped" in page and 'http-equiv="refresh"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:run-retry", args=[run.public_id]))
    run = ReportRun.all_tenants.get(pk=run.pk)
    assert run.status == "done" and run.attempts == 2


def test_the_beat_check_queues_stalled_runs_again_and_gives_up_after_three_attempts(
        alice, report, tenant_a, tenant_b, django_capture_on_commit_callbacks):
    from reporting.tasks import requeue_stalled_report_runs_for_every_tenant

    with tenant_context(tenant_a):
        lost = services.report_run_request(report=report,
                                           by=acting(alice))  # its queue message was lost
        dying = services.report_run_request(report=report,
                                            by=acting(alice))  # its worker keeps dying
        moving = services.report_run_request(report=report, by=acting(alice))
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ReportRun.all_tenants.filter(pk=lost.pk).update(queued_at=long_ago)
    ReportRun.all_tenants.filter(pk=dying.pk).update(status="running", attempts=3, started_at=long_ago)
    ReportRun.all_tenants.filter(pk=moving.pk).update(status="running", attempts=1, started_at=long_ago,
                                                      heartbeat_at=timezone.now())  # long, but its worker beats
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_report_runs_for_every_tenant.delay().get() == 2
    states = {r.pk: r for r in ReportRun.all_tenants.all()}
    assert states[lost.pk].status == "done"  # queued again and rendered
    assert states[dying.pk].status == "failed" and "stopped 3 times" in states[dying.pk].error
    assert states[moving.pk].status == "running"  # a live run is left alone, however long it has run
    assert AuditEvent.all_tenants.filter(action="report_run.requeued").count() == 1


def test_a_failed_run_says_why_and_can_be_retried(alice, sign_in, report, tenant_a, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broken(html):
        raise RuntimeError("the PDF engine is unavailable")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    client = sign_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:report-render", args=[report.public_id]))
    run = ReportRun.all_tenants.get(report=report)
    assert run.status == "failed"
    page = client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    assert "the PDF engine is unavailable" in page and "Try again" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:run-retry", args=[run.public_id]))
    run.refresh_from_db()
    assert run.status == "done"


def test_sections_can_be_reordered_and_omitted(alice, sign_in, report, tenant_a):
    client = sign_in(alice)
    data = {}
    for position, item in enumerate(report.sections, start=1):
        data[f"order-{item['key']}"] = str(position)
        data[f"include-{item['key']}"] = "on"
    data["order-introduction"] = "0"  # first
    del data["include-consultation"]
    client.post(reverse("reporting:report-arrange", args=[report.public_id]), data)
    report.refresh_from_db()
    assert report.sections[0]["key"] == "introduction"
    assert [i for i in report.sections if i["key"] == "consultation"][0]["include"] is False
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    text = pdf_text(ReportRun.all_tenants.get(pk=run.pk))
    assert "1. Introduction and background" in text
    assert "Consultation" not in text


def test_a_bad_position_is_refused_with_a_message(alice, sign_in, report):
    before = list(report.sections)
    response = sign_in(alice).post(reverse("reporting:report-arrange", args=[report.public_id]),
                                   {"order-introduction": "first"}, follow=True)
    assert "Give a whole number for the position" in response.content.decode()
    report.refresh_from_db()
    assert report.sections == before


@pytest.mark.parametrize("name", ["report-detail", "report-edit"])
def test_pages_refuse_a_member_without_the_role_and_hide_from_outsiders(name, bob, outsider, report, sign_in):
    url = reverse(f"reporting:{name}", args=[report.public_id])
    assert sign_in(bob).get(url).status_code == 403
    assert sign_in(outsider).get(url).status_code == 404


def test_runs_refuse_a_member_without_the_role_and_hide_from_outsiders(alice, bob, outsider, report, tenant_a,
                                                                       sign_in):
    with tenant_context(tenant_a):
        run = services.report_run_request(report=report, by=acting(alice))
    for name in ["run-detail", "run-download"]:
        url = reverse(f"reporting:{name}", args=[run.public_id])
        assert sign_in(bob).get(url).status_code == 403
        assert sign_in(outsider).get(url).status_code == 404
    assert sign_in(outsider).post(reverse("reporting:report-render", args=[report.public_id])).status_code == 404
    assert sign_in(bob).post(reverse("reporting:report-render", args=[report.public_id])).status_code == 403
    assert sign_in(bob).get(reverse("reporting:report-list")).status_code == 403


def test_the_list_shows_only_the_tenants_reports(alice, outsider, report, sign_in):
    assert report.title in sign_in(alice).get(reverse("reporting:report-list")).content.decode()
    assert report.title not in sign_in(outsider).get(reverse("reporting:report-list")).content.decode()


@pytest.mark.parametrize("quarter", [2, None])
def test_the_snapshot_counts_every_sections_casework_quarters_in_one_go(alice, report, tenant_a, settings,
                                                                       monkeypatch, quarter):
    """The framework's five quarters, the feedback's quarters of the year and the trend's eight overlap: they
    are counted together (each casework table read once), and the snapshot is what section-by-section counting
    gives."""
    import cases.stats

    settings.FIGURES_CACHE = False
    counted = []
    count = cases.stats._case_stats
    monkeypatch.setattr(cases.stats, "_case_stats", lambda bounds, team, locality: counted.append(bounds) or count(
        bounds, team, locality))
    with tenant_context(tenant_a):
        report.period_quarter = quarter
        parameters = services._parameters(report)
        together = rendering.build_snapshot(tenant_a, parameters)
        assert len(counted) == 1
        last = rendering.period_of(parameters, tenant_a.financial_year_start_month)
        last = last.quarters[-1] if quarter is None else last
        expected = {(q.start, q.end) for q in (last.shifted(-i) for i in range(8))}
        if quarter is None:
            expected.add((dt.date(2014, 4, 1), dt.date(2015, 3, 31)))
        assert set(counted[0]) == expected and len(counted[0]) == len(expected)
        monkeypatch.setattr(rendering, "_count_casework", lambda layout, context: None)
        counted.clear()
        apart = rendering.build_snapshot(tenant_a, parameters)
        assert len(counted) > 1
    together.pop("generated_at"), apart.pop("generated_at")
    assert together == apart


def test_the_report_pdf_goes_through_the_platform_writer(monkeypatch):
    """Tagged PDF/UA-1 with the report's base URL, through earlyhelp.pdf.write_pdf (the collector paused and the
    stack's own room: tests/test_pdf.py)."""
    from reporting import rendering

    calls = []
    monkeypatch.setattr(rendering, "write_pdf", lambda html, **kwargs: calls.append((html, kwargs)) or b"%PDF")
    assert rendering.render_pdf("<p>x</p>") == b"%PDF"
    assert calls == [("<p>x</p>", {"base_url": ".", "pdf_variant": rendering.PDF_VARIANT})]
