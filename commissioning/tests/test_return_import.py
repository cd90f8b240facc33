"""The return upload is validated in full before anything is written; every problem names its row and column."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from commissioning import returns_io, services
from commissioning.models import KpiReturn, KpiReturnRevision, KpiValue
from commissioning.tests.conftest import Q1, csv_file, good_rows
from earlyhelp.tenancy import tenant_context


def upload(tenant, by, service, data, filename="return.csv", quarter=Q1):
    with tenant_context(tenant):
        return services.return_import(by=by, service=service, quarter=quarter, data=data, filename=filename)


def snapshot():
    return (
        sorted(KpiValue.all_tenants.values_list("kpi__code", "amount", "numerator", "base", "note")),
        list(KpiReturn.all_tenants.values_list("version", "status")),
        KpiReturnRevision.all_tenants.count(),
    )


@pytest.fixture
def uploaded(tenant_a, commissioner, steps):
    """STEPS already has a valid Q1 return (version 1): a bad upload must leave it exactly as it is."""
    outcome = upload(tenant_a, commissioner, steps, csv_file(good_rows()))
    assert outcome.ok, outcome.problems
    return outcome.kpi_return


def test_a_valid_file_stores_counts_and_bases(tenant_a, commissioner, steps):
    outcome = upload(tenant_a, commissioner, steps, csv_file(good_rows()))
    assert outcome.ok
    values = {v.kpi.code: v for v in KpiValue.all_tenants.select_related("kpi")}
    assert values["referrals"].amount == 12
    assert str(values["waiting-days"].amount) == "17.50"
    assert (values["feeling-safer"].numerator, values["feeling-safer"].base) == (14, 15)
    assert values["feeling-safer"].note == "Demo note"
    assert outcome.kpi_return.version == 1


def _with(row_index, column, value, rows=None):
    rows = rows or good_rows()
    rows[row_index][column] = value
    return rows


BAD_FILES = [
    # (description, rows, row, column, message)
    ("unknown KPI", _with(0, 2, "hugs"), 2, "kpi_code", '"hugs" is not a KPI of STEPS'),
    ("wrong service", _with(1, 0, "Drop-in"), 3, "service", 'this file is for "Drop-in", not "STEPS"'),
    ("wrong period", _with(0, 1, "2014/15 Q2"), 2, "quarter", "this file is for 2014/15 Q2, not 2014/15 Q1"),
    ("unreadable period", _with(0, 1, "summer"), 2, "quarter", '"summer" is not a quarter like 2014/15 Q2'),
    ("a non-number", _with(0, 4, "twelve"), 2, "value", '"twelve" is not a number'),
    ("a negative count", _with(0, 4, "-3"), 2, "value", "must not be negative"),
    ("a fractional count", _with(0, 4, "2.5"), 2, "value", '"2.5" must be a whole number'),
    ("numerator above its base", _with(2, 5, "16"), 4, "numerator", "the numerator (16) is larger than its base (15)"),
    ("a missing base", _with(2, 6, ""), 4, "base", "a numerator needs its base (the number asked)"),
    ("a missing numerator", _with(2, 5, ""), 4, "numerator", "a base needs its numerator (the number reporting)"),
    ("a percentage instead of counts", _with(2, 4, "93%"), 4, "value",
     "give the number reporting and the number asked (numerator and base), not a percentage"),
    ("a duplicated row", [*good_rows(), good_rows()[0]], 5, "kpi_code", 'KPI "referrals" is already given on row 2'),
]


@pytest.mark.parametrize(("rows", "row", "column", "message"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_changes(
    tenant_a, commissioner, steps, uploaded, rows, row, column, message
):
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, csv_file(rows))
    assert not outcome.ok
    assert returns_io.Problem(row, column, message) in outcome.problems, outcome.problems
    assert snapshot() == before


def test_every_problem_in_the_file_is_listed_at_once(tenant_a, commissioner, steps, uploaded):
    rows = good_rows()
    rows[0][4] = "-1"
    rows[2][5] = "20"
    rows.append(["STEPS", "2014/15 Q1", "nope", "", "1", "", "", ""])
    outcome = upload(tenant_a, commissioner, steps, csv_file(rows))
    assert [(p.row, p.column) for p in outcome.problems] == [(2, "value"), (4, "numerator"), (5, "kpi_code")]


@pytest.mark.parametrize(("data", "filename"), [
    (b"%PDF-1.4 not a spreadsheet", "return.pdf"),
    (b"\x00\x01binary\x00", "return.csv"),
    (b"PK\x03\x04 broken zip", "return.xlsx"),
])
def test_a_file_that_is_not_csv_or_xlsx_is_refused(tenant_a, commissioner, steps, uploaded, data, filename):
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, data, filename)
    assert [str(p) for p in outcome.problems] == [f"File: {returns_io.NOT_CSV_OR_XLSX}"]
    assert snapshot() == before


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["service", "quarter", "kpi_code", "kpi_label", "value", "numerator", "base", "note"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_valid_xlsx_file_is_read_with_openpyxl(tenant_a, commissioner, steps):
    rows = [["STEPS", "2014/15 Q1", "referrals", "", 12, None, None, None],
            ["STEPS", "2014/15 Q1", "feeling-safer", "", None, 14, 15, "ok"]]
    outcome = upload(tenant_a, commissioner, steps, xlsx_bytes(rows), "return.xlsx")
    assert outcome.ok, outcome.problems
    values = KpiValue.all_tenants.order_by("kpi__position").values_list("amount", "numerator", "base")
    assert list(values) == [(12, None, None), (None, 14, 15)]


def test_an_oversized_file_is_refused(tenant_a, commissioner, steps, uploaded, monkeypatch):
    data = xlsx_bytes([["STEPS", "2014/15 Q1", "referrals", "", 12, None, None, "x" * 5000]])
    monkeypatch.setattr(returns_io, "MAX_UPLOAD_BYTES", len(data) - 1)
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, data, "return.xlsx")
    assert "is larger than" in str(outcome.problems[0])
    assert snapshot() == before


def test_an_xlsx_that_unpacks_too_large_is_refused_before_openpyxl_opens_it(
    tenant_a, commissioner, steps, uploaded, monkeypatch
):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    monkeypatch.setattr(returns_io, "XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, bomb.getvalue(), "return.xlsx")
    assert str(outcome.problems[0]) == "File: The spreadsheet unpacks to more than 1 MB"
    assert opened == [] and snapshot() == before


def test_an_xlsx_with_too_many_parts_is_refused(tenant_a, commissioner, steps, uploaded):
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        for i in range(returns_io.XLSX_MAX_ENTRIES + 1):
            archive.writestr(f"part{i}.xml", b"<x/>")
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, archive_bytes.getvalue(), "return.xlsx")
    assert "too many parts" in str(outcome.problems[0])
    assert snapshot() == before


def test_a_file_missing_columns_is_refused(tenant_a, commissioner, steps, uploaded):
    before = snapshot()
    outcome = upload(tenant_a, commissioner, steps, b"service,quarter\nSTEPS,2014/15 Q1\n")
    assert str(outcome.problems[0]) == "Row 1: Missing column(s): kpi_code, value, numerator, base"
    assert snapshot() == before


def test_a_reupload_replaces_the_values_and_keeps_the_earlier_version(tenant_a, commissioner, steps, uploaded):
    outcome = upload(tenant_a, commissioner, steps, csv_file(good_rows(safer=("13", "15"))), "second.csv")
    assert outcome.ok
    assert outcome.kpi_return.version == 2
    assert KpiValue.all_tenants.get(kpi__code="feeling-safer").numerator == 13
    history = {r.version: r.values for r in KpiReturnRevision.all_tenants.all()}
    assert [v["numerator"] for v in history[1] if v["kpi_code"] == "feeling-safer"] == [14]
    assert [v["numerator"] for v in history[2] if v["kpi_code"] == "feeling-safer"] == [13]


def test_the_template_round_trips_and_escapes_formulae(tenant_a, commissioner, steps, uploaded):
    with tenant_context(tenant_a):
        value = KpiValue.objects.get(kpi__code="feeling-safer")
        value.note = "=HYPERLINK(\"http://evil\")"
        value.save()
        rows = returns_io.template_rows(steps, Q1, list(KpiValue.objects.select_related("kpi")))
        csv_text = returns_io.export_template(rows, "csv").decode()
        xlsx = returns_io.export_template(rows, "xlsx")
    assert "'=HYPERLINK" in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    notes = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil\")" in notes
    # Uploading the downloaded template again gives back the provider's own text.
    outcome = upload(tenant_a, commissioner, steps, xlsx, "template.xlsx")
    assert outcome.ok, outcome.problems
    assert KpiValue.all_tenants.get(kpi__code="feeling-safer").note == "=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_escape_cell_neutralises_every_formula_prefix(text):
    assert returns_io.escape_cell(text) == "'" + text
    assert returns_io.unescape_cell(returns_io.escape_cell(text)) == text
    assert returns_io.escape_cell(12) == 12


def test_a_return_of_many_rows_refreshes_the_statistics_of_the_values_table(
        tenant_a, commissioner, steps, settings, django_capture_on_commit_callbacks):
    from tests.planner_statistics import analyze_count

    table = KpiValue._meta.db_table
    settings.ANALYZE_AFTER_LOAD_MIN_ROWS = 4  # the file has 3 rows: below the threshold, left to autovacuum
    before = analyze_count(table)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(tenant_a, commissioner, steps, csv_file(good_rows())).ok
    assert analyze_count(table) == before
    settings.ANALYZE_AFTER_LOAD_MIN_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(tenant_a, commissioner, steps, csv_file(good_rows())).ok
    assert analyze_count(table) == before + 1
