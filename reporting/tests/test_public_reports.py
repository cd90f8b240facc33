"""Publishing: an officer marks a run published, its files are frozen, a council's public address serves only its
own published runs (no sign-in), a withdrawn publication answers 410, and a correction says what changed."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import publishing, services
from reporting.models import Publication, ReportRun
from tests.factories import acting
from tests.test_case_file_audit_figures import _report as _audit_report
from tests.test_case_file_audit_figures import audited  # noqa: F401 (a fixture: eight case file audits)

WRITTEN = {"executive_summary", "recommendations", "implications"}


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="alice")


@pytest.fixture
def bea(tenant_b, member):
    return member(tenant_b, role=Role.PERFORMANCE_OFFICER, username="bea")


def render(tenant, officer, *, title="Early help performance", is_public=True, report=None) -> ReportRun:
    """A rendered run of a report of written sections only (quick to render)."""
    with tenant_context(tenant):
        if report is None:
            report = services.report_create(
                by=acting(officer), title=title, committee="Children's Scrutiny Committee",
                meeting_date=dt.date(2015, 1, 6), item_number="6", report_of="Officer", accountable_director="Director",
                period_start_year=2014, period_quarter=2, is_public=is_public,
                exempt_reason="" if is_public else "Paragraph 3: financial affairs",
                executive_summary="Families are better off.")
            services.report_arrange_sections(report=report, by=acting(officer), layout=[
                dict(item, include=item["key"] in WRITTEN) for item in report.sections])
        run = services.report_run_request(report=report, by=acting(officer))
        run = services.report_run_execute(tenant=tenant, run_id=run.pk)
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def publish(tenant, officer, run, **fields) -> Publication:
    with tenant_context(tenant):
        return publishing.publication_create(run=run, by=acting(officer), **{
            "published_on": dt.date(2014, 12, 22), "committee": "Children's Scrutiny Committee", "item_number": "6",
            "on_public_site": True, **fields})


@pytest.fixture
def published(tenant_a, alice):
    return publish(tenant_a, alice, render(tenant_a, alice))


def public(publication, name="public:report") -> str:
    return reverse(name, args=[publication.tenant.slug, publication.public_id])


def test_a_published_run_is_served_to_anyone_exactly_as_frozen(published, tenant_a):
    anyone = Client()
    listing = anyone.get(reverse("public:reports", args=[tenant_a.slug]))
    assert listing.status_code == 200 and public(published) in listing.content.decode()

    page = anyone.get(public(published)).content.decode()
    assert published.pdf_sha256 in page and published.html_sha256 in page
    assert public(published, "public:report-pdf") in page and public(published, "public:report-html") in page

    pdf = anyone.get(public(published, "public:report-pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    pdf_bytes = b"".join(pdf.streaming_content)
    assert hashlib.sha256(pdf_bytes).hexdigest() == published.pdf_sha256 == published.run.pdf_sha256

    html = anyone.get(public(published, "public:report-html"))
    assert hashlib.sha256(html.content).hexdigest() == published.html_sha256
    # The frozen file keeps its one <style> element, allowed by its hash: no 'unsafe-inline' anywhere.
    style = re.search(rb"<style>(.*?)</style>", html.content, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    policy = html["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy and "unsafe-inline" not in policy
    assert b"Families are better off." in html.content


def test_a_council_address_serves_only_that_councils_published_runs(published, tenant_a, tenant_b, alice, bea):
    anyone = Client()
    theirs = publish(tenant_b, bea, render(tenant_b, bea, title="Another council's report"))
    for name in ("public:report", "public:report-pdf", "public:report-html"):
        # Council B's publication through council A's address, and the other way round: not found.
        assert anyone.get(reverse(name, args=[tenant_a.slug, theirs.public_id])).status_code == 404
        assert anyone.get(reverse(name, args=[tenant_b.slug, published.public_id])).status_code == 404
        assert anyone.get(reverse(name, args=["no-such-council", published.public_id])).status_code == 404
        assert anyone.get(reverse(name, args=[tenant_b.slug, theirs.public_id])).status_code == 200
    unpublished = render(tenant_a, alice, title="Not published")
    not_opted_in = publish(tenant_a, alice, render(tenant_a, alice, title="Published, not online"),
                           on_public_site=False)
    for public_id in (unpublished.public_id, unpublished.report.public_id, not_opted_in.public_id):
        assert anyone.get(reverse("public:report", args=[tenant_a.slug, public_id])).status_code == 404
        assert anyone.get(reverse("public:report-pdf", args=[tenant_a.slug, public_id])).status_code == 404
    listing = anyone.get(reverse("public:reports", args=[tenant_a.slug])).content.decode()
    assert "Early help performance" in listing
    assert "Another council" not in listing and "Published, not online" not in listing


def test_a_withdrawn_publication_answers_gone(published, tenant_a, alice, sign_in):
    client = sign_in(alice)
    response = client.post(reverse("reporting:publication-withdraw", args=[published.public_id]),
                           {"reason": "A figure was wrong"})
    assert response.status_code == 302
    anyone = Client()
    for name in ("public:report", "public:report-pdf", "public:report-html"):
        gone = anyone.get(public(published, name))
        assert gone.status_code == 410
        assert "This report has been withdrawn" in gone.content.decode()
    assert "Withdrawn" in anyone.get(reverse("public:reports", args=[tenant_a.slug])).content.decode()
    event = AuditEvent.all_tenants.get(action="report.publication_withdrawn")
    assert event.detail == {"version": 1, "reason": "A figure was wrong"}
    with tenant_context(tenant_a), pytest.raises(ValidationError, match="already been withdrawn"):
        publishing.publication_withdraw(publication=Publication.objects.get(),
                                        by=acting(alice), reason="Again")


def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(published, alice, sign_in):
    client = sign_in(alice)
    client.post(reverse("reporting:publication-withdraw", args=[published.public_id]), {"reason": " "})
    assert Publication.all_tenants.get().status == Publication.Status.PUBLISHED
    assert Client().get(public(published)).status_code == 200


def test_a_correction_is_a_new_version_that_says_what_changed_and_links_the_previous(published, tenant_a, alice):
    run = render(tenant_a, alice, report=published.report)
    with pytest.raises(ValidationError, match="say what changed"):
        publish(tenant_a, alice, run)
    correction = publish(tenant_a, alice, run, correction_note="Table 3's second quarter was corrected.")
    assert correction.version == 2 and correction.previous == published
    anyone = Client()
    page = anyone.get(public(correction)).content.decode()
    assert "Table 3&#x27;s second quarter was corrected." in page and public(published) in page
    edition = anyone.get(public(correction, "public:report-html")).content.decode()
    assert "Corrected version 2: what changed" in edition and public(published) in edition
    old = anyone.get(public(published)).content.decode()
    assert "A corrected version of this report has been published" in old and public(correction) in old
    events = AuditEvent.all_tenants.filter(action="report.published").order_by("id")
    assert [e.detail["version"] for e in events] == [1, 2]
    assert events[1].detail["corrects"] == str(published.public_id)
    assert events[1].detail["pdf_sha256"] == correction.pdf_sha256


@pytest.mark.parametrize("change, message", [
    ({"committee": " "}, "Enter the committee"),
    ({"correction_note": "Nothing to correct"}, "not been published before"),
])
def test_bad_publication_details_are_refused_and_nothing_is_published(tenant_a, alice, change, message):
    run = render(tenant_a, alice)
    with pytest.raises(ValidationError, match=message):
        publish(tenant_a, alice, run, **change)
    assert not Publication.all_tenants.exists()


def test_an_exempt_report_is_recorded_as_published_but_never_put_online(tenant_a, alice):
    run = render(tenant_a, alice, is_public=False)
    with pytest.raises(ValidationError, match="exempt from publication"):
        publish(tenant_a, alice, run)
    recorded = publish(tenant_a, alice, run, on_public_site=False)
    assert Client().get(public(recorded)).status_code == 404


def test_a_run_is_published_once_and_only_when_finished(published, tenant_a, alice):
    with pytest.raises(ValidationError, match="already been published"):
        publish(tenant_a, alice, published.run)
    with tenant_context(tenant_a):
        queued = ReportRun.objects.create(report=published.report, requested_by=alice, parameters={})
    with pytest.raises(ValidationError, match="Only a finished run"):
        publish(tenant_a, alice, queued)


def test_an_officer_publishes_from_the_run_page_and_sees_the_hashes(tenant_a, alice, sign_in):
    run = render(tenant_a, alice)
    client = sign_in(alice)
    url = reverse("reporting:run-publish", args=[run.public_id])
    assert url in client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    form = client.get(url).content.decode()
    assert 'value="Children&#x27;s Scrutiny Committee"' in form  # the committee comes from the run

    refused = client.post(url, {"published_on": "22/13/2014", "committee": "Scrutiny"})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert not Publication.all_tenants.exists()

    done = client.post(url, {"published_on": "2014-12-22", "committee": "Scrutiny", "item_number": "6",
                             "on_public_site": "on"})
    assert done.status_code == 302
    publication = Publication.all_tenants.get()
    page = client.get(reverse("reporting:run-detail", args=[run.public_id])).content.decode()
    assert publication.pdf_sha256 in page and publication.html_sha256 in page and public(publication) in page
    assert publication.published_by == alice and publication.committee == "Scrutiny"



@pytest.mark.usefixtures("audited")
def test_open_data_has_exactly_the_figures_the_report_prints_and_reveals_nothing_it_hides(tenant_a, tenant_b, alice):
    """A Public report with small counts (eight case file audits graded 1, 4, 2, 1): the CSV and the JSON are the
    figures table of the run, every hidden figure stays hidden (no numerator), the disclosure auditor recovers
    nothing from them, and another council's address does not serve them."""
    import csv
    import io
    import json

    from reporting.disclosure_audit import audit_figures
    from reporting.figures_table import DATA_DICTIONARY, figures_csv, figures_table

    run = render(tenant_a, alice, report=_audit_report(tenant_a, public=True))
    publication = publish(tenant_a, alice, run)
    anyone = Client()
    response = anyone.get(public(publication, "public:report-figures-csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body == figures_csv(run.snapshot)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and any(row["suppressed"] == "yes" for row in rows)
    assert all(row["numerator"] == "" and row["value"] == "c" for row in rows if row["suppressed"] == "yes")
    assert audit_figures(figures_table(run.snapshot)) == []
    page = anyone.get(public(publication)).content.decode()
    assert public(publication, "public:report-figures-csv") in page
    data = json.loads(anyone.get(public(publication, "public:report-figures-json")).content)
    assert data["about"]["report_pdf_sha256"] == publication.pdf_sha256
    assert set(data["data_dictionary"]) == set(DATA_DICTIONARY) and len(data["figures"]) == len(rows)
    assert {f["definition_id"] for f in data["figures"]} <= {d.get("id") for d in data["definitions"]}
    foreign = reverse("public:report-figures-csv", args=[tenant_b.slug, publication.public_id])
    assert anyone.get(foreign).status_code == 404
    with tenant_context(tenant_a):
        publishing.publication_withdraw(publication=publication,
                                        by=acting(alice), reason="Wrong period")
    assert anyone.get(public(publication, "public:report-figures-csv")).status_code == 410
