"""Demo: one committee report for each demo council, rendered once (tasks run eagerly in the demo)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.urls import resolve

from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.tenancy import tenant_context

from . import indicators
from .models import Indicator, Report, ReportRun
from .services import report_arrange_sections, report_create, report_run_execute, report_run_request

DEMO_TITLE = "Early Help: commissioned services and outcomes"
ANNUAL_TITLE = "Early Help performance report"

# Fictional quarter-end statutory caseloads for the demo (per 8 quarters, oldest first).
DEMO_INDICATORS = {
    Indicator.CHILDREN_IN_NEED: [612, 634, 671, 655, 640, 628, 619, 603],
    Indicator.CHILD_PROTECTION: [241, 252, 266, 259, 247, 238, 229, 224],
    Indicator.CHILDREN_IN_CARE: [402, 398, 405, 399, 396, 391, 388, 384],
    Indicator.YOUTH_OFFENDING: [88, 91, 84, 79, 81, 77, 72, 70],
}


def _render(tenant, report, officer) -> None:
    run = report_run_request(report=report, by=officer)
    # The run's task is queued on commit; in the demo it runs eagerly then. Render now as well, so the demo
    # holds a finished report even when seed_demo runs with a broker configured.
    if ReportRun.objects.get(pk=run.pk).status != ReportRun.Status.DONE:
        report_run_execute(tenant=tenant, run_id=run.pk)


def seed(tenant, users) -> None:
    officer = Membership.objects.get(user=users["officer"])  # the demo acts as the seeded performance officer
    _seed_annual(tenant, officer)
    _seed_exempt(tenant, officer)
    if Report.objects.filter(title=DEMO_TITLE).exists():
        return
    report = report_create(
        by=officer,
        title=DEMO_TITLE,
        committee="Children's Overview and Scrutiny Committee",
        meeting_date=dt.date(2015, 1, 6),
        item_number="6",
        wards_affected="All",
        key_decision="Not applicable",
        report_of=f"{officer.user.get_full_name()} – Performance and Intelligence Officer",
        accountable_director="Director of Children's Services",
        is_public=True,
        period_start_year=2014,
        period_quarter=2,
        author=f"{officer.user.get_full_name()}, Performance Officer, Children's Services",
        executive_summary=(
            "A range of services were commissioned as part of the Early Help strategy to give families support "
            "at an earlier stage, reduce the risk of needs escalating and improve outcomes.\n\n"
            "This report sets out what those services did this quarter and whether families are better off. "
            "Every figure is taken from the council's records; small numbers are suppressed because this report "
            "is Public."
        ),
        recommendations="That members note the outcomes being achieved through early help services.",
        introduction=(
            "The council and its partners commissioned services against the priorities of the Early Help "
            "strategy:\n\n- support for parents facing substance misuse\n- support for victims of domestic "
            "and sexual violence\n- parenting support\n- intensive family support"
        ),
        issues_analysis="Providers report their outputs and outcomes quarterly; the tables follow.",
        reasons_for_recommendation="To keep members informed of the difference early help services make.",
        consultation="Service users and professionals are consulted through each service's annual review.",
        corporate_policies="This work supports the priorities *improve health and wellbeing* and *create a great "
                           "place for learning and opportunity*.",
        financial_implications="There are no direct financial implications arising from this report.",
        financial_verified_by="Finance Manager",
        legal_implications="There are no direct legal implications.",
        legal_verified_by="Principal Solicitor, Children's Safeguarding",
        diversity_implications="An equality impact assessment was completed when the strategy was developed.",
        diversity_verified_by="Equalities and Cohesion Officer",
        other_implications="None",
        background_papers="None",
        appendices="None",
    )
    report.sections = [dict(item, include=item["key"] in KPI_REPORT_SECTIONS) for item in report.sections]
    report.save(update_fields=["sections"])
    _render(tenant, report, officer)


KPI_REPORT_SECTIONS = {
    "executive_summary", "recommendations", "introduction", "issues_analysis", "commissioned_services",
    "reasons_for_recommendation", "consultation", "corporate_policies", "implications", "background_papers",
    "appendices",
}


def _seed_annual(tenant, officer) -> None:
    """Statutory figures and a unit cost for the last eight quarters, and a report for the last quarter."""
    if Report.objects.filter(title=ANNUAL_TITLE).exists():
        return
    last = Quarter.containing(dt.date.today(), tenant.financial_year_start_month).previous()
    quarters = [last.shifted(-i) for i in range(7, -1, -1)]
    for indicator, values in DEMO_INDICATORS.items():
        for quarter, value in zip(quarters, values, strict=True):
            indicators.indicator_record(tenant=tenant, indicator=indicator, quarter=quarter, value=value,
                                        source="Demo figures (fictional)", by=officer)
    # The weekly cost of a care placement is the public figure from Derby's 2015 report (seed 001 §4.17).
    indicators.unit_cost_save(tenant=tenant, by=officer, name="Average care placement",
                              indicator=Indicator.CHILDREN_IN_CARE, weekly_cost="1825.00", weeks=52,
                              note="Internal and external residential, in-house and agency fostering")
    report = report_create(
        by=officer,
        title=ANNUAL_TITLE,
        committee="Children and Young People Overview and Scrutiny Board",
        meeting_date=last.end + dt.timedelta(days=45),
        item_number="8",
        report_of=f"{officer.user.get_full_name()} – Performance and Intelligence Officer",
        accountable_director="Strategic Director for People",
        is_public=True,
        period_start_year=last.start_year,
        period_quarter=last.number,
        follow_up_months=3,  # the demo holds one year of casework
        author=f"{officer.user.get_full_name()}, Performance Officer",
        executive_summary="This report shows how much early help did this quarter, how well it did it, and "
                          "whether families are better off. Every figure comes from the council's records.",
        recommendations="That members note the performance of early help services.\n"
                        "That members note the cost avoided in children's social care.",
        introduction="Early help gives children and families support when needs first emerge.",
        financial_implications="The cost avoided shown is an estimate from the fall in the number of children "
                               "in care and the average weekly cost of a placement.",
        financial_verified_by="Finance Business Partner, People",
        legal_implications="None.",
        legal_verified_by="Head of Legal Services",
        diversity_implications="None arising from this report.",
        diversity_verified_by="Equalities Officer",
    )
    # The optional quality-of-practice section (case file audits) is included in this report.
    report_arrange_sections(report=report, by=officer, layout=[
        {**item, "include": item["include"] or item["key"] == "case_file_audits"} for item in report.sections])
    _render(tenant, report, officer)


EXEMPT_TITLE = "Early Help performance report: small numbers (not for publication)"


def _seed_exempt(tenant, officer) -> None:
    """The flagship report's exempt companion: the same figures, small numbers shown (no suppression). Not
    rendered here, to keep the demo's first start short: an officer renders it from its page (demo_check does)."""
    if Report.objects.filter(title=EXEMPT_TITLE).exists():
        return
    last = Quarter.containing(dt.date.today(), tenant.financial_year_start_month).previous()
    report_create(
        by=officer,
        title=EXEMPT_TITLE,
        committee="Children and Young People Overview and Scrutiny Board",
        meeting_date=last.end + dt.timedelta(days=45),
        item_number="8 (exempt appendix)",
        report_of=f"{officer.user.get_full_name()} – Performance and Intelligence Officer",
        accountable_director="Strategic Director for People",
        is_public=False,
        exempt_reason="Paragraph 2 of Schedule 12A to the Local Government Act 1972: small numbers could "
                      "identify children and families.",
        period_start_year=last.start_year,
        period_quarter=last.number,
        follow_up_months=3,
        author=f"{officer.user.get_full_name()}, Performance Officer",
        executive_summary="The figures of the performance report without small-number suppression, for members "
                          "in closed session.",
        recommendations="That members note the figures.",
        financial_verified_by="Finance Business Partner, People",
        legal_verified_by="Head of Legal Services",
        diversity_verified_by="Equalities Officer",
    )


def check(tenant, sign_in) -> list[str]:
    """For manage.py demo_check: problems with the council's reports, as sentences (none: all well).

    Every report run so far (the seed's) must be done. Then the performance officer asks for a run of the first
    Public and the first exempt report through the report page's form (the real task, eager in the demo), and
    each must end done with a PDF to download."""
    with tenant_context(tenant):
        problems = [f"the report run of “{run.report.title}” is {run.status}"
                    for run in ReportRun.objects.select_related("report").exclude(status=ReportRun.Status.DONE)]
        if not ReportRun.objects.exists():
            problems.append("the seed rendered no report")
        reports = {public: Report.objects.filter(is_public=public).order_by("created_at").first()
                   for public in (True, False)}
    client = sign_in("officer")
    for public, report in reports.items():
        kind = "Public" if public else "exempt"
        if report is None:
            problems.append(f"there is no {kind} demo report")
            continue
        response = client.post(f"/reports/{report.public_id}/render/")
        if response.status_code != 302:
            problems.append(f"asking for a run of “{report.title}” answered {response.status_code}")
            continue
        run_id = resolve(urlsplit(response["Location"]).path).kwargs["public_id"]
        with tenant_context(tenant):
            run = ReportRun.objects.get(public_id=run_id)
        download = client.get(f"/reports/runs/{run_id}/download/")
        if run.status != ReportRun.Status.DONE or download.get("Content-Type") != "application/pdf":
            problems.append(f"the {kind} report “{report.title}” ended {run.status} ({run.error or 'no PDF'})")
    return problems

