"""Quality of practice (optional section): how case files were graded when audited in the report's period, in
all and by team, locality and quarter (``cases.stats.audit_stats``). Each row's base is the number of files
audited; a Public report hides counts from 1 to the threshold (and any that could be worked out from the
totals) and prints each percentage with its base."""

from __future__ import annotations

from django.template.loader import render_to_string

from cases.models import CaseFileAudit
from cases.stats import GRADES, AuditGrades, audit_stats

from ..disclosure import SUPPRESSED, protect_table, publish_rate, small_base_limit
from .base import ReportContext, Section

GROUPS = [("total", "All audits"), ("by_team", "By team"), ("by_locality", "By locality"),
          ("by_quarter", "By quarter of the audit")]


def _group(g: AuditGrades) -> dict:
    return {"label": g.label, "audited": g.audited, "grades": [g.grades[code] for code in GRADES]}


class CaseFileAuditSection(Section):
    """Not in a report unless the officer includes it (the seeds have no such table yet; councils' QA reports
    do)."""

    key = "case_file_audits"
    title = "Quality of practice: case file audits"
    order = 350
    default_include = False
    template = "reporting/sections/case_file_audits.html"

    def build(self, context: ReportContext) -> dict:
        audits = audit_stats(period=context.period)
        period = str(context.period)
        return {
            "key": self.key, "title": self.title, "period": period,
            "scale": [CaseFileAudit.Grade(code).label for code in GRADES],
            "groups": {
                "total": [_group(audits.total)],
                "by_team": [_group(g) for g in audits.by_team],
                "by_locality": [_group(g) for g in audits.by_locality],
                "by_quarter": [_group(g) for g in audits.by_quarter],
            },
            "definitions": [
                {"figure": f"Case file audits: {label.lower()}",
                 "counts": f"Case files audited whose overall judgement was {label.lower()} (the council's grade "
                           "scale: outstanding, good, requires improvement, inadequate), by the team and locality "
                           "of the case and the quarter of the audit",
                 "period": f"Audits dated in {period}",
                 "base": "Case files audited in the same row (team, locality, quarter or all)"}
                for label in (CaseFileAudit.Grade(code).label for code in GRADES)
            ] + [{"figure": "Case file audits: good or better",
                  "counts": "Case files audited judged outstanding or good overall",
                  "period": f"Audits dated in {period}",
                  "base": "Case files audited in the same row"}],
        }

    def render(self, snapshot, *, number, public, threshold, decimals):
        tables = []
        flagged = False
        for key, caption in GROUPS:
            groups = snapshot["groups"][key]
            if not groups:
                continue
            protected = protect_table([g["grades"] for g in groups], threshold=threshold, row_totals=True,
                                      column_totals=False, public=public)
            rows = []
            for index, g in enumerate(groups):
                good = g["grades"][0] + g["grades"][1]  # outstanding + good: the scale is best first
                rate = publish_rate(good, g["audited"], threshold=threshold, decimals=decimals, public=public)
                flag = rate.small_base and not rate.suppressed
                flagged = flagged or flag
                cells = []
                for count, shown in zip(g["grades"], protected.cells[index], strict=True):
                    share = publish_rate(count, g["audited"], threshold=threshold, decimals=decimals,
                                         public=public)
                    cells.append({"count": shown, "percent": "" if shown == SUPPRESSED or not g["audited"]
                                  else share.text})
                rows.append({"label": g["label"], "audited": protected.row_totals[index], "cells": cells,
                             "good": rate.text, "flag": flag})
            tables.append({"caption": caption, "rows": rows})
        return render_to_string(self.template, {
            "section": snapshot, "number": number, "tables": tables, "public": public, "threshold": threshold,
            "small_base_note": f"* Based on fewer than {small_base_limit(threshold)} audits." if flagged else "",
        })
