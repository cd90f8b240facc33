"""Quality of practice (optional section): how case files were graded when audited in the report's period, in
all and by team, locality and quarter (``cases.stats.audit_stats``). Each row's base is the number of files
audited; a Public report hides counts from 1 to the threshold (and any that could be worked out from the
totals) and prints each percentage with its base."""

from __future__ import annotations

from cases.models import CaseFileAudit
from cases.stats import GRADES, AuditGrades, audit_stats

from ..figure_cells import FigureSheet
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

    def present(self, snapshot, *, public, threshold, decimals):
        """Every count and percentage as cells of one sheet: a grade's count is part of its row's audited total,
        and a grouping whose rows add up to all audits is declared as such, so that no hidden count can be
        worked out from the others (``reporting.figure_cells``)."""
        sheet = FigureSheet(self.key, public, threshold, decimals)
        period = snapshot["period"]
        tables = []
        for key, caption in GROUPS:
            groups = snapshot["groups"][key]
            if not groups:
                continue
            rows = []
            for index, g in enumerate(groups):
                scope = "Whole authority" if key == "total" else g["label"]
                row_id = f"{key}.{index}"

                def common(measure, label, definition, scope=scope):
                    return {"measure": measure, "label": label, "period": period, "scope": scope,
                            "definition_id": definition}

                audited_q = f"{row_id}.audited"
                audited = sheet.count(audited_q, g["audited"],
                                      **common("audits.audited", f"{g['label']}: files audited", "audits.audited"))
                cells = []
                for code, label, count in zip(GRADES, snapshot["scale"], g["grades"], strict=True):
                    grade_q = f"{row_id}.{code}"
                    sheet.count(grade_q, count, **common(f"audits.{code}", f"{g['label']}: {label.lower()}",
                                                         f"audits.{code}"))
                    share = sheet.rate(grade_q, count, audited_q, g["audited"],
                                       **common(f"audits.{code}.share", f"{g['label']}: % {label.lower()}",
                                                f"audits.{code}"))
                    cells.append({"count": sheet.cells[-2], "share": share})
                sheet.total(audited_q, [f"{row_id}.{code}" for code in GRADES])
                good_q = f"{row_id}.good_or_better"
                good_count = g["grades"][0] + g["grades"][1]  # outstanding + good: the scale is best first
                sheet.count(good_q, good_count, **common("audits.good_count", f"{g['label']}: good or better",
                                                         "audits.good"))
                sheet.cells.pop()  # declared for the sums only: the printed figure is the rate below
                sheet.total(good_q, [f"{row_id}.{GRADES[0]}", f"{row_id}.{GRADES[1]}"])
                good = sheet.rate(good_q, good_count, audited_q, g["audited"],
                                  **common("audits.good", f"{g['label']}: % good or better", "audits.good"))
                rows.append({"label": g["label"], "audited": audited, "cells": cells, "good": good})
            if key != "total" and sum(g["audited"] for g in groups) == snapshot["groups"]["total"][0]["audited"]:
                sheet.total("total.0.audited", [f"{key}.{i}.audited" for i in range(len(groups))])
            tables.append({"caption": caption, "rows": rows})
        sheet.resolve()
        return {"tables": tables}, sheet

    def definitions(self, snapshot):
        ids = {"audits.audited": "Case files audited",
               **{f"audits.{code}": f"Case file audits: {label.lower()}"
                  for code, label in zip(GRADES, snapshot["scale"], strict=True)},
               "audits.good": "Case file audits: good or better"}
        by_figure = {d["figure"]: d for d in snapshot.get("definitions", [])}
        audited = {"figure": "Case files audited", "counts": "Case files audited in the period, by the team and "
                   "locality of the case and the quarter of the audit", "period": f"Audits dated in "
                   f"{snapshot['period']}", "base": "—"}
        return [{**(by_figure.get(figure) or audited), "id": definition_id}
                for definition_id, figure in ids.items()]
