"""Spreadsheet uploads and downloads shared by every app: reading a CSV or XLSX file into numbered rows with the
problems listed by row and column, the zip-bomb checks an XLSX file passes before openpyxl opens it, and the
escaping of cells against formula injection on export.

Reading never writes anything; apps validate the rows and store them only when the whole file is valid
(``commissioning.returns_io`` for KPI returns, ``cases.services.importing`` for the migration import).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from import_export.formats import base_formats

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_MAX_ENTRIES = 100
XLSX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NOT_CSV_OR_XLSX = "The file must be a CSV or XLSX spreadsheet (.csv or .xlsx)"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload. ``row`` is the spreadsheet row (the header is row 1); 0 = the file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "File" if self.row == 0 else f"Row {self.row}"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ReadResult:
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def escape_cell(value):
    """Formula injection: a text cell starting with = + - @ (or a tab or carriage return) is prefixed with an
    apostrophe on export, so a spreadsheet shows it as text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def cell_text(cell) -> str:
    """A cell as stripped text (``None`` → ""; a whole float from XLSX → its integer)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def export_dataset(dataset, file_format: str) -> bytes:
    """A tablib dataset (from a django-import-export resource's ``export``) as ``csv`` or ``xlsx`` bytes."""
    if file_format == "xlsx":
        return base_formats.XLSX().export_data(dataset)
    return base_formats.CSV().export_data(dataset).encode("utf-8")


def check_xlsx_archive(data: bytes, *, max_entries: int | None = None, max_unpacked: int | None = None
                       ) -> list[Problem]:
    """Refuse a zip bomb before openpyxl sees it: too many entries or too much once unpacked (limits default to
    this module's ``XLSX_MAX_ENTRIES`` and ``XLSX_MAX_UNCOMPRESSED_BYTES``)."""
    max_entries = XLSX_MAX_ENTRIES if max_entries is None else max_entries
    max_unpacked = XLSX_MAX_UNCOMPRESSED_BYTES if max_unpacked is None else max_unpacked
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        return [Problem(0, "", NOT_CSV_OR_XLSX)]
    if len(entries) > max_entries:
        return [Problem(0, "", f"The spreadsheet has too many parts ({len(entries)}; at most {max_entries})")]
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked:
        limit = max_unpacked // (1024 * 1024)
        return [Problem(0, "", f"The spreadsheet unpacks to more than {limit} MB")]
    return []


def read_upload(
    data: bytes,
    filename: str,
    *,
    columns: Sequence[str],
    required_columns: Sequence[str],
    max_rows: int,
    no_rows_message: str = "The file has no rows",
    max_bytes: int | None = None,
    xlsx_max_entries: int | None = None,
    xlsx_max_unpacked: int | None = None,
) -> ReadResult:
    """Turn an uploaded file into numbered rows keyed by column name (only ``columns`` are kept; blank rows are
    skipped), or file-level problems: too large, not CSV/XLSX, a zip bomb, missing columns, too many rows.
    Size limits default to this module's constants; an app may pass its own."""
    problems = check_upload(data, filename, max_bytes=max_bytes, xlsx_max_entries=xlsx_max_entries,
                            xlsx_max_unpacked=xlsx_max_unpacked)
    if problems:
        return ReadResult(problems=problems)
    table, problems = _read_xlsx(data) if (filename or "").lower().endswith(".xlsx") else _read_csv(data)
    if problems:
        return ReadResult(problems=problems)
    return _rows_from_table(table, columns, required_columns, max_rows, no_rows_message)


def check_upload(data: bytes, filename: str, *, max_bytes: int | None = None, xlsx_max_entries: int | None = None,
                 xlsx_max_unpacked: int | None = None) -> list[Problem]:
    """The file-level problems found without reading any row: too large, not CSV or XLSX, a zip bomb. Cheap, so a
    file sent to a background import is refused at once (with the message ``read_upload`` would give)."""
    name = (filename or "").lower()
    max_bytes = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        return [Problem(0, "", f"The file is larger than {max(1, max_bytes // (1024 * 1024))} MB")]
    if name.endswith(".xlsx"):
        return check_xlsx_archive(data, max_entries=xlsx_max_entries, max_unpacked=xlsx_max_unpacked)
    if name.endswith(".csv"):
        return _decode_csv(data)[1]
    return [Problem(0, "", NOT_CSV_OR_XLSX)]


UTF16_WITHOUT_BOM = ("The CSV file is saved as UTF-16 text without a byte-order mark: save it again as "
                     "'CSV UTF-8 (comma delimited)'")
NOT_UTF8 = ("The CSV file is not UTF-8 text (it may be saved as Windows-1252 / ANSI): save it again as "
            "'CSV UTF-8 (comma delimited)'")


def _decode_csv(data: bytes) -> tuple[str | None, list[Problem]]:
    """The text of a CSV upload: UTF-8 (with or without a byte-order mark) or UTF-16 with one (Excel's "Unicode
    text"); anything else gets a message naming the encoding it seems to be in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [Problem(0, "", "The CSV file says it is UTF-16 text but cannot be read as UTF-16")]
    if data.startswith(b"PK\x03\x04"):
        return None, [Problem(0, "", NOT_CSV_OR_XLSX)]
    if b"\x00" in data:
        looks_utf16 = data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4
        return None, [Problem(0, "", UTF16_WITHOUT_BOM if looks_utf16 else NOT_CSV_OR_XLSX)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return None, [Problem(0, "", NOT_UTF8)]


def _read_csv(data: bytes) -> tuple[list[list], list[Problem]]:
    text, problems = _decode_csv(data)
    if problems:
        return [], problems
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","  # Excel's Unicode text is tab-separated
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), []
    except csv.Error as exc:
        return [], [Problem(0, "", f"The CSV file cannot be read: {exc}")]


def _read_xlsx(data: bytes) -> tuple[list[list], list[Problem]]:
    """Read an XLSX file that has passed :func:`check_xlsx_archive`."""
    try:
        dataset = base_formats.XLSX().create_dataset(data)
    except StopIteration:
        return [], [Problem(0, "", "The file is empty")]
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        return [], [Problem(0, "", NOT_CSV_OR_XLSX)]
    return [list(dataset.headers or []), *(list(row) for row in dataset)], []


def _rows_from_table(table, columns, required_columns, max_rows, no_rows_message) -> ReadResult:
    result = ReadResult()
    if not table:
        result.problems.append(Problem(0, "", "The file is empty"))
        return result
    headers = [str(h).strip().lower() if h is not None else "" for h in table[0]]
    missing = [c for c in required_columns if c not in headers]
    if missing:
        result.problems.append(Problem(1, "", "Missing column(s): " + ", ".join(missing)))
        return result
    if len(table) - 1 > max_rows:
        result.problems.append(Problem(0, "", f"The file has more than {max_rows} rows"))
        return result
    index = {name: headers.index(name) for name in columns if name in headers}
    for number, cells in enumerate(table[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        result.rows.append((number, {name: cells[i] if i < len(cells) else None for name, i in index.items()}))
    if not result.rows:
        result.problems.append(Problem(0, "", no_rows_message))
    return result
