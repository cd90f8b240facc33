"""Data sections from the casework records: 'How was it for you' (5) and the quarterly caseload trend (6)."""

from __future__ import annotations

from cases.stats import case_stats_series
from earlyhelp.periods import FinancialYear

from .. import charts, indicators
from ..disclosure import small_base_limit
from ..figure_cells import FigureSheet
from ..models import Indicator
from .base import ReportContext, Section
from .commissioned_services import report_quarters

FEEDBACK_QUESTIONS = [
    ("treated_with_respect", "Treated with respect"),
    ("listened_to", "Felt listened to"),
    ("helped_with_issues", "Helped with the issues identified"),
]


def _last_quarter(period):
    return period.quarters[-1] if isinstance(period, FinancialYear) else period


class FeedbackSection(Section):
    """Seed 001 §4.6–4.7: the 'How was it for you' survey, quarter by quarter."""

    key = "feedback"
    title = "'How was it for you': what families told us"
    order = 300
    template = "reporting/sections/feedback.html"

    def casework_periods(self, context: ReportContext) -> list:
        return report_quarters(context.period)

    def build(self, context: ReportContext) -> dict:
        columns = []
        quarters = self.casework_periods(context)
        for quarter, stats in zip(quarters, case_stats_series(quarters), strict=True):
            columns.append({
                "quarter": f"Q{quarter.number}",
                "label": str(quarter),
                "received": stats.feedback_received,
                **{key: [getattr(stats, key).numerator, getattr(stats, key).base] for key, _ in FEEDBACK_QUESTIONS},
            })
        return {"key": self.key, "title": self.title, "columns": columns,
                "year": str(report_quarters(context.period)[0].financial_year),
                "definitions": [
                    {"id": "feedback.received", "figure": "'How was it for you': forms received",
                     "counts": "Feedback forms received in the quarter",
                     "period": f"Each quarter of {str(report_quarters(context.period)[0].financial_year)}",
                     "base": "A count: no base"},
                ] + [
                    {"id": f"feedback.{key}", "figure": f"'How was it for you': {label}",
                     "counts": f"Forms answering yes to “{label.lower()}”",
                     "period": f"Each quarter of {str(report_quarters(context.period)[0].financial_year)}",
                     "base": "Forms received in the quarter that answered the question"}
                    for key, label in FEEDBACK_QUESTIONS
                ]}

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        received = []
        for column in snapshot["columns"]:
            received.append(sheet.count(f"received@{column['label']}", column["received"], measure="feedback.received",
                                        label="Forms received", period=column["label"], scope="Whole authority",
                                        definition_id="feedback.received"))
        rows = []
        for key, label in FEEDBACK_QUESTIONS:
            cells = []
            for column in snapshot["columns"]:
                numerator, base = column[key]
                # Every form answered the question: the base is the forms received, printed above.
                base_qid = (f"received@{column['label']}" if base == column["received"]
                            else f"{key}.base@{column['label']}")
                cells.append(sheet.rate(f"{key}@{column['label']}", numerator, base_qid, base,
                                        measure=f"feedback.{key}", label=label, period=column["label"],
                                        scope="Whole authority", definition_id=f"feedback.{key}"))
            rows.append({"label": label, "cells": cells})
        sheet.resolve()
        note = f"* Based on fewer than {small_base_limit(threshold)} forms." if sheet.flagged else ""
        return {"rows": rows, "received": received, "small_base_note": note}, sheet


TREND_QUARTERS = 8
CASE_ROWS = [
    ("open_at_period_end", "Early help cases open at quarter end"),
    ("assessments_completed", "Early help assessments completed"),
    ("escalations", "Escalations to social care"),
]


class CaseloadTrendSection(Section):
    """Seed 001 §4.9–4.20: early help and statutory caseloads quarter by quarter, with a chart."""

    key = "caseload_trend"
    title = "Early help and statutory caseloads, quarter by quarter"
    order = 400
    template = "reporting/sections/caseload_trend.html"

    def casework_periods(self, context: ReportContext) -> list:
        last = _last_quarter(context.period)
        return [last.shifted(-i) for i in range(TREND_QUARTERS - 1, -1, -1)]

    def build(self, context: ReportContext) -> dict:
        quarters = self.casework_periods(context)
        labels = [str(q) for q in quarters]
        rows = []
        per_quarter = case_stats_series(quarters)
        for key, label in CASE_ROWS:
            if key == "escalations":
                values = [sum(sum(v.values()) for v in s.escalations_by_quarter.values()) for s in per_quarter]
            else:
                values = [getattr(s, key) for s in per_quarter]
            rows.append({"id": f"caseload.{key}", "label": label, "source": "case records", "values": values})
        held = indicators.series(quarters)
        for choice in Indicator:
            values = [held[choice.value].get(q) for q in labels]
            if any(v is not None for v in values):
                rows.append({"id": f"caseload.{choice.value}", "label": choice.label,
                             "source": "social care figures entered by officers", "values": values})
        return {
            "key": self.key, "title": self.title, "quarters": labels,
            "rows": rows,
            "definitions": [
                {"id": row.get("id"), "figure": row["label"], "counts": f"{row['label']} ({row['source']})",
                 "period": f"{labels[0]} to {labels[-1]}, each quarter", "base": "A count: no base"}
                for row in rows
            ],
        }

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        rows = []
        for index, row in enumerate(snapshot["rows"]):
            cells = []
            for quarter, value in zip(snapshot["quarters"], row["values"], strict=True):
                common = {"measure": f"caseload.{index}", "label": row["label"], "period": quarter,
                          "scope": "Whole authority", "definition_id": row.get("id", f"caseload.{index}")}
                if value is None or isinstance(value, int):
                    cells.append(sheet.count(f"r{index}@{quarter}", value, **common))
                else:  # an average entered to a decimal place: not a count of people
                    cells.append(sheet.amount(f"r{index}@{quarter}", str(value), **common))
            rows.append({"label": row["label"], "source": row["source"], "cells": cells})
        sheet.resolve()
        short = [label.split(" ")[0][2:] + " " + label.split(" ")[1] for label in snapshot["quarters"]]
        return {"rows": rows, "short_quarters": short}, sheet

    def draw(self, extra: dict) -> None:
        early, statutory = {}, {}
        for row in extra["rows"]:
            values = [None if cell.suppressed or cell.text in ("–", "") else float(cell.text.replace(",", ""))
                      for cell in row["cells"]]
            (early if row["source"] == "case records" else statutory)[row["label"]] = values
        extra["chart"] = charts.data_uri(charts.small_multiples(
            extra["short_quarters"], [("Early help (case records)", early), ("Statutory caseloads", statutory)],
            title="Caseloads at quarter end")) if extra["rows"] else ""
        extra["chart_text"] = charts.describe_line(
            extra["short_quarters"], {**early, **statutory},
            title="caseloads at the end of each quarter")
