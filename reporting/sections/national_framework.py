"""The National Framework outcomes section: plan goals set, goals achieved and family outcomes improved at
closure, counted by the four outcomes of the Children's Social Care National Framework (December 2023), each
rate with its base, under the report's disclosure control."""

from __future__ import annotations

from cases.national_framework import SOURCE
from earlyhelp.periods import period_words
from outcomes.stats.national_framework import national_framework_stats

from ..figure_cells import FigureSheet
from .base import ReportContext, Section

SCOPE = "Whole authority"


class NationalFrameworkSection(Section):
    key = "national_framework"
    title = "National Framework outcomes: goals and outcomes for children and families"
    order = 205
    template = "reporting/sections/national_framework.html"

    def build(self, context: ReportContext) -> dict:
        stats = national_framework_stats(period=context.period)
        period = str(context.period)
        return {
            "key": self.key, "title": self.title, "period": period, "period_words": period_words(context.period),
            "source": SOURCE,
            "rows": [{"code": r.code or "untagged", "label": r.label, "goals_set": r.goals_set,
                      "goals_achieved": [r.goals_achieved.numerator, r.goals_achieved.base],
                      "outcomes_improved": [r.outcomes_improved.numerator, r.outcomes_improved.base]}
                     for r in stats.rows],
            "definitions": [
                {"id": "nf.goals_set", "figure": "Plan goals set, by National Framework outcome",
                 "counts": "Goals (SMART actions) of plans made in the period, by the National Framework outcome "
                           "they are tagged to; untagged goals in a row of their own",
                 "period": f"Plans made in {period}", "base": "A count: no base"},
                {"id": "nf.goals_achieved", "figure": "Goals achieved at closure, by National Framework outcome",
                 "counts": "Goals marked done on cases closed in the period",
                 "period": f"Cases closed in {period}",
                 "base": "Every goal with that tag on the cases closed in the period, dropped goals included "
                         "(shown)"},
                {"id": "nf.outcomes_improved",
                 "figure": "Family outcomes improved at closure, by National Framework outcome",
                 "counts": "Family outcomes marked improved on cases closed in the period, by the National "
                           "Framework outcome their outcome area is tagged to",
                 "period": f"Cases closed in {period}",
                 "base": "Family outcomes identified with that tag on the cases closed in the period (shown)"},
            ],
        }

    def present(self, snapshot, *, public, threshold, decimals):
        """Each column's rows add up to its total (the untagged row included), declared as sums so that a
        hidden small count cannot be worked out from the total and the other rows."""
        sheet = FigureSheet(self.key, public, threshold, decimals)
        period = snapshot["period"]

        def common(measure, label, definition):
            return {"measure": measure, "label": label, "period": period, "scope": SCOPE,
                    "definition_id": definition}

        rows = []
        for row in snapshot["rows"]:
            code, label = row["code"], row["label"]
            rows.append({
                "label": label,
                "goals_set": sheet.count(f"{code}.goals_set", row["goals_set"],
                                         **common(f"nf.goals_set.{code}", f"{label}: goals set", "nf.goals_set")),
                "goals_achieved": sheet.rate(
                    f"{code}.goals_done", row["goals_achieved"][0], f"{code}.goals_closed", row["goals_achieved"][1],
                    **common(f"nf.goals_achieved.{code}", f"{label}: goals achieved at closure",
                             "nf.goals_achieved")),
                "outcomes_improved": sheet.rate(
                    f"{code}.improved", row["outcomes_improved"][0], f"{code}.identified",
                    row["outcomes_improved"][1],
                    **common(f"nf.outcomes_improved.{code}", f"{label}: family outcomes improved",
                             "nf.outcomes_improved")),
            })
        totals = {}
        for column, parts in (("goals_set", "goals_set"), ("goals_closed", "goals_achieved"),
                              ("identified", "outcomes_improved")):
            index = None if column == "goals_set" else 1
            value = sum(r[parts] if index is None else r[parts][index] for r in snapshot["rows"])
            totals[column] = sheet.count(f"all.{column}", value, **common(
                f"nf.{column}.all", f"All: {column.replace('_', ' ')}", f"nf.{parts}"))
            sheet.total(f"all.{column}", [f"{r['code']}.{column}" for r in snapshot["rows"]])
        sheet.resolve()
        return {"rows": rows, "totals": totals}, sheet
