"""Hostile figures in a KPI return (issue #19): huge numbers are a row error, not a 500 (numeric overflow); a
return for a quarter that has not begun is refused; a UTF-16 CSV is read or named; the same rules through the
browser upload and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning import services
from commissioning.models import KpiReturn
from commissioning.tests.conftest import Q1, csv_file, good_rows
from earlyhelp.periods import Quarter
from earlyhelp.tenancy import tenant_context

TWENTY_NINES = "9" * 20


def upload(tenant, by, service, data, quarter=Q1, filename="return.csv"):
    with tenant_context(tenant):
        return services.return_import(by=by, service=service, quarter=quarter, data=data, filename=filename)


@pytest.mark.parametrize("row, column, value, message", [
    (0, 4, "1E+400", '"1E+400" must be at most 999,999,999,999.99'),
    (1, 4, "9" * 28, "must be at most 999,999,999,999.99"),
    (1, 4, "17.125", '"17.125" has more than 2 decimal places'),
    (2, 5, TWENTY_NINES, f'"{TWENTY_NINES}" must be at most 2,147,483,647'),
    (2, 6, TWENTY_NINES, f'"{TWENTY_NINES}" must be at most 2,147,483,647'),
])
def test_a_figure_too_large_to_store_is_a_row_error(tenant_a, commissioner, steps, row, column, value, message):
    rows = good_rows()
    rows[row][column] = value
    if column == 5:
        rows[row][6] = TWENTY_NINES  # numerator within its base: only the size is wrong
    outcome = upload(tenant_a, commissioner, steps, csv_file(rows))
    assert not outcome.ok
    assert any(p.row == row + 2 and message in p.message for p in outcome.problems), outcome.problems
    assert not KpiReturn.all_tenants.exists()


def test_the_browser_upload_of_a_huge_figure_answers_with_the_problem(steps, commissioner, sign_in):
    rows = good_rows()
    rows[0][4] = "1E+400"
    url = reverse("commissioning:return-upload", args=[steps.public_id, "2014-q1"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = sign_in(commissioner.user).post(url, {"file": SimpleUploadedFile("r.csv", csv_file(rows))})
    assert response.status_code == 400
    assert "must be at most 999,999,999,999.99" in response.content.decode()


def test_a_return_for_a_quarter_not_yet_begun_is_refused(tenant_a, commissioner, steps):
    future = Quarter(2031, 1)
    with pytest.raises(services.ReturnWorkflowError, match="2031/32 Q1 has not begun yet"):
        upload(tenant_a, commissioner, steps, csv_file(good_rows(quarter="2031/32 Q1")), quarter=future)
    assert not KpiReturn.all_tenants.exists()


def test_a_utf16_csv_from_excel_is_read(tenant_a, commissioner, steps):
    text = "\r\n".join("\t".join(r) for r in [["service", "quarter", "kpi_code", "kpi_label", "value", "numerator",
                                               "base", "note"], *good_rows()])
    outcome = upload(tenant_a, commissioner, steps, text.encode("utf-16"))
    assert outcome.ok, outcome.problems


def test_a_csv_in_another_encoding_is_named(tenant_a, commissioner, steps):
    utf16_no_bom = csv_file(good_rows()).decode().encode("utf-16-le")
    outcome = upload(tenant_a, commissioner, steps, utf16_no_bom)
    assert "UTF-16" in outcome.problems[0].message and "CSV UTF-8" in outcome.problems[0].message
    ansi = csv_file(good_rows(service_name="STEPS")).replace(b"Demo note", "Cost £5".encode("cp1252"))
    outcome = upload(tenant_a, commissioner, steps, ansi)
    assert "not UTF-8" in outcome.problems[0].message and "Windows-1252" in outcome.problems[0].message
