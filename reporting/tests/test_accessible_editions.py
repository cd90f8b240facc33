"""Accessible editions: every report renders a tagged PDF/UA-1, and an HTML edition with the same figures.

The PDF is read back with pikepdf: marked content, a structure tree with headings, tables with header cells and
figures with alternative text, the document's language, and its title shown as the window title.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from io import StringIO

import pikepdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from earlyhelp.models import AuditEvent, Tenant
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import charts, editions, indicators, rendering, services
from reporting.demo import DEMO_INDICATORS
from reporting.models import Indicator, ReportRun
from tests.factories import acting


def structure(pdf: pikepdf.Pdf) -> tuple[Counter, list[str]]:
    """The structure types used in ``pdf``'s tag tree, and the alternative text of each Figure (None if absent)."""
    kinds: Counter = Counter()
    alts: list[str] = []
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        if "/S" in element:
            kinds[str(element.S)] += 1
            if element.S == "/Figure":
                alts.append(str(element.Alt) if "/Alt" in element else None)
        kids = element.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        stack.extend(kid for kid in kids if isinstance(kid, pikepdf.Dictionary))
    return kinds, alts


def assert_tagged(pdf_bytes: bytes, title: str) -> tuple[Counter, list[str]]:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "en-GB"
    assert str(pdf.docinfo.Title) == title
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    with pdf.open_outline() as outline:  # bookmarks from the headings: the title, then each section
        assert [item.title for item in outline.root] == [title]
        assert len(outline.root[0].children) >= 3
    kinds, alts = structure(pdf)
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 3
    assert kinds["/Table"] >= 1 and kinds["/TH"] >= 4 and kinds["/TD"] >= 1
    assert all(alts), "every figure has alternative text"
    return kinds, alts


def test_every_demo_report_is_a_tagged_pdf_and_has_an_html_edition_with_the_same_figures(db):
    call_command("seed_demo", password="demo-check-passphrase", stdout=StringIO())
    checked = 0
    performance_alts = []
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            runs = list(ReportRun.objects.select_related("report"))
        for run in runs:
            assert run.status == ReportRun.Status.DONE, run.error
            with run.pdf.open("rb") as handle:
                kinds, alts = assert_tagged(handle.read(), run.report.title)
            html = rendering.render_html(run.snapshot)
            assert len(alts) == html.count("<img ")  # every chart is a tagged Figure
            if run.report.title == "Early Help performance report":
                # The caseload chart's text states its figures: the quarter-end counts of children in need.
                caseload = next(a for a in alts if a.startswith("Line chart: caseloads"))
                assert "Children in need: " in caseload
                assert all(str(v) in caseload for v in DEMO_INDICATORS[Indicator.CHILDREN_IN_NEED])
                performance_alts.extend(alts)
            edition = editions.render_edition(run.snapshot, inline_css=True)
            # The same snapshot under the same disclosure control: every table is the PDF's table, cell for cell.
            pdf_tables = [t for t in re.findall(r"<table.*?</table>", html, re.S)
                          if not t.startswith('<table class="header">')]  # the PDF's committee header block
            assert re.findall(r"<table.*?</table>", edition, re.S) == pdf_tables
            assert edition.count("<svg") == html.count("<img ") == edition.count('role="img"')
            assert "<img" not in edition and "data:" not in edition
            checked += 1
    assert checked == 4  # two demo reports in each of the two demo councils
    # A spider graph is drawn only when no area's figures are hidden (the smaller council's are, in Public).
    assert any(a.startswith("Spider graph") for a in performance_alts)
    assert any(a.startswith("Bar chart") for a in performance_alts)


def test_chart_texts_state_the_figures_and_say_what_is_hidden():
    line = charts.describe_line(["2014/15 Q1", "2014/15 Q2"], {"Children in need": [612, None]},
                                title="caseloads at the end of each quarter")
    assert line == ("Line chart: caseloads at the end of each quarter, 2014/15 Q1 to 2014/15 Q2. "
                    "Children in need: 2014/15 Q1 612, 2014/15 Q2 hidden.")
    bars = charts.describe_bars(["Safety", "Health"], [66.66, None], title="percentage improving")
    assert bars == "Bar chart: percentage improving. Safety 67%; Health hidden."
    radar = charts.describe_radar(["A", "B", "C"], {"Mean at start": [2, 3, 4], "Mean at end": [5, 6, 7.25]},
                                  scale=(1, 10), title="mean scores")
    assert radar.startswith("Spider graph: mean scores, on a scale of 1 to 10. A: mean at start 2.0, mean at end 5.0")
    assert charts.split_text(bars) == ("Bar chart: percentage improving", "Safety 67%; Health hidden.")


def test_an_inline_chart_has_no_styles_and_unique_ids_and_is_labelled_by_its_text():
    svg = charts.line_chart.__wrapped__(["Q1", "Q2"], {"Cases": [1, 2]}, title="Cases", ylabel="cases")
    assert "style" in svg
    markup = charts.inline_svg(svg, text="Line chart: cases. Cases: Q1 1, Q2 2.", prefix="chart-9-1")
    assert "style" not in markup  # no <style> element, no style attributes: allowed by the CSP
    assert markup.startswith("<svg ") and 'role="img"' in markup
    assert 'aria-labelledby="chart-9-1-title chart-9-1-desc"' in markup
    assert '<title id="chart-9-1-title">Line chart: cases</title>' in markup
    assert '<desc id="chart-9-1-desc">Cases: Q1 1, Q2 2.</desc>' in markup
    ids = re.findall(r' id="([^"]+)"', markup)
    assert ids and all(i.startswith("chart-9-1-") for i in ids) and len(ids) == len(set(ids))
    for reference in re.findall(r'(?:url\(#|href="#)([^)"]+)', markup):
        assert reference in ids


@pytest.fixture
def officer(tenant_a, member):
    return member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="olu")


@pytest.fixture
def rendered_run(tenant_a, officer):
    """A Public report with the caseload trend (a chart) and written sections, rendered."""
    import datetime as dt

    from earlyhelp.periods import Quarter

    quarters = [Quarter(2014, 2).shifted(-i) for i in range(7, -1, -1)]
    with tenant_context(tenant_a):
        for quarter, value in zip(quarters, [3, 40, 41, 44, 45, 46, 47, 48], strict=True):
            indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_CARE, quarter=quarter,
                                        value=value, source="Test figures", by=acting(officer))
        report = services.report_create(
            by=acting(officer), title="Caseloads & outcomes", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=2,
            executive_summary="Fewer children are in care.", is_public=True)
        keep = {"executive_summary", "caseload_trend", "implications"}
        services.report_arrange_sections(report=report, by=acting(officer), layout=[
            dict(item, include=item["key"] in keep) for item in report.sections])
        run = services.report_run_request(report=report, by=acting(officer))
        run = services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def test_a_small_count_is_hidden_in_the_pdf_and_the_html_edition_alike(rendered_run):
    with rendered_run.pdf.open("rb") as handle:
        kinds, alts = assert_tagged(handle.read(), "Caseloads & outcomes")
    assert kinds["/Figure"] == 1 and "Children in care: " in alts[0]
    assert " 3," not in alts[0] and "hidden" in alts[0]  # the count of 3 is suppressed in the chart's text too
    edition = editions.render_edition(rendered_run.snapshot, inline_css=False)
    row = re.search(r'<th scope="row">Children in care.*?</tr>', edition, re.S).group(0)
    assert re.findall(r'<td class="n">([^<]*)</td>', row) == ["c", "40", "41", "44", "45", "46", "47", "48"]


def test_the_html_edition_is_read_in_the_app_and_downloaded_as_one_file(rendered_run, officer, sign_in):
    client = sign_in(officer)
    run_page = client.get(reverse("reporting:run-detail", args=[rendered_run.public_id])).content.decode()
    assert reverse("reporting:run-html", args=[rendered_run.public_id]) in run_page
    assert reverse("reporting:run-html-download", args=[rendered_run.public_id]) in run_page

    page = client.get(reverse("reporting:run-html", args=[rendered_run.public_id]))
    body = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "style-src 'self'" in page["Content-Security-Policy"]
    assert '<link rel="stylesheet" href="/static/css/report-edition.css">' in body
    assert "<style" not in body and " style=" not in body and "<script" not in body
    assert '<html lang="en-GB">' in body and "<title>Caseloads &amp; outcomes – " in body
    assert '<a href="#section-caseload_trend">' in body and 'id="section-caseload_trend"' in body
    assert "<caption>" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "Back to the report run" in body

    download = client.get(reverse("reporting:run-html-download", args=[rendered_run.public_id]))
    assert download["Content-Disposition"].startswith('attachment; filename="Caseloads & outcomes ')
    assert download["Content-Disposition"].endswith('.html"')
    text = download.content.decode()
    assert "<style>" in text and ".eh-edition__contents" in text  # the stylesheet travels with the file
    assert "<link" not in text and "/static/" not in text and "Back to the report run" not in text
    assert AuditEvent.all_tenants.filter(action="report_run.downloaded", detail__edition="html").count() == 1


def test_a_run_that_has_not_finished_has_no_html_edition(tenant_a, officer, sign_in):
    import datetime as dt

    with tenant_context(tenant_a):
        report = services.report_create(by=acting(officer), title="Queued", committee="Scrutiny",
                                        meeting_date=dt.date(2015, 1, 6), report_of="Officer",
                                        accountable_director="Director", period_start_year=2014)
        run = ReportRun.objects.create(report=report, requested_by=officer, parameters={})
    client = sign_in(officer)
    assert client.get(reverse("reporting:run-html", args=[run.public_id])).status_code == 404
    assert client.get(reverse("reporting:run-html-download", args=[run.public_id])).status_code == 404
