"""Data sections from the casework records: 'How was it for you' (5) and the quarterly caseload trend (6)."""

from __future__ import annotations

from django.template.loader import render_to_string

from cases.stats import case_stats_series
from earlyhelp.periods import FinancialYear

from .. import charts, indicators
from ..disclosure import SUPPRESSED, protect_table, publish_rate, small_base_limit
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
                    {"figure": f"'How was it for you': {label}",
                     "counts": f"Forms answering yes to “{label.lower()}”",
                     "period": f"Each quarter of {str(report_quarters(context.period)[0].financial_year)}",
                     "base": "Forms received in the quarter that answered the question"}
                    for _, label in FEEDBACK_QUESTIONS
                ]}

    def render(self, snapshot, *, number, public, threshold, decimals):
        rows = []
        flagged = False
        for key, label in FEEDBACK_QUESTIONS:
            cells = []
            for column in snapshot["columns"]:
                numerator, base = column[key]
                rate = publish_rate(numerator, base, threshold=threshold, decimals=decimals, public=public)
                flagged = flagged or (rate.small_base and not rate.suppressed)
                cells.append({"text": rate.text, "base": "" if base == 0 else (
                    SUPPRESSED if rate.suppressed else (f"n = {base}" if public else f"{numerator} of {base}")),
                    "flag": rate.small_base and not rate.suppressed})
            rows.append({"label": label, "cells": cells})
        received = protect_table([[c["received"] for c in snapshot["columns"]]], threshold=threshold,
                                 row_totals=False, column_totals=False, public=public).cells[0]
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "rows": rows, "received": received, "public": public,
            "threshold": threshold,
            "small_base_note": f"* Based on fewer than {small_base_limit(threshold)} forms." if flagged else "",
        })


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
            rows.append({"label": label, "source": "case records", "values": values})
        held = indicators.series(quarters)
        for choice in Indicator:
            values = [held[choice.value].get(q) for q in labels]
            if any(v is not None for v in values):
                rows.append({"label": choice.label, "source": "social care figures entered by officers",
                             "values": values})
        return {
            "key": self.key, "title": self.title, "quarters": labels,
            "rows": rows,
            "definitions": [
                {"figure": row["label"], "counts": f"{row['label']} ({row['source']})",
                 "period": f"{labels[0]} to {labels[-1]}, each quarter", "base": "A count: no base"}
                for row in rows
            ],
        }

    def render(self, snapshot, *, number, public, threshold, decimals):
        table = [[0 if v is None else v for v in row["values"]] for row in snapshot["rows"]]
        protected = protect_table(table, threshold=threshold, row_totals=False, column_totals=False,
                                  public=public) if table else None
        rows = []
        series = {}
        for index, row in enumerate(snapshot["rows"]):
            shown = [None if raw is None else protected.cells[index][j] for j, raw in enumerate(row["values"])]
            rows.append({"label": row["label"], "source": row["source"],
                         "cells": ["–" if v is None else v for v in shown]})
            series[row["label"]] = [v if isinstance(v, int) else None for v in shown]
        short = [label.split(" ")[0][2:] + " " + label.split(" ")[1] for label in snapshot["quarters"]]
        chart = charts.data_uri(charts.line_chart(short, series, title="Caseloads at quarter end",
                                                  ylabel="children / cases")) if rows else ""
        chart_text = charts.describe_line(snapshot["quarters"], series, title="caseloads at the end of each quarter")
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "rows": rows, "chart": chart, "chart_text": chart_text,
            "public": public,
            "threshold": threshold, "short_quarters": short,
        })
