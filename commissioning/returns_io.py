"""Return files: the template a provider downloads (CSV or XLSX) and the reading and full validation of an upload.

Reading is done before anything is written, and validation looks at every row, so that every problem can be
listed by row and column at once. An XLSX file is a zip archive: its entry count and total uncompressed size are
checked with ``zipfile`` before openpyxl (through django-import-export's XLSX format) opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from import_export import fields, resources

from earlyhelp import limits, spreadsheets
from earlyhelp.periods import Quarter
from earlyhelp.spreadsheets import (  # noqa: F401  (re-exported: the return upload's names)
    FORMULA_PREFIXES,
    MAX_UPLOAD_BYTES,
    NOT_CSV_OR_XLSX,
    XLSX_MAX_ENTRIES,
    XLSX_MAX_UNCOMPRESSED_BYTES,
    Problem,
    ReadResult,
    cell_text,
    check_xlsx_archive,
    escape_cell,
    export_dataset,
    unescape_cell,
)

from .models import CommissionedService, Kpi, KpiKind, KpiValue, KpiVersion

COLUMNS = ["service", "quarter", "kpi_code", "kpi_label", "value", "numerator", "base", "note"]
REQUIRED_COLUMNS = ["service", "quarter", "kpi_code", "value", "numerator", "base"]

MAX_ROWS = 50_000
PROGRESS_EVERY = 1_000


@dataclass
class ParsedValue:
    kpi: Kpi
    version: KpiVersion
    amount: Decimal | None = None
    numerator: int | None = None
    base: int | None = None
    note: str = ""


# ---------------------------------------------------------------------------------------------------- the template


@dataclass
class TemplateRow:
    service: str
    quarter: str
    kpi_code: str
    kpi_label: str
    value: object = None
    numerator: object = None
    base: object = None
    note: str = ""


class ReturnTemplateResource(resources.Resource):
    """The columns of a return file. Text cells are escaped against formula injection on export."""

    service = fields.Field(attribute="service", column_name="service")
    quarter = fields.Field(attribute="quarter", column_name="quarter")
    kpi_code = fields.Field(attribute="kpi_code", column_name="kpi_code")
    kpi_label = fields.Field(attribute="kpi_label", column_name="kpi_label")
    value = fields.Field(attribute="value", column_name="value")
    numerator = fields.Field(attribute="numerator", column_name="numerator")
    base = fields.Field(attribute="base", column_name="base")
    note = fields.Field(attribute="note", column_name="note")

    class Meta:
        fields = COLUMNS
        export_order = COLUMNS

    def export_field(self, field, instance, **kwargs):
        return escape_cell(getattr(instance, field.attribute))


def template_rows(service: CommissionedService, quarter: Quarter, values: list[KpiValue]) -> list[TemplateRow]:
    """One row per KPI in force in ``quarter``, pre-filled with the return's current values if any."""
    current = {v.kpi_id: v for v in values}
    rows = []
    for kpi in service.kpis.all():
        version = kpi.version_for(quarter)
        if version is None:
            continue
        row = TemplateRow(service.name, str(quarter), kpi.code, version.label)
        value = current.get(kpi.pk)
        if value is not None:
            row.value = _plain(value.amount)
            row.numerator, row.base, row.note = value.numerator, value.base, value.note
        rows.append(row)
    return rows


def _plain(amount: Decimal | None):
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def export_template(rows: list[TemplateRow], file_format: str) -> bytes:
    """The template as ``csv`` or ``xlsx`` bytes."""
    return export_dataset(ReturnTemplateResource().export(rows), file_format)


# ---------------------------------------------------------------------------------------------------- reading


def read_upload(data: bytes, filename: str) -> ReadResult:
    """Turn an uploaded file into numbered rows keyed by column name, or file-level problems
    (see :func:`earlyhelp.spreadsheets.read_upload`: size, type and zip-bomb checks)."""
    return spreadsheets.read_upload(data, filename, columns=COLUMNS, required_columns=REQUIRED_COLUMNS,
                                    max_rows=MAX_ROWS, no_rows_message="The file has no rows of figures",
                                    max_bytes=MAX_UPLOAD_BYTES, xlsx_max_entries=XLSX_MAX_ENTRIES,
                                    xlsx_max_unpacked=XLSX_MAX_UNCOMPRESSED_BYTES)


def check_upload(data: bytes, filename: str) -> list[Problem]:
    """The problems of a return file found without reading its rows (``earlyhelp.spreadsheets.check_upload``)."""
    return spreadsheets.check_upload(data, filename, max_bytes=MAX_UPLOAD_BYTES, xlsx_max_entries=XLSX_MAX_ENTRIES,
                                     xlsx_max_unpacked=XLSX_MAX_UNCOMPRESSED_BYTES)


# ---------------------------------------------------------------------------------------------------- validating


_text = cell_text


def _number(cell, row: int, column: str, problems: list[Problem], *, whole: bool) -> Decimal | None:
    text = _text(cell)
    if text == "":
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(Problem(row, column, f'"{text}" is not a number'))
        return None
    if not number.is_finite():
        problems.append(Problem(row, column, f'"{text}" is not a number'))
        return None
    if number < 0:
        problems.append(Problem(row, column, "must not be negative"))
        return None
    too_big_or_odd = limits.count_problem(number) if whole else limits.amount_problem(number)
    if too_big_or_odd:
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        problems.append(Problem(row, column, f'"{shown}" {too_big_or_odd}'))
        return None
    return number


def _version_in_force(versions: list[KpiVersion], quarter: Quarter) -> KpiVersion | None:
    """As ``Kpi.version_for``, over versions already fetched (newest first)."""
    for version in versions:
        if (version.valid_from_year, version.valid_from_quarter) <= (quarter.start_year, quarter.number):
            return version
    return None


def validate_rows(
    *, service: CommissionedService, quarter: Quarter, rows: list[tuple[int, dict]],
    progress: Callable[[int], None] | None = None,
) -> tuple[list[ParsedValue], list[Problem]]:
    """Check every row against the service's KPIs for ``quarter``; return the parsed values and all problems.
    ``progress``, if given, is told how many rows have been checked, every ``PROGRESS_EVERY`` rows."""
    kpis = {kpi.code.lower(): kpi for kpi in service.kpis.all()}
    # Every KPI's versions in one query, grouped here: not a query per row, and not prefetch_related's
    # per-instance querysets (seconds for a 20,000-KPI return).
    versions: dict[int, list[KpiVersion]] = {}
    for v in KpiVersion.objects.filter(kpi__service=service).order_by("-number"):
        versions.setdefault(v.kpi_id, []).append(v)
    problems: list[Problem] = []
    parsed: list[ParsedValue] = []
    seen: dict[str, int] = {}
    service_name = service.name.strip().casefold()
    for index, (row, cells) in enumerate(rows):
        if progress and index and index % PROGRESS_EVERY == 0:
            progress(index)
        before = len(problems)
        given_service = _text(cells.get("service"))
        if given_service.casefold() != service_name:
            problems.append(Problem(row, "service", f'this file is for "{given_service}", not "{service.name}"'))
        given_quarter = _text(cells.get("quarter"))
        try:
            row_quarter = Quarter.parse(given_quarter, quarter.fy_start_month)
        except ValueError:
            problems.append(Problem(row, "quarter", f'"{given_quarter}" is not a quarter like 2014/15 Q2'))
        else:
            if row_quarter != quarter:
                problems.append(Problem(row, "quarter", f"this file is for {row_quarter}, not {quarter}"))
        code = _text(cells.get("kpi_code"))
        kpi = kpis.get(code.lower())
        version = None
        if not code:
            problems.append(Problem(row, "kpi_code", "the KPI code is missing"))
        elif kpi is None:
            problems.append(Problem(row, "kpi_code", f'"{code}" is not a KPI of {service.name}'))
        else:
            version = _version_in_force(versions.get(kpi.pk, []), quarter)
            if version is None:
                problems.append(Problem(row, "kpi_code", f'KPI "{code}" is not in force in {quarter}'))
            elif code.lower() in seen:
                problems.append(Problem(row, "kpi_code", f'KPI "{code}" is already given on row {seen[code.lower()]}'))
            else:
                seen[code.lower()] = row
        note = unescape_cell(_text(cells.get("note")))
        value = _number(cells.get("value"), row, "value", problems, whole=False)
        numerator = _number(cells.get("numerator"), row, "numerator", problems, whole=True)
        base = _number(cells.get("base"), row, "base", problems, whole=True)
        if version is None:
            continue
        if version.kind == KpiKind.OUTCOME:
            if _text(cells.get("value")):
                problems.append(Problem(row, "value", "give the number reporting and the number asked "
                                                      "(numerator and base), not a percentage"))
            if numerator is not None and base is None and not _text(cells.get("base")):
                problems.append(Problem(row, "base", "a numerator needs its base (the number asked)"))
            if base is not None and numerator is None and not _text(cells.get("numerator")):
                problems.append(Problem(row, "numerator", "a base needs its numerator (the number reporting)"))
            if numerator is not None and base is not None and numerator > base:
                message = f"the numerator ({numerator}) is larger than its base ({base})"
                problems.append(Problem(row, "numerator", message))
        else:
            for column in ("numerator", "base"):
                if _text(cells.get(column)):
                    problems.append(Problem(row, column, "numerator and base are only for outcome measures"))
            if version.kind == KpiKind.OUTPUT_COUNT and value is not None and value != value.to_integral_value():
                problems.append(Problem(row, "value", f'"{_text(cells.get("value"))}" must be a whole number'))
        if len(problems) == before:
            parsed.append(ParsedValue(
                kpi=kpi, version=version, amount=value if version.kind != KpiKind.OUTCOME else None,
                numerator=int(numerator) if numerator is not None else None,
                base=int(base) if base is not None else None, note=note,
            ))
    return parsed, problems
