"""Data section 1: the seed-000 KPI tables come back in the report, with bases, notes and disclosure control."""

import datetime as dt
import io
import re

import pdfplumber
import pytest

from commissioning import demo
from commissioning.demo_data import NORTHBRIDGE_SERVICES, PUBLISHED
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import rendering, services
from reporting.sections import get
from reporting.sections.base import ReportContext
from tests.factories import acting


@pytest.fixture
def seeded(tenant_a, member):
    users = {"commissioner": member(tenant_a, Role.COMMISSIONER), "provider": member(tenant_a, Role.PROVIDER)}
    with tenant_context(tenant_a):
        demo.seed(tenant_a, users)
    return users


def build(tenant, period):
    section = get("commissioned_services")
    with tenant_context(tenant):
        return section.build(ReportContext(tenant=tenant, parameters={}, period=period, public=True, threshold=5,
                                           decimals=0))


def tables_by_service(snapshot, public):
    presented, _ = get("commissioned_services").present(snapshot, public=public, threshold=5, decimals=0)
    return {t["service"]: t for t in presented["tables"]}


def test_every_seed_000_percentage_is_printed_with_its_base_in_an_exempt_report(tenant_a, seeded):
    snapshot = build(tenant_a, Quarter(2014, 2))
    assert snapshot["quarters"] == ["Q1", "Q2"]
    tables = tables_by_service(snapshot, public=False)
    for spec in NORTHBRIDGE_SERVICES:
        table = tables[spec.name]
        outcome_rows = [r for r in table["rows"] if r["label"] in {label for _, label, _ in spec.kpis}]
        for q, published in enumerate(PUBLISHED[spec.slug]):
            for row, percent in zip(outcome_rows, published, strict=True):
                cell = row["cells"][q]
                if percent is None:
                    assert cell["text"] in ("n/a", "–"), (spec.slug, row["label"])
                elif spec.slug == "sericc" and q == 0:
                    assert cell["text"] == "–"  # "Q1 no case closures to score"
                else:
                    assert cell["text"] == f"{percent}%", (spec.slug, row["label"], q)
                    assert " of " in cell["base"]


def test_providers_footnotes_are_numbered_under_their_table(tenant_a, seeded):
    tables = tables_by_service(build(tenant_a, Quarter(2014, 2)), public=False)
    dvip = next(t for name, t in tables.items() if "perpetrator" in name.lower())
    assert "Q1 was based on 1 client." in dvip["notes"]
    number = str(dvip["notes"].index("Q1 was based on 1 client.") + 1)
    assert number in dvip["rows"][0]["cells"][0]["marks"] or any(
        number in row["cells"][0]["marks"] for row in dvip["rows"])


def test_a_public_report_hides_a_percentage_of_one_client(tenant_a, seeded):
    tables = tables_by_service(build(tenant_a, Quarter(2014, 2)), public=True)
    dvip = next(t for name, t in tables.items() if "perpetrator" in name.lower())
    safer = next(r for r in dvip["rows"] if r["label"].lower().startswith("feeling safer"))
    assert safer["cells"][0]["text"] == "c"  # 1 of 1 in Q1
    # 5 of 7 (71%) would reveal the 2 who did not feel safer: hidden too (disclosure control v2).
    assert safer["cells"][1]["text"] == "c" and safer["cells"][1]["base"] == "n = 7"
    exempt = tables_by_service(build(tenant_a, Quarter(2014, 2)), public=False)
    dvip_exempt = next(t for name, t in exempt.items() if "perpetrator" in name.lower())
    safer_exempt = next(r for r in dvip_exempt["rows"] if r["label"].lower().startswith("feeling safer"))
    assert [c["text"] for c in safer_exempt["cells"]] == ["100%", "71%"]
    assert safer_exempt["cells"][1]["base"] == "5 of 7"


def test_the_section_only_shows_quarters_up_to_the_report_period(tenant_a, seeded):
    snapshot = build(tenant_a, Quarter(2014, 1))
    assert snapshot["quarters"] == ["Q1"]


def test_the_rendered_pdf_carries_the_tables_and_their_definitions(tenant_a, seeded, member):
    officer = member(tenant_a, Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant_a):
        report = services.report_create(
            by=acting(officer), title="Commissioned services", committee="Scrutiny",
            meeting_date=dt.date(2015, 1, 6), report_of="Officer", accountable_director="Director",
            period_start_year=2014, period_quarter=2, is_public=True,
        )
        run = services.report_run_request(report=report, by=acting(officer))
    services.report_run_execute(tenant=tenant_a, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    with run.pdf.open("rb") as handle, pdfplumber.open(io.BytesIO(handle.read())) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Perpetrators" in text or "perpetrators" in text
    assert re.search(r"Feeling safer c [\d,]+ c [\d,*]+", text)  # 1 of 1 and 5 of 7 are both hidden in Public
    assert "n = 7" in text and "Q1 was based on 1 client." in text
    assert "71%" not in text.split("Feeling safer")[1].split("\n")[0]
    html = rendering.render_html(run.snapshot)
    assert "One-to-one STEPS programme – 2014/15 – Thurrock Women&#x27;s Aid" in html
    assert "Q1 was based on 1 client." in html
    assert "Service users of One-to-one STEPS programme reporting" in html  # definitions appendix
