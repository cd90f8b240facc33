"""Data sections from the outcomes app: the performance framework (3), distance travelled (4) and Supporting
Families (7)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from earlyhelp.periods import FinancialYear
from outcomes.stats.framework import performance_framework_series
from outcomes.stats.programme import programme_stats
from outcomes.stats.readings import reading_stats

from .. import charts
from ..disclosure import SUPPRESSED, publish_count, publish_rate, small_base_limit
from .base import ReportContext, Section


def _quarters(period) -> list:
    if isinstance(period, FinancialYear):
        return period.quarters
    return [period.shifted(-i) for i in range(4, -1, -1)]


def present_figure(numerator, base, *, public, threshold, decimals) -> dict:
    """A count, or a rate with its base, after disclosure control."""
    if base is None:
        return {"text": publish_count(numerator, threshold=threshold, public=public), "base": "", "flag": False}
    rate = publish_rate(numerator, base, threshold=threshold, decimals=decimals, public=public)
    if rate.text == "n/a":
        return {"text": "–", "base": "none", "flag": False}
    base_text = SUPPRESSED if rate.suppressed else (f"n = {base}" if public else f"{numerator} of {base}")
    return {"text": rate.text, "base": base_text, "flag": rate.small_base and not rate.suppressed}


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
                    {"figure": m["label"], "counts": m["definition"],
                     "period": f"Each of {columns[0]} to {columns[-1]}",
                     "base": "Shown beside the percentage" if m["is_rate"] else "A count: no base"}
                    for s in sections for m in s["measures"]]}

    def render(self, snapshot, *, number, public, threshold, decimals):
        flagged = False
        for section in snapshot["sections"]:
            for measure in section["measures"]:
                measure["cells"] = [present_figure(n, b, public=public, threshold=threshold, decimals=decimals)
                                    for n, b in measure["values"]]
                flagged = flagged or any(c["flag"] for c in measure["cells"])
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "public": public, "threshold": threshold,
            "small_base_note": f"* Based on fewer than {small_base_limit(threshold)}." if flagged else ""})


class DistanceTravelledSection(Section):
    """Seed 002 charts 1–2: mean start and end scores per area (spider graph) and % improving per area."""

    key = "distance_travelled"
    title = "Distance travelled: is anyone better off?"
    order = 210
    template = "reporting/sections/distance.html"

    def build(self, context: ReportContext) -> dict:
        stats = reading_stats(period=context.period)
        return {
            "key": self.key, "title": self.title, "period": str(context.period),
            "readings": stats.by_stage, "closed": [stats.closed_with_start_and_end.numerator,
                                                   stats.closed_with_start_and_end.base],
            "improving": [stats.improving.numerator, stats.improving.base],
            "tools": [
                {"name": t.name, "scale": [t.scale_min, t.scale_max], "higher_is_better": t.higher_is_better,
                 "pairs": t.pairs, "improved": t.improved, "same": t.same, "worse": t.worse,
                 "areas": [{"label": a.label, "pairs": a.pairs, "improved": a.improved, "start_sum": a.start_sum,
                            "end_sum": a.end_sum} for a in t.areas]}
                for t in stats.tools
            ],
            "definitions": [
                {"figure": "Readings with an improving direction of travel",
                 "counts": "People whose end reading is better than their start reading (sum of the areas scored "
                           "in both, in the tool's better direction)",
                 "period": f"End readings taken in {context.period}", "base": "People with a start and an end reading"},
                {"figure": "% improving per area", "counts": "People whose end score in the area is better than "
                 "their start score", "period": f"End readings taken in {context.period}",
                 "base": "People scored in that area at both start and end"},
            ],
        }

    def render(self, snapshot, *, number, public, threshold, decimals):
        tools = []
        for tool in snapshot["tools"]:
            rows, labels, starts, ends, percents = [], [], [], [], []
            for area in tool["areas"]:
                figure = present_figure(area["improved"], area["pairs"], public=public, threshold=threshold,
                                        decimals=decimals)
                hidden = figure["text"] == SUPPRESSED
                mean_start = None if hidden or not area["pairs"] else Decimal(area["start_sum"]) / area["pairs"]
                mean_end = None if hidden or not area["pairs"] else Decimal(area["end_sum"]) / area["pairs"]
                rows.append({"label": area["label"], "figure": figure,
                             "start": "c" if hidden else f"{mean_start:.1f}" if mean_start is not None else "–",
                             "end": "c" if hidden else f"{mean_end:.1f}" if mean_end is not None else "–"})
                labels.append(area["label"])
                percents.append(None if hidden or not area["pairs"] else 100 * area["improved"] / area["pairs"])
                if mean_start is not None:
                    starts.append(float(mean_start))
                    ends.append(float(mean_end))
            radar = radar_text = ""
            if len(starts) == len(labels) >= 3:
                means = {"Mean at start": starts, "Mean at end": ends}
                radar = charts.data_uri(charts.radar_chart(labels, means, scale=tuple(tool["scale"]),
                                                           title=tool["name"]))
                radar_text = charts.describe_radar(labels, means, scale=tuple(tool["scale"]),
                                                   title=f"mean scores at the start and the end in each area of "
                                                         f"{tool['name']}")
            bars = charts.data_uri(charts.bar_chart(labels, percents, title=f"{tool['name']}: % improving per area"))
            bars_text = charts.describe_bars(labels, percents,
                                             title=f"percentage improving in each area of {tool['name']}")
            tools.append({**tool, "rows": rows, "radar": radar, "bars": bars, "radar_text": radar_text,
                          "bars_text": bars_text,
                          "overall": present_figure(tool["improved"], tool["pairs"], public=public,
                                                    threshold=threshold, decimals=decimals)})
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "tools": tools, "public": public, "threshold": threshold,
            "closed": present_figure(*snapshot["closed"], public=public, threshold=threshold, decimals=decimals),
            "improving": present_figure(*snapshot["improving"], public=public, threshold=threshold,
                                        decimals=decimals)})


class SupportingFamiliesSection(Section):
    """Seed 001 §4.35: families presenting with each headline problem and how many improved."""

    key = "supporting_families"
    title = "Supporting Families: progress against the headline outcomes"
    order = 600
    template = "reporting/sections/supporting_families.html"

    def build(self, context: ReportContext) -> dict:
        stats = programme_stats(period=context.period)
        return {"key": self.key, "title": self.title, "period": str(context.period),
                "enrolled": stats.families_enrolled, "claims": stats.claims,
                "rows": [{"label": r.label, "presenting": r.presenting, "improved": r.improved,
                          "sustained": r.sustained} for r in stats.rows],
                "definitions": [{"figure": "Supporting Families: families improved", "counts":
                                 "Families whose need in the outcome area was met by the end of the period",
                                 "period": f"Up to the end of {context.period}",
                                 "base": "Families enrolled presenting with that need"}]}

    def render(self, snapshot, *, number, public, threshold, decimals):
        rows = []
        for row in snapshot["rows"]:
            rows.append({"label": row["label"],
                         "presenting": publish_count(row["presenting"], threshold=threshold, public=public),
                         "improved": present_figure(row["improved"], row["presenting"], public=public,
                                                    threshold=threshold, decimals=decimals),
                         "improved_count": publish_count(row["improved"], threshold=threshold, public=public),
                         "sustained": publish_count(row["sustained"], threshold=threshold, public=public)})
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "rows": rows, "public": public, "threshold": threshold,
            "enrolled": publish_count(snapshot["enrolled"], threshold=threshold, public=public)})
