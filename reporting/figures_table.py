"""A report's figures table: every data section's published sheet (``reporting.figure_cells``), from the
snapshot alone, as CSV and JSON — the open-data view of the report, exactly the cells the PDF prints, which
``reporting.disclosure_audit`` checks."""

from __future__ import annotations

import csv
import io
import json

from . import sections as registry
from .figure_cells import COLUMNS


def figures_table(snapshot: dict) -> list[dict]:
    """Every data section's published sheet, in report order, from the snapshot alone (deterministic)."""
    public = bool(snapshot["header"].get("is_public", True))
    threshold = snapshot["tenant"]["threshold"]
    decimals = snapshot["tenant"]["decimals"]
    sheets = []
    for item in snapshot["sections"]:
        section = registry.get(item["key"])
        for sheet in section.sheets(item["data"], public=public, threshold=threshold, decimals=decimals):
            sheets.append(sheet.published())
    return sheets


def figures_json(snapshot: dict) -> str:
    return json.dumps(figures_table(snapshot), sort_keys=True, ensure_ascii=False, indent=1)


def figures_csv(snapshot: dict) -> str:
    """The published cells as CSV, one row a figure: the open-data view of the report."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for sheet in figures_table(snapshot):
        for cell in sheet["cells"]:
            writer.writerow({**cell, "suppressed": "yes" if cell["suppressed"] else "no"})
    return buffer.getvalue()
