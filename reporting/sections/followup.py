"""Data section 2 (seed 000 §3.14–3.16): what happened after an early help service was put in place.

Both samples are cohorts defined at their start (a closure, or a service starting, in the window) and followed to
the follow-up date whatever happened to each member later; every line is printed with the sample as its base.
"""

from __future__ import annotations

from cases.cohorts import panel_follow_up, social_care_follow_up
from earlyhelp.periods import between, long_date, month_end_before, month_window

from ..figure_cells import FigureSheet
from .base import ReportContext, Section

FOLLOW_UP_MONTHS = 6
WINDOW_MONTHS = 6

PANEL_LINES = [
    ("never", "were never referred back to the panel or to social care"),
    ("social_care", "were later referred to social care"),
    ("back_to_panel", "were referred back to the panel"),
]
CARE_LINES = [  # (key, words, part of "improved")
    ("closed", "have closed", True),
    ("stepped_down", "stepped down or de-escalated (for example child protection to child in need, or child in "
                     "need to early help)", True),
    ("no_change", "showed no change in level of need", False),
    ("worse", "escalated to a higher level of need", False),
]


class FollowUpSection(Section):
    key = "follow_up"
    title = "After an early help service: following families up"
    order = 250
    template = "reporting/sections/followup.html"

    def build(self, context: ReportContext) -> dict:
        as_at = context.period.end
        months = int(context.parameters.get("follow_up_months") or FOLLOW_UP_MONTHS)
        window_months = int(context.parameters.get("follow_up_window_months") or WINDOW_MONTHS)
        window_from, window_to = month_window(month_end_before(as_at, months), window_months)
        panel = panel_follow_up(closed_from=window_from, closed_to=window_to, followed_up_on=as_at)
        care = social_care_follow_up(started_from=window_from, started_to=window_to, followed_up_on=as_at)
        window = between(window_from, window_to)
        followed = f"followed up to {long_date(as_at)}"
        return {
            "key": self.key, "title": self.title, "window": window, "as_at": long_date(as_at),
            "period": str(context.period), "months": months,
            "window_from": window_from.isoformat(), "window_to": window_to.isoformat(),
            "panel": [panel.cases, panel.never_referred_again, panel.referred_to_social_care,
                      panel.referred_back_to_panel],
            "care": [care.cases, care.closures, care.de_escalations, care.no_change, care.worse],
            "definitions": [
                {"id": "follow_up.panel", "figure": "Panel cases followed up",
                 "counts": "Cases referred through a panel or front door, closed in the window, where a commissioned "
                           "service was put in place; each counted once by the family's later referrals: never "
                           "referred again, referred to social care, or referred back to the panel",
                 "period": f"Closed {window}; {followed}", "base": "The cases in the sample (shown)"},
                {"id": "follow_up.care", "figure": "Social care cases followed up (improved, no change, worse)",
                 "counts": "Cohort defined at its start: cases at a statutory level of need (child in need, child "
                           "protection, looked after) on the day a commissioned service started in the window, "
                           "each followed to the follow-up date whatever happened later. Improved: closed, or "
                           "stepped down / de-escalated to a lower level; worse: a higher level; otherwise no change",
                 "period": f"Service started {window}; {followed}",
                 "base": "Every case in the cohort, including those that stepped down (shown)"},
            ],
        }

    def present(self, snapshot, *, public, threshold, decimals):
        sheet = FigureSheet(self.key, public, threshold, decimals)
        period = snapshot.get("period") or snapshot["as_at"]

        def cohort(prefix, definition, total, lines, values, scope):
            common = {"period": period, "scope": scope, "definition_id": definition}
            total_cell = sheet.count(f"{prefix}.cases", total, measure=f"{prefix}.cases",
                                     label=f"{scope}: cases in the sample", **common)
            printed = []
            for (key, words, *_), value in zip(lines, values, strict=True):
                qid = f"{prefix}.{key}"
                printed.append({
                    "words": words,
                    "count": sheet.count(qid, value, measure=qid, label=f"{scope}: {words}", **common),
                    "rate": sheet.rate(qid, value, f"{prefix}.cases", total, measure=f"{qid}.rate",
                                       label=f"{scope}: % {words}", **common)})
            sheet.total(f"{prefix}.cases", [f"{prefix}.{line[0]}" for line in lines])
            return total_cell, printed

        panel_total, panel = cohort("panel", "follow_up.panel", snapshot["panel"][0], PANEL_LINES,
                                    snapshot["panel"][1:], "Panel cases")
        care_values = snapshot["care"][1:]
        care_total, care = cohort("care", "follow_up.care", snapshot["care"][0], CARE_LINES, care_values,
                                  "Social care cases")
        improved_value = care_values[0] + care_values[1]
        common = {"period": period, "scope": "Social care cases", "definition_id": "follow_up.care"}
        improved = {
            "count": sheet.count("care.improved", improved_value, measure="care.improved",
                                 label="Social care cases: improved (closed or stepped down)", **common),
            "rate": sheet.rate("care.improved", improved_value, "care.cases", snapshot["care"][0],
                               measure="care.improved.rate",
                               label="Social care cases: % improved (closed or stepped down)", **common)}
        sheet.total("care.improved", ["care.closed", "care.stepped_down"])
        sheet.total("care.cases", ["care.improved", "care.no_change", "care.worse"])
        sheet.resolve()
        return {"panel_total": panel_total, "panel": panel, "care_total": care_total, "care": care,
                "improved": improved}, sheet
