"""Data section 1: provider KPI tables per commissioned service (seed 000 §3.3–3.9).

One table per service, one column per quarter of the financial year up to the report's period; outcome
measures as a percentage with its base beside it; the providers' notes as numbered footnotes; figures from
returns not yet accepted by the commissioner marked provisional.
"""

from __future__ import annotations

from django.db.models import Q

from commissioning.models import CommissionedService, KpiKind, ReturnStatus
from commissioning.stats import kpi_table
from earlyhelp.periods import FinancialYear, Quarter

from ..disclosure import small_base_limit
from ..figure_cells import FigureSheet
from .base import ReportContext, Section

REPORTED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


def report_quarters(period) -> list[Quarter]:
    """The quarters of the period's financial year, up to and including the period."""
    if isinstance(period, FinancialYear):
        return period.quarters
    return [q for q in period.financial_year.quarters if q <= period]


def _amount(value) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _definition_id(table: dict, row: dict) -> str:
    return f"kpi.{table['service']}.{row['label']}"


class CommissionedServicesSection(Section):
    key = "commissioned_services"
    title = "Commissioned services: quarterly outputs and outcomes"
    order = 100
    template = "reporting/sections/commissioned_services.html"

    def build(self, context: ReportContext) -> dict:
        quarters = report_quarters(context.period)
        first, last = quarters[0], quarters[-1]
        services = (
            CommissionedService.objects.select_related("provider")
            .filter(Q(contract_start__isnull=True) | Q(contract_start__lte=last.end))
            .filter(Q(contract_end__isnull=True) | Q(contract_end__gte=first.start))
            .order_by("provider__name", "name")
        )
        tables = []
        for service in services:
            rows = kpi_table(service, quarters, statuses=REPORTED_STATUSES)
            if not any(cell.reported for row in rows for cell in row.cells):
                continue
            tables.append({
                "service": service.name,
                "provider": service.provider.name,
                "priority": service.commissioning_priority,
                "rows": [
                    {
                        "label": row.label,
                        "section": row.section,
                        "kind": row.kind,
                        "cells": [
                            {
                                "quarter": str(cell.quarter),
                                "numerator": cell.numerator,
                                "base": cell.base,
                                "amount": _amount(cell.amount),
                                "note": cell.note,
                                "status": cell.return_status,
                            }
                            for cell in row.cells
                        ],
                    }
                    for row in rows
                ],
            })
        return {
            "key": self.key,
            "title": self.title,
            "quarters": [f"Q{q.number}" for q in quarters],
            "quarter_labels": [str(q) for q in quarters],
            "year": str(quarters[0].financial_year),
            "tables": tables,
        }

    def present(self, snapshot: dict, *, public: bool, threshold: int, decimals: int):
        """Tables ready to print: disclosure applied to every figure of every table at once, notes numbered per
        table."""
        sheet = FigureSheet(self.key, public, threshold, decimals)
        presented = []
        for t_index, table in enumerate(snapshot["tables"]):
            notes: list[str] = []
            provisional = set()
            rows = []
            for r_index, row in enumerate(table["rows"]):
                cells = []
                common = {"measure": f"kpi.{t_index}.{r_index}", "label": f"{table['service']}: {row['label']}",
                          "scope": f"{table['service']} ({table['provider']})",
                          "definition_id": _definition_id(table, row)}
                for cell in row["cells"]:
                    marks = []
                    if cell["note"]:
                        if cell["note"] not in notes:
                            notes.append(cell["note"])
                        marks.append(str(notes.index(cell["note"]) + 1))
                    if cell["status"] == ReturnStatus.SUBMITTED:
                        provisional.add(cell["quarter"])
                    qid = f"t{t_index}.r{r_index}.{cell['quarter']}"
                    if row["kind"] == KpiKind.OUTCOME:
                        figure = sheet.rate(f"{qid}.n", cell["numerator"], f"{qid}.b", cell["base"],
                                            period=cell["quarter"], **common)
                    elif row["kind"] == KpiKind.OUTPUT_COUNT:
                        value = None if cell["amount"] is None else int(float(cell["amount"]))
                        figure = sheet.count(qid, value, period=cell["quarter"], **common)
                    else:
                        figure = sheet.amount(qid, cell["amount"] or "n/a", period=cell["quarter"], **common)
                    cells.append({"figure": figure, "marks": marks, "outcome": row["kind"] == KpiKind.OUTCOME})
                rows.append({"label": row["label"], "section": row.get("section", ""), "cells": cells})
            sections = [r["section"] for r in rows]
            for index, row in enumerate(rows):
                # A heading row where the table's section changes (e.g. "Mellow parenting programmes only:").
                row["subheading"] = row["section"] if index and row["section"] != sections[index - 1] else ""
            presented.append({
                **table,
                "heading": (sections[0] if sections and sections[0] else table["priority"]) or "Measure",
                "rows": rows,
                "notes": notes,
                "provisional": sorted(provisional),
            })
        sheet.resolve()
        for table in presented:
            small_base_used = False
            for row in table["rows"]:
                for cell in row["cells"]:
                    figure = cell["figure"]
                    if figure.numerator is None and figure.base is None and cell["outcome"]:
                        text, base = "n/a", ""
                    elif figure.kind == "rate" and figure.base == 0:
                        text, base = "–", "no one asked"
                    else:
                        text, base = figure.text, figure.base_text
                    if figure.flag:
                        cell["marks"].append("*")
                        small_base_used = True
                    cell.update(text="n/a" if text == "–" and figure.kind == "count" else text, base=base)
            table["small_base_note"] = (
                f"* Based on fewer than {small_base_limit(threshold)} service users: read with care."
                if small_base_used else "")
        return {"tables": presented}, sheet

    def definitions(self, snapshot: dict) -> list[dict]:
        period = f"{snapshot['quarter_labels'][0]} to {snapshot['quarter_labels'][-1]}" if snapshot["tables"] else ""
        result = []
        for table in snapshot["tables"]:
            for row in table["rows"]:
                if row["kind"] == KpiKind.OUTCOME:
                    counts = f"Service users of {table['service']} reporting: {row['label']}"
                    base = "Service users the provider asked in the quarter (shown beside each percentage)"
                elif row["kind"] == KpiKind.OUTPUT_COUNT:
                    counts = f"{row['label']} ({table['service']}), as returned by {table['provider']}"
                    base = "A count: no base"
                else:
                    counts = f"{row['label']} ({table['service']}): the provider's figure for the quarter"
                    base = "Cases the provider averaged over"
                result.append({"id": _definition_id(table, row), "figure": f"{table['service']}: {row['label']}",
                               "counts": counts, "period": period, "base": base})
        return result
