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


# What each column of the figures table means: published with the open data (JSON) and in the README.
DATA_DICTIONARY = {
    "section": "The report section the figure is printed in (its key).",
    "cell": "The figure's id, unique within its section; a percentage is named numerator/base.",
    "measure": "What is measured, as a stable id (the same measure has the same id in every report).",
    "label": "The figure's label as printed in the report.",
    "period": "The period the figure counts, e.g. 2024/25 or 2024/25 Q2 (UK financial years, April to March).",
    "scope": "Whose figure it is: the whole authority, a team, a locality or a service.",
    "kind": "count (a number of people, families, cases or forms), rate (a percentage of a base), or amount (an "
            "average or a sum of money, which is not a count of people).",
    "numerator": "For a count or a rate: the number counted; blank where the figure is hidden.",
    "base": "For a rate: the number it is a percentage of; blank where that is hidden too.",
    "value": "The figure exactly as printed in the report (c where it is hidden).",
    "suppressed": "yes where disclosure control hid the figure in this Public report, otherwise no.",
    "reason": "Why a hidden figure was hidden (a small count, a small complement, or a figure that would let a "
              "hidden one be worked out).",
    "definition_id": "The id of the figure's definition in the report's appendix (definitions, below).",
}


def figures_open_data(snapshot: dict, *, about: dict, definitions: list[dict]) -> str:
    """The figures of a published Public report as JSON: ``about`` the publication, the data dictionary, the
    definitions of the appendix and the figures table — the same cells the PDF prints, nothing it hides."""
    figures = [{column: cell.get(column, "") for column in COLUMNS}
               for sheet in figures_table(snapshot) for cell in sheet["cells"]]
    return json.dumps({"about": about, "data_dictionary": DATA_DICTIONARY, "definitions": definitions,
                       "figures": figures}, sort_keys=True, ensure_ascii=False, indent=1, default=str)
