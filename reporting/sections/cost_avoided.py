"""Data section 8: cost avoided — the fall in a caseload × a tenant-set weekly unit cost, with the arithmetic."""

from __future__ import annotations

from decimal import Decimal

from earlyhelp import figures

from .. import indicators
from ..figure_cells import FigureSheet
from ..models import Indicator, UnitCost
from .base import ReportContext, Section
from .casework import _last_quarter

money = figures.money  # one way of writing pounds, shared with the pages


class CostAvoidedSection(Section):
    key = "cost_avoided"
    title = "Cost avoided"
    order = 700
    template = "reporting/sections/cost_avoided.html"

    def build(self, context: ReportContext) -> dict:
        now = _last_quarter(context.period)
        before = now.shifted(-4)
        held = indicators.series([before, now])
        lines = []
        for cost in UnitCost.objects.all():
            start = held[cost.indicator].get(str(before))
            end = held[cost.indicator].get(str(now))
            lines.append({
                "name": cost.name, "indicator": cost.indicator,
                "indicator_label": Indicator(cost.indicator).label,
                "weekly_cost": str(cost.weekly_cost), "weeks": cost.weeks, "note": cost.note,
                "start": start, "end": end, "from": str(before), "to": str(now),
            })
        return {"key": self.key, "title": self.title, "lines": lines, "from": str(before), "to": str(now),
                "definitions": [
                    {"id": f"cost_avoided.{line['name']}", "figure": f"Cost avoided: {line['name']}",
                     "counts": f"Fall in {line['indicator_label'].lower()} × £{line['weekly_cost']} a week × "
                               f"{line['weeks']} weeks",
                     "period": f"{line['from']} to {line['to']}", "base": "Quarter-end counts entered by officers"}
                    for line in lines
                ]}

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        lines = []
        for line in snapshot["lines"]:
            weekly = Decimal(line["weekly_cost"])
            if line["start"] is None or line["end"] is None:
                text = (f"The figures for {line['indicator_label'].lower()} at the end of {line['from']} and "
                        f"{line['to']} are needed to work this out; they have not been entered.")
                lines.append({"name": line["name"], "text": text, "total": ""})
                continue
            common = {"label": f"Cost avoided: {line['name']}", "period": f"{line['from']} to {line['to']}",
                      "scope": "Whole authority", "definition_id": f"cost_avoided.{line['name']}"}
            # Decimal arithmetic at the precision entered: 8.6 fewer, not 8.600000001.
            start, end = Decimal(str(line["start"])), Decimal(str(line["end"]))
            change = start - end
            if change > 0:
                total = change * weekly * line["weeks"]
                text = (f"{line['indicator_label']} fell from {start} to {end}: "
                        f"{change} fewer × {money(weekly)} a week × {line['weeks']} weeks = {money(total)}.")
                lines.append({"name": line["name"], "text": text, "total": money(total)})
                sheet.amount(f"{line['name']}.total", money(total), measure="cost_avoided", **common)
            else:
                text = (f"{line['indicator_label']} went from {start} to {end}: "
                        "no fall, so no cost avoided is claimed.")
                lines.append({"name": line["name"], "text": text, "total": "£0"})
                sheet.amount(f"{line['name']}.total", "£0", measure="cost_avoided", **common)
        sheet.resolve()
        return {"lines": lines}, sheet
