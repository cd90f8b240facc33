"""Data section 2 (seed 000 §3.14–3.16): what happened after an early help service was put in place."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from cases.cohorts import panel_follow_up, social_care_follow_up

from ..disclosure import protect_table, publish_rate
from .base import ReportContext, Section

FOLLOW_UP_MONTHS = 6
WINDOW_MONTHS = 6


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


class FollowUpSection(Section):
    key = "follow_up"
    title = "After an early help service: following families up"
    order = 250
    template = "reporting/sections/followup.html"

    def build(self, context: ReportContext) -> dict:
        as_at = context.period.end
        months = int(context.parameters.get("follow_up_months") or FOLLOW_UP_MONTHS)
        window_months = int(context.parameters.get("follow_up_window_months") or WINDOW_MONTHS)
        window_to = _months_before(as_at, months)
        window_from = _months_before(window_to, window_months) + dt.timedelta(days=1)
        panel = panel_follow_up(closed_from=window_from, closed_to=window_to, followed_up_on=as_at)
        care = social_care_follow_up(started_from=window_from, started_to=window_to, followed_up_on=as_at)
        window = f"{window_from:%-d %B %Y} to {window_to:%-d %B %Y}"
        return {
            "key": self.key, "title": self.title, "window": window, "as_at": f"{as_at:%-d %B %Y}",
            "months": months,
            "panel": [panel.cases, panel.never_referred_again, panel.referred_to_social_care,
                      panel.referred_back_to_panel],
            "care": [care.cases, care.closures, care.de_escalations, care.no_change, care.worse],
            "definitions": [
                {"figure": "Panel cases followed up", "counts": "Cases referred through a panel or front door, closed "
                 "in the window, where a commissioned service was put in place; then any later referral of the family",
                 "period": f"Closed {window}; followed up to {as_at:%-d %B %Y}", "base": "The cases in the sample"},
                {"figure": "Social care cases followed up", "counts": "Cases at a statutory level of need where a "
                 "commissioned service started in the window; their status at the follow-up date",
                 "period": f"Service started {window}; followed up to {as_at:%-d %B %Y}",
                 "base": "The cases in the sample"},
            ],
        }

    def render(self, snapshot, *, number, public, threshold, decimals):
        def protected(values):
            total, parts = values[0], values[1:]
            table = protect_table([parts], threshold=threshold, row_totals=True, column_totals=False, public=public)
            shown_parts = table.cells[0]
            lines = []
            for raw, shown in zip(parts, shown_parts, strict=True):
                rate = publish_rate(raw, total, threshold=threshold, decimals=decimals, public=public)
                hidden = shown == "c" or rate.suppressed or rate.text == "n/a"
                lines.append({"count": shown, "rate": "" if hidden else rate.text})
            return table.row_totals[0], lines

        panel_total, panel = protected(snapshot["panel"])
        care_total, care = protected(snapshot["care"])
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "public": public, "threshold": threshold,
            "panel_total": panel_total, "panel": panel, "care_total": care_total, "care": care})
