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

from ..disclosure import SUPPRESSED, publish_count, publish_rate, small_base_limit
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

    def present(self, snapshot: dict, *, public: bool, threshold: int, decimals: int) -> list[dict]:
        """Tables ready to print: disclosure applied, notes numbered per table."""
        presented = []
        for table in snapshot["tables"]:
            notes: list[str] = []
            provisional = set()
            rows = []
            small_base_used = False
            for row in table["rows"]:
                cells = []
                for cell in row["cells"]:
                    marks = []
                    if cell["note"]:
                        if cell["note"] not in notes:
                            notes.append(cell["note"])
                        marks.append(str(notes.index(cell["note"]) + 1))
                    if cell["status"] == ReturnStatus.SUBMITTED:
                        provisional.add(cell["quarter"])
                    if row["kind"] == KpiKind.OUTCOME:
                        if cell["base"] is None:
                            cells.append({"text": "n/a", "base": "", "marks": marks})
                            continue
                        rate = publish_rate(cell["numerator"], cell["base"], threshold=threshold,
                                            decimals=decimals, public=public)
                        if rate.text == "n/a":
                            cells.append({"text": "–", "base": "no one asked", "marks": marks})
                            continue
                        if rate.small_base and not rate.suppressed:
                            marks.append("*")
                            small_base_used = True
                        if rate.base == SUPPRESSED:
                            base = SUPPRESSED
                        elif public:  # the percentage is protected by its base; counts of people are not printed
                            base = f"n = {rate.base}"
                        else:
                            base = f"{rate.numerator} of {rate.base}"
                        cells.append({"text": rate.text, "base": base, "marks": marks})
                    elif row["kind"] == KpiKind.OUTPUT_COUNT:
                        value = None if cell["amount"] is None else int(float(cell["amount"]))
                        shown = publish_count(value, threshold=threshold, public=public)
                        cells.append({"text": "n/a" if shown is None else shown, "base": "", "marks": marks})
                    else:
                        cells.append({"text": cell["amount"] or "n/a", "base": "", "marks": marks})
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
                "small_base_note": (
                    f"* Based on fewer than {small_base_limit(threshold)} service users: read with care."
                    if small_base_used else ""
                ),
            })
        return presented

    def render(self, snapshot: dict, *, number: int, public: bool, threshold: int, decimals: int) -> str:
        from django.template.loader import render_to_string

        return render_to_string(self.template, {
            "section": snapshot,
            "number": number,
            "tables": self.present(snapshot, public=public, threshold=threshold, decimals=decimals),
            "public": public,
            "threshold": threshold,
        })

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
                result.append({"figure": f"{table['service']}: {row['label']}", "counts": counts,
                               "period": period, "base": base})
        return result
