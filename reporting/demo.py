"""Demo: one committee report for each demo council, rendered once (tasks run eagerly in the demo)."""

from __future__ import annotations

import datetime as dt

from .models import Report, ReportRun
from .services import report_create, report_run_execute, report_run_request

DEMO_TITLE = "Early Help: commissioned services and outcomes"


def seed(tenant, users) -> None:
    if Report.objects.filter(title=DEMO_TITLE).exists():
        return
    officer = users["officer"]
    report = report_create(
        created_by=officer,
        title=DEMO_TITLE,
        committee="Children's Overview and Scrutiny Committee",
        meeting_date=dt.date(2015, 1, 6),
        item_number="6",
        wards_affected="All",
        key_decision="Not applicable",
        report_of=f"{officer.get_full_name()} – Performance and Intelligence Officer",
        accountable_director="Director of Children's Services",
        is_public=True,
        period_start_year=2014,
        period_quarter=2,
        author=f"{officer.get_full_name()}, Performance Officer, Children's Services",
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
    run = report_run_request(report=report, requested_by=officer)
    # The run's task is queued on commit; in the demo it runs eagerly then. Render now as well, so the demo
    # holds a finished report even when seed_demo runs with a broker configured.
    if ReportRun.objects.get(pk=run.pk).status != ReportRun.Status.DONE:
        report_run_execute(tenant=tenant, run_id=run.pk)
