"""Quality of practice: the grades of case file audits by team, locality and quarter (aggregates only)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from earlyhelp.figures import percentage
from earlyhelp.periods import FinancialYear
from earlyhelp.permissions import Capability, require_capability

from .. import forms, stats
from ..models import CaseFileAudit


def grade_table(groups: list[stats.AuditGrades], *, places: int, threshold: int) -> list[dict]:
    """Rows for a page: each group's base (audits), each grade's count with its percentage of the base, and the
    share judged good or outstanding; rates worked out here, once. ``small`` flags a base under the tenant's
    small-number threshold (a percentage of so few audits says little)."""
    rows = []
    for group in groups:
        good = group.at_least_good()
        rows.append({
            "label": group.label, "audited": group.audited, "small": 0 < group.audited < threshold,
            "grades": [{"count": group.grades[g], "percent": percentage(group.grades[g], group.audited, places)}
                       for g in stats.GRADES],
            "good": {"count": good.numerator, "percent": percentage(good.numerator, good.base, places)},
        })
    return rows


def audit_tables(audits: stats.AuditStats, tenant) -> dict:
    kwargs = {"places": tenant.rate_decimal_places, "threshold": tenant.small_number_threshold}
    return {
        "grade_labels": [label for _, label in CaseFileAudit.Grade.choices],
        "total": grade_table([audits.total], **kwargs)[0],
        "tables": [
            {"caption": "All audits", "rows": grade_table([audits.total], **kwargs)},
            {"caption": "By team", "rows": grade_table(audits.by_team, **kwargs)},
            {"caption": "By locality", "rows": grade_table(audits.by_locality, **kwargs)},
            {"caption": "By quarter of the audit", "rows": grade_table(audits.by_quarter, **kwargs)},
        ],
    }


@require_capability(Capability.VIEW_STATISTICS)
def audit_grades(request):
    """Team managers' and performance officers' page: how case files were graded in a financial year."""
    fy_month = request.tenant.financial_year_start_month
    latest = FinancialYear.containing(timezone.localdate(), fy_month)
    form = forms.AuditGradesForm(request.GET or None, latest=latest)
    data = form.cleaned_data if form.is_valid() else {}
    year = form.years.get(data.get("year")) or latest
    area = data.get("area") or "overall"
    audits = stats.audit_stats(period=year, team=data.get("team"), locality=data.get("locality"), area=area)
    return render(request, "cases/audit_grades.html", {
        "form": form, "year": year, "audits": audits, "area_label": dict(form.fields["area"].choices)[area],
        "team": data.get("team"), "locality": data.get("locality"), **audit_tables(audits, request.tenant),
    }, status=400 if form.errors else 200)
