"""Data sections 3, 4 and 7 from the outcomes statistics, and a full report with every section."""

import datetime as dt
import io

import pdfplumber

from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import sections, services
from reporting.models import ReportRun
from tests.factories import acting


def test_the_framework_prints_counts_and_rates_with_bases_and_hides_small_ones():
    section = sections.get("performance_framework")
    snapshot = {"key": "performance_framework", "title": "t", "columns": ["Q1 24/25", "Q2 24/25"], "sections": [
        {"key": "how_much", "title": "How much did we do?", "measures": [
            {"key": "referrals", "label": "New referrals", "definition": "", "is_rate": False,
             "values": [[3, None], [40, None]]}]},
        {"key": "how_well", "title": "How well did we do it?", "measures": [
            {"key": "re_referrals", "label": "Re-referrals", "definition": "", "is_rate": True,
             "values": [[1, 4], [6, 48]]}]}]}
    public = section.render(snapshot, number=3, public=True, threshold=5, decimals=0)
    assert ">c<" in public  # 3 referrals, and a rate on a base of 4
    assert "13%" in public and "n = 48" in public  # 6/48 = 12.5 → 13 (half-up)
    exempt = section.render(snapshot, number=3, public=False, threshold=5, decimals=0)
    assert ">3<" in exempt and "1 of 4" in exempt


def test_distance_travelled_draws_the_spider_graph_and_bars_but_not_hidden_areas():
    section = sections.get("distance_travelled")
    areas = [{"label": f"Area {i}", "pairs": 20, "improved": 10 + i, "start_sum": 60, "end_sum": 80 + i}
             for i in range(4)]
    snapshot = {"key": "distance_travelled", "title": "t", "period": "2024/25 Q2", "readings": {},
                "closed": [30, 40], "improving": [15, 20],
                "tools": [{"name": "Spider graph", "scale": [1, 10], "higher_is_better": True, "pairs": 20,
                           "improved": 15, "same": 3, "worse": 2, "areas": areas}]}
    html = section.render(snapshot, number=4, public=True, threshold=5, decimals=0)
    assert html.count("data:image/svg+xml;base64,") == 2
    assert "3.0" in html and "4.0" in html  # mean start 60/20, mean end 80/20
    assert "50%" in html and "n = 20" in html
    areas[0].update(pairs=3, improved=2)
    hidden = section.render(snapshot, number=4, public=True, threshold=5, decimals=0)
    assert hidden.count("data:image/svg+xml;base64,") == 1  # no spider graph with a hidden area
    assert "<td class=\"n\">c</td>" in hidden


def test_supporting_families_table_hides_small_counts_in_public():
    section = sections.get("supporting_families")
    snapshot = {"key": "supporting_families", "title": "t", "period": "2024/25 Q2", "enrolled": 42, "claims": {},
                "rows": [{"label": "Crime", "presenting": 20, "improved": 12, "sustained": 8},
                         {"label": "Housing", "presenting": 4, "improved": 1, "sustained": 0}]}
    public = section.render(snapshot, number=7, public=True, threshold=5, decimals=0)
    assert "60%" in public and "Families improved" not in public
    assert public.count(">c<") >= 2
    exempt = section.render(snapshot, number=7, public=False, threshold=5, decimals=0)
    assert "Families improved" in exempt and ">12<" in exempt


def test_a_report_with_every_section_renders_on_an_empty_authority(tenant_a, member):
    officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant_a):
        report = services.report_create(by=acting(officer), title="Everything", committee="Scrutiny",
                                         meeting_date=dt.date(2025, 1, 6), report_of="Officer",
                                         accountable_director="Director", period_start_year=2024, period_quarter=2)
        services.report_arrange_sections(report=report, by=acting(officer), layout=[  # the optional ones too
            {"key": item["key"], "include": True} for item in report.sections])
        run = services.report_run_request(report=report, by=acting(officer))
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    run = ReportRun.all_tenants.get(pk=run.pk)
    assert run.status == "done", run.error
    with run.pdf.open("rb") as handle, pdfplumber.open(io.BytesIO(handle.read())) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    for section in sections.all_sections():
        assert " ".join(section.title.split(":")[0].split()[:3]) in text, section.key
