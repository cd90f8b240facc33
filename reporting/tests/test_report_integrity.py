"""Report integrity for readers (issue #24, item 6): the snapshot hash and run id on the PDF's last page with
the audit checkpoint written for the run, and the public "Check a report" page of each council."""

import hashlib
import io
import json

import pdfplumber
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from earlyhelp.audit_checkpoints import checkpoint_path
from earlyhelp.tenancy import tenant_context
from reporting import rendering, services
from reporting.models import ReportRun
from tests.factories import acting
from tests.test_isolation_sweep import _report


def _rendered_run(tenant, member):
    report = _report(tenant, member)
    with tenant_context(tenant):
        run = services.report_run_request(report=report, by=acting(report.created_by))
    services.report_run_execute(tenant=tenant, run_id=run.pk)
    run = ReportRun.all_tenants.get(pk=run.pk)
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def _pdf(run) -> bytes:
    with run.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def run_a(tenant_a, member):
    return _rendered_run(tenant_a, member)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_the_last_page_names_the_run_the_snapshot_hash_and_the_audit_checkpoint(run_a, tenant_a):
    pdf = _pdf(run_a)
    assert run_a.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        last = document.pages[-1].extract_text()
    checkpoints = [json.loads(line) for line in checkpoint_path(tenant_a).read_text().splitlines()]
    written = [cp for cp in checkpoints if cp["reason"] == f"report run {run_a.public_id}"]
    assert len(written) == 1
    assert str(run_a.public_id) in last and run_a.snapshot_sha256 in last.replace("\n", "")
    assert f"event {written[0]['last_event_id']}, head hash {written[0]['head_hash'][:16]}" in last
    assert f"/public/{tenant_a.slug}/check-a-report/" in last
    assert run_a.snapshot["audit_checkpoint"]["last_event_id"] == written[0]["last_event_id"]
    assert run_a.snapshot_sha256 == rendering.snapshot_hash(run_a.snapshot)  # the checkpoint is in the snapshot


def test_the_run_renders_again_to_the_same_bytes(run_a):
    """A run's document is rendered again from what the run keeps (its snapshot, id and snapshot hash)."""
    html = rendering.render_html(run_a.snapshot, provenance=rendering.run_provenance(run_a))
    assert str(run_a.public_id) in html and run_a.snapshot_sha256 in html
    assert f"event {run_a.snapshot['audit_checkpoint']['last_event_id']}," in html
    assert hashlib.sha256(rendering.render_pdf(html)).hexdigest() == run_a.pdf_sha256  # byte for byte


class TestCheckAReport:
    def _check(self, client, tenant, **data):
        return client.post(reverse("public:check-report", kwargs={"tenant_slug": tenant.slug}), data)

    def test_anyone_can_open_it_without_signing_in(self, client, tenant_a):
        response = client.get(reverse("public:check-report", kwargs={"tenant_slug": tenant_a.slug}))
        assert response.status_code == 200 and "Check a report from Northbridge" in response.content.decode()

    def test_an_unknown_council_is_not_found(self, client, db):
        assert client.get("/public/no-such-council/check-a-report/").status_code == 404

    def test_an_uploaded_pdf_is_recognised_with_its_report_and_run(self, client, tenant_a, run_a):
        upload = SimpleUploadedFile("report.pdf", _pdf(run_a), content_type="application/pdf")
        page = self._check(client, tenant_a, pdf=upload).content.decode()
        assert "This is one of Northbridge Borough Council's reports" in page
        assert str(run_a.public_id) in page and run_a.parameters["title"] in page

    def test_a_pasted_hash_is_recognised_in_any_case_and_spacing(self, client, tenant_a, run_a):
        pasted = " ".join([run_a.pdf_sha256[:32].upper(), run_a.pdf_sha256[32:]])
        page = self._check(client, tenant_a, sha256=pasted).content.decode()
        assert "This is one of" in page and str(run_a.public_id) in page

    def test_another_councils_pdf_is_not_one_of_theirs_and_the_answer_has_the_same_shape(
            self, client, tenant_a, tenant_b, member, run_a):
        run_b = _rendered_run(tenant_b, member)
        upload = SimpleUploadedFile("report.pdf", _pdf(run_b), content_type="application/pdf")
        response = self._check(client, tenant_a, pdf=upload)
        page = response.content.decode()
        assert response.status_code == 200
        assert "This is not one of Northbridge Borough Council's reports" in page
        assert str(run_b.public_id) not in page and str(run_a.public_id) not in page
        found = self._check(client, tenant_b, sha256=run_b.pdf_sha256).content.decode()
        shape = ["SHA-256 checked", "Report", "Run"]
        for answer in (page, found):
            assert [key for key in shape if f'<dt class="govuk-summary-list__key">{key}</dt>' in answer] == shape

    def test_a_changed_copy_is_not_recognised(self, client, tenant_a, run_a):
        changed = _pdf(run_a) + b"\n% re-saved\n"
        upload = SimpleUploadedFile("report.pdf", changed, content_type="application/pdf")
        assert "This is not one of" in self._check(client, tenant_a, pdf=upload).content.decode()

    @pytest.mark.parametrize(("data", "message"), [
        ({}, "Upload the PDF or paste its SHA-256"),
        ({"sha256": "12345"}, "A SHA-256 is 64 characters"),
        ({"sha256": "g" * 64}, "A SHA-256 is 64 characters"),
        ({"pdf": SimpleUploadedFile("x.pdf", b"not a pdf")}, "The file is not a PDF"),
    ])
    def test_bad_input_is_named(self, client, tenant_a, data, message):
        response = self._check(client, tenant_a, **data)
        assert response.status_code == 400 and message in response.content.decode()

    def test_checks_are_rate_limited_per_address(self, client, tenant_a, settings):
        settings.REPORT_CHECK_RATE = "3/m"
        statuses = [self._check(client, tenant_a, sha256="0" * 64).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert "Too many checks" in self._check(client, tenant_a, sha256="0" * 64).content.decode()
