"""The demo's Public reports: nothing small can be recovered from them, every figure has its base and its
definition in the appendix, the figures table is the same bytes each time, and the PDF reads well."""

import datetime as dt
import io
import json
import os
import re
from io import StringIO
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from earlyhelp.models import Membership, Tenant
from earlyhelp.tenancy import tenant_context
from reporting import rendering
from reporting import sections as registry
from reporting.disclosure_audit import audit_figures
from reporting.figure_cells import COLUMNS
from reporting.figures_table import figures_csv, figures_json, figures_table
from reporting.models import ReportRun

pytestmark = pytest.mark.django_db


def _runs():
    """Every finished run of the demo's reports."""
    call_command("seed_demo", password="demo-check-passphrase", stdout=StringIO())
    runs = []
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant):
            runs += [(tenant, run) for run in ReportRun.objects.select_related("report").filter(status="done")]
    return runs


def test_the_demo_reports_figures(sign_in, tmp_path):
    """The demo is seeded once (it takes a while) and every check below runs on its reports."""
    runs = _runs()
    check_the_auditor_finds_no_recoverable_small_count_in_any_demo_public_report(runs)
    check_every_figure_has_its_base_and_its_definition_in_the_appendix(runs)
    check_re_rendering_a_snapshot_gives_a_byte_identical_figures_table(runs)
    check_the_figures_csv_can_be_downloaded_from_the_run_page(runs, sign_in)
    check_the_pdf_has_a_contents_page_with_page_numbers_lists_and_human_dates(runs, tmp_path)


def check_the_auditor_finds_no_recoverable_small_count_in_any_demo_public_report(runs):
    public = [run for _, run in runs if run.parameters.get("is_public")]
    assert len(public) >= 2
    for run in public:
        sheets = figures_table(run.snapshot)
        assert any(sheet["cells"] for sheet in sheets)
        assert audit_figures(sheets) == [], run.report.title
        # The figures hidden in a Public report say why, and no printed count is from 1 to the threshold.
        threshold = run.snapshot["tenant"]["threshold"]
        for sheet in sheets:
            for cell in sheet["cells"]:
                assert not cell["suppressed"] or cell["reason"] in {"small", "complement", "secondary"}
                if cell["kind"] == "count" and not cell["suppressed"] and cell["numerator"] != "":
                    assert not 1 <= cell["numerator"] <= threshold


def check_every_figure_has_its_base_and_its_definition_in_the_appendix(runs):
    for _, run in runs:
        definitions = {}
        for item in run.snapshot["sections"]:
            for d in registry.get(item["key"]).definitions(item["data"]):
                definitions[d.get("id")] = d
        for sheet in figures_table(run.snapshot):
            for cell in sheet["cells"]:
                definition = definitions.get(cell["definition_id"])
                assert definition, (sheet["section"], cell["cell"], cell["definition_id"])
                assert definition["base"] and definition["counts"] and definition["period"]
                if cell["kind"] == "rate" and cell["value"] not in ("n/a", "–"):
                    assert cell["base"] != "" or cell["suppressed"]  # a printed percentage carries its base
        html = rendering.render_html(run.snapshot)
        for definition in definitions.values():
            assert escape(definition["figure"]) in html


def check_re_rendering_a_snapshot_gives_a_byte_identical_figures_table(runs):
    for _, run in runs:
        stored = json.loads(json.dumps(run.snapshot))  # as read back from the database
        first, second = figures_csv(run.snapshot), figures_csv(stored)
        assert first.encode() == second.encode()
        assert figures_json(run.snapshot) == figures_json(stored)
        assert first.splitlines()[0].split(",") == COLUMNS


def check_the_figures_csv_can_be_downloaded_from_the_run_page(runs, sign_in):
    tenant, run = next((t, r) for t, r in runs if r.parameters.get("is_public"))
    officer = Membership.all_tenants.filter(tenant=tenant, role="performance_officer").first().user
    response = sign_in(officer).get(reverse("reporting:run-figures", args=[run.public_id]))
    assert response.status_code == 200, response
    body = response.content.decode()
    assert body == figures_csv(run.snapshot)
    assert ",yes," in body or ",no," in body


def check_the_pdf_has_a_contents_page_with_page_numbers_lists_and_human_dates(runs, tmp_path):
    _, run = next((t, r) for t, r in runs if "performance" in r.report.title.lower())
    html = rendering.render_html(run.snapshot)
    pdf_bytes = rendering.render_pdf(html)
    out = Path(os.environ.get("REPORT_PDF_DIR", tmp_path))
    (out / f"{run.report.title}.pdf").write_bytes(pdf_bytes)  # REPORT_PDF_DIR keeps it for a person to look at
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    text = "\n".join(pages)
    contents = next(page for page in pages if "Contents" in page)
    assert "Appendix" in contents
    # Each entry ends with the page its section starts on (WeasyPrint's target-counter).
    entry = next(line for line in contents.splitlines() if "Caseload" in line or "caseloads" in line)
    number = int(re.search(r"(\d+)\s*$", entry).group(1))  # "6. Early help … quarter by quarter.....7"
    assert 1 < number <= len(pages) and "quarter by quarter" in pages[number - 1].lower()
    assert "T0" not in text.split("Generated")[1][:40] and "+00:00" not in text
    generated = dt.datetime.fromisoformat(run.snapshot["generated_at"])
    assert str(generated.year) in text.split("Generated")[1][:40]
    assert "between" in text.lower() or "follow" not in text.lower()
