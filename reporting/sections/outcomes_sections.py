"""Data sections from the outcomes app: the performance framework (3), distance travelled (4) and Supporting
Families (7)."""

from __future__ import annotations

from decimal import Decimal

from earlyhelp.periods import FinancialYear, period_words
from outcomes.stats.framework import performance_framework_series
from outcomes.stats.programme import programme_stats
from outcomes.stats.readings import completion_by_tool, reading_stats

from .. import charts
from ..disclosure import small_base_limit
from ..figure_cells import FigureSheet
from .base import ReportContext, Section

SCOPE = "Whole authority"


def _quarters(period) -> list:
    if isinstance(period, FinancialYear):
        return period.quarters
    return [period.shifted(-i) for i in range(4, -1, -1)]


class FrameworkSection(Section):
    """Seed 001 §4.2–4.10: how much did we do, how well did we do it, is anyone better off."""

    key = "performance_framework"
    title = "Performance framework: how much, how well, is anyone better off"
    order = 200
    template = "reporting/sections/framework.html"

    def casework_periods(self, context: ReportContext) -> list:
        quarters = _quarters(context.period)
        return [*quarters, context.period] if isinstance(context.period, FinancialYear) else quarters

    def build(self, context: ReportContext) -> dict:
        quarters = _quarters(context.period)
        frames = performance_framework_series(self.casework_periods(context))
        sections = []
        for index, section in enumerate(frames[-1].sections):
            sections.append({
                "key": section.key, "title": section.title,
                "measures": [
                    {"key": m.key, "label": m.label, "definition": m.definition, "is_rate": m.is_rate,
                     "values": [[f.sections[index].measures[j].numerator, f.sections[index].measures[j].base]
                                for f in frames]}
                    for j, m in enumerate(section.measures)
                ],
            })
        columns = [f"Q{q.number} {str(q.financial_year)[2:]}" for q in quarters]
        if isinstance(context.period, FinancialYear):
            columns.append(str(context.period))
        return {"key": self.key, "title": self.title, "columns": columns, "sections": sections,
                "definitions": [
                    {"id": f"framework.{m['key']}", "figure": m["label"], "counts": m["definition"],
                     "period": f"Each of {columns[0]} to {columns[-1]}",
                     "base": "Shown beside the percentage" if m["is_rate"] else "A count: no base"}
                    for s in sections for m in s["measures"]]}

    def present(self, snapshot, *, public, threshold, decimals):
        """Every measure in every column on one sheet: referrals by route sum to referrals, and in a year's
        report a column of the year sums its quarters wherever the counts do (so neither can undo a hidden
        value); rates out of cases closed share that count."""
        sheet = FigureSheet(self.key, public, threshold, decimals)
        columns = snapshot["columns"]
        values = {m["key"]: m["values"] for part in snapshot["sections"] for m in part["measures"]}
        closed = values.get("cases_closed")
        parts = []
        for part in snapshot["sections"]:
            printed = []
            parts.append({"title": part["title"], "measures": printed})
            for measure in part["measures"]:
                cells = []
                for col, (numerator, base) in zip(columns, measure["values"], strict=True):
                    common = {"measure": f"framework.{measure['key']}", "label": measure["label"], "period": col,
                              "scope": SCOPE, "definition_id": f"framework.{measure['key']}"}
                    qid = f"{measure['key']}@{col}"
                    if base is None:
                        cells.append(sheet.count(qid, numerator, **common))
                        continue
                    base_qid = f"{measure['key']}.base@{col}"
                    if closed is not None and measure["key"] in CLOSED_BASES and closed[columns.index(col)][0] == base:
                        base_qid = f"cases_closed@{col}"  # the same count as the "Cases closed" row
                    cells.append(sheet.rate(qid, numerator, base_qid, base, **common))
                printed.append({"label": measure["label"], "cells": cells})
        for col in columns:
            if {"referrals", "referrals_panel", "referrals_direct"} <= set(values):
                sheet.total(f"referrals@{col}", [f"referrals_panel@{col}", f"referrals_direct@{col}"])
        if snapshot["columns"] and len(columns) == 5 and not columns[-1].startswith("Q"):
            self._year_sums(sheet, snapshot, columns)
        sheet.resolve()
        note = f"* Based on fewer than {small_base_limit(threshold)}." if sheet.flagged else ""
        return {"parts": parts, "small_base_note": note}, sheet

    @staticmethod
    def _year_sums(sheet: FigureSheet, snapshot: dict, columns: list[str]) -> None:
        quarters, year = columns[:-1], columns[-1]
        declared = sheet.disclosure.values
        for part in snapshot["sections"]:
            for m in part["measures"]:
                for position, suffix in ((0, ""), (1, ".base")):
                    if m["values"][-1][position] is None:
                        continue
                    if sum(v[position] for v in m["values"][:-1]) != m["values"][-1][position]:
                        continue  # a count at a date (open cases) does not add up over the quarters
                    total = f"{m['key']}{suffix}@{year}"
                    parts = [f"{m['key']}{suffix}@{q}" for q in quarters]
                    if suffix and total not in declared:
                        total = f"cases_closed@{year}"
                        parts = [f"cases_closed@{q}" for q in quarters]
                    known = all(q in declared for q in (total, *parts))
                    if known and (total, tuple(parts)) not in sheet.disclosure.sums:
                        sheet.total(total, parts)


CLOSED_BASES = {"closed_with_readings", "closed_with_family_outcomes", "outcomes_achieved"}


class DistanceTravelledSection(Section):
    """Seed 002 charts 1–2: mean start and end scores per area (spider graph) and % improving per area."""

    key = "distance_travelled"
    title = "Distance travelled: is anyone better off?"
    order = 210
    template = "reporting/sections/distance.html"

    def build(self, context: ReportContext) -> dict:
        stats = reading_stats(period=context.period)
        period = str(context.period)
        return {
            "key": self.key, "title": self.title, "period": period, "period_words": period_words(context.period),
            "readings": stats.by_stage, "closed": [stats.closed_with_start_and_end.numerator,
                                                   stats.closed_with_start_and_end.base],
            "improving": [stats.improving.numerator, stats.improving.base],
            "completion": [{"code": c.code, "name": c.name, "with_end_scores": c.with_end_scores,
                            "final_readings": c.final_readings} for c in completion_by_tool(period=context.period)],
            "tools": [
                {"name": t.name, "code": t.code, "scale": [t.scale_min, t.scale_max],
                 "higher_is_better": t.higher_is_better,
                 "pairs": t.pairs, "improved": t.improved, "same": t.same, "worse": t.worse,
                 "areas": [{"label": a.label, "pairs": a.pairs, "improved": a.improved, "start_sum": a.start_sum,
                            "end_sum": a.end_sum} for a in t.areas]}
                for t in stats.tools
            ],
            "definitions": [
                {"id": "distance.closed", "figure": "Closed cases with a start and an end reading",
                 "counts": "Cases closed in the period with at least one start and one end reading",
                 "period": f"Closed in {period}", "base": "Cases closed in the period (shown)"},
                {"id": "distance.completion", "figure": "Final readings with an end score, per tool",
                 "counts": "Final (end-stage) readings of each tool taken in the period that carry an end score (at "
                           "least one area scored)",
                 "period": f"End readings taken in {period}",
                 "base": "Final readings of that tool taken in the period (shown per tool)"},
                {"id": "distance.improving", "figure": "Readings with an improving direction of travel",
                 "counts": "People whose end reading is better than their start reading (sum of the areas scored "
                           "in both, in the tool's better direction)",
                 "period": f"End readings taken in {period}",
                 "base": "People with a start and an end reading (shown, overall and per tool)"},
                {"id": "distance.area", "figure": "% improving per area",
                 "counts": "People whose end score in the area is better than their start score",
                 "period": f"End readings taken in {period}",
                 "base": "People scored in that area at both start and end (shown)"},
                {"id": "distance.means", "figure": "Mean score at start and at end, per area",
                 "counts": "Sum of the area's start (or end) scores ÷ the people scored in it at both, to one decimal",
                 "period": f"End readings taken in {period}",
                 "base": "People scored in that area at both start and end"},
            ],
        }

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        period = snapshot["period"]

        def common(measure, label, definition):
            return {"measure": measure, "label": label, "period": period, "scope": SCOPE,
                    "definition_id": definition}

        closed = sheet.rate("closed.with_readings", snapshot["closed"][0], "closed", snapshot["closed"][1],
                            **common("distance.closed", "Closed cases with a start and an end reading",
                                     "distance.closed"))
        improving = sheet.rate("improving", snapshot["improving"][0], "pairs", snapshot["improving"][1],
                               **common("distance.improving", "Improving direction of travel (all tools)",
                                        "distance.improving"))
        completion = [
            {"name": c["name"], "figure": sheet.rate(
                f"completion.{c['code']}.scored", c["with_end_scores"], f"completion.{c['code']}.final",
                c["final_readings"], **common(f"distance.completion.{c['code']}",
                                              f"{c['name']}: final readings with an end score",
                                              "distance.completion"))}
            for c in snapshot.get("completion", [])]
        tools = []
        for tool in snapshot["tools"]:
            code = tool.get("code") or tool["name"]
            rows = []
            for index, area in enumerate(tool["areas"]):
                pairs_q = f"{code}.area{index}.pairs"
                label = f"{tool['name']}: {area['label']}"
                figure = sheet.rate(f"{code}.area{index}.improved", area["improved"], pairs_q, area["pairs"],
                                    **common(f"distance.area.{code}.{index}", f"{label}: % improving",
                                             "distance.area"))
                means = [None if not area["pairs"] else Decimal(area[key]) / area["pairs"]
                         for key in ("start_sum", "end_sum")]
                start, end = (sheet.amount(f"{code}.area{index}.{key}", "–" if m is None else f"{m:.1f}",
                                           hidden_with=pairs_q if area["pairs"] else "",
                                           **common(f"distance.means.{code}.{index}.{key}", f"{label}: mean {key}",
                                                    "distance.means"))
                              for key, m in zip(("start", "end"), means, strict=True))
                rows.append({"label": area["label"], "figure": figure, "start": start, "end": end, "means": means})
            overall = sheet.rate(f"{code}.improved", tool["improved"], f"{code}.pairs", tool["pairs"],
                                 **common(f"distance.improving.{code}", f"{tool['name']}: improving direction",
                                          "distance.improving"))
            tools.append({**tool, "rows": rows, "overall": overall})
        codes = [t.get("code") or t["name"] for t in snapshot["tools"]]
        if codes and snapshot["improving"][1] and sum(t["pairs"] for t in snapshot["tools"]) == snapshot[
                "improving"][1] and sum(t["improved"] for t in snapshot["tools"]) == snapshot["improving"][0]:
            sheet.total("pairs", [f"{c}.pairs" for c in codes])  # the tools' pairs make up all pairs
            sheet.total("improving", [f"{c}.improved" for c in codes])
        sheet.resolve()
        return {"tools": tools, "closed": closed, "improving": improving, "completion": completion}, sheet

    def draw(self, extra: dict) -> None:
        """The charts, for the printed report only (the figures table needs none)."""
        for tool in extra["tools"]:
            labels = [row["label"] for row in tool["rows"]]
            shown = [row for row in tool["rows"] if not row["figure"].suppressed and row["means"][0] is not None]
            radar = radar_text = ""
            if len(shown) == len(labels) >= 3:
                means = {"Mean at start": [float(r["means"][0]) for r in shown],
                         "Mean at end": [float(r["means"][1]) for r in shown]}
                radar = charts.data_uri(charts.radar_chart(labels, means, scale=tuple(tool["scale"]),
                                                           title=tool["name"]))
                radar_text = charts.describe_radar(labels, means, scale=tuple(tool["scale"]),
                                                   title=f"mean scores at the start and the end in each area of "
                                                         f"{tool['name']}")
            percents = [None if row["figure"].suppressed or not row["figure"].base
                        else 100 * row["figure"].numerator / row["figure"].base for row in tool["rows"]]
            tool["radar"], tool["radar_text"] = radar, radar_text
            tool["bars"] = charts.data_uri(charts.bar_chart(labels, percents,
                                                            title=f"{tool['name']}: % improving per area"))
            tool["bars_text"] = charts.describe_bars(labels, percents,
                                                     title=f"percentage improving in each area of {tool['name']}")


class SupportingFamiliesSection(Section):
    """Seed 001 §4.35: families presenting with each headline problem and how many improved."""

    key = "supporting_families"
    title = "Supporting Families: progress against the headline outcomes"
    order = 600
    template = "reporting/sections/supporting_families.html"

    def build(self, context: ReportContext) -> dict:
        if not context.tenant.supporting_families_enabled:  # the council switched the outcome library off
            return {"key": self.key, "title": self.title, "period": str(context.period), "enabled": False,
                    "enrolled": None, "claims": {}, "rows": [], "definitions": []}
        stats = programme_stats(period=context.period)
        return {"key": self.key, "title": self.title, "period": str(context.period),
                "enrolled": stats.families_enrolled, "claims": stats.claims,
                "rows": [{"label": r.label, "presenting": r.presenting, "improved": r.improved,
                          "sustained": r.sustained} for r in stats.rows],
                "definitions": [
                    {"id": "programme.enrolled", "figure": "Supporting Families: families enrolled",
                     "counts": "Families enrolled in the programme by the end of the period",
                     "period": f"Up to the end of {context.period}", "base": "A count: no base"},
                    {"id": "programme.presenting", "figure": "Supporting Families: families presenting",
                     "counts": "Enrolled families presenting with the headline problem",
                     "period": f"Up to the end of {context.period}", "base": "A count: no base"},
                    {"id": "programme.improved", "figure": "Supporting Families: families improved", "counts":
                     "Families whose need in the outcome area was met by the end of the period",
                     "period": f"Up to the end of {context.period}",
                     "base": "Families enrolled presenting with that need (shown)"},
                    {"id": "programme.sustained", "figure": "Supporting Families: sustained six months",
                     "counts": "Families whose met need has been sustained for six months",
                     "period": f"Up to the end of {context.period}", "base": "A count: no base"}]}

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        period = snapshot["period"]

        def common(measure, label, definition):
            return {"measure": measure, "label": label, "period": period, "scope": SCOPE,
                    "definition_id": definition}

        rows = []
        for index, row in enumerate(snapshot["rows"]):
            label = row["label"]
            rows.append({
                "label": label,
                "presenting": sheet.count(f"r{index}.presenting", row["presenting"],
                                          **common("programme.presenting", f"{label}: presenting",
                                                   "programme.presenting")),
                "improved": sheet.rate(f"r{index}.improved", row["improved"], f"r{index}.presenting",
                                       row["presenting"], **common("programme.improved.rate",
                                                                   f"{label}: % improved", "programme.improved")),
                "improved_count": sheet.count(f"r{index}.improved", row["improved"],
                                              **common("programme.improved", f"{label}: improved",
                                                       "programme.improved")) if not public else None,
                "sustained": sheet.count(f"r{index}.sustained", row["sustained"],
                                         **common("programme.sustained", f"{label}: sustained six months",
                                                  "programme.sustained"))})
        enrolled = sheet.count("enrolled", snapshot["enrolled"],
                               **common("programme.enrolled", "Families enrolled", "programme.enrolled"))
        sheet.resolve()
        return {"rows": rows, "enrolled": enrolled}, sheet
