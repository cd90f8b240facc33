"""Builders for outcomes tests: a spider graph for the family (1–10, higher better) and a worry scale for a
child (0–4, lower better), each with three areas; readings recorded through the service."""

from __future__ import annotations

from cases.tests.helpers import D
from outcomes import services
from outcomes.models import DistanceTool
from tests.factories import acting

__all__ = ["D", "by_of", "goal_add", "national_framework_records", "spider", "worry", "reading"]


def spider() -> DistanceTool:
    return services.tool_create(code="spider", name="Spider", subject="family", scale_min=1, scale_max=10,
                                higher_is_better=True, areas=[("a", "Area A"), ("b", "Area B"), ("c", "Area C")],
                                by=acting(role="tenant_admin"))


def worry() -> DistanceTool:
    return services.tool_create(code="worry", name="Worry scale", subject="child", scale_min=0, scale_max=4,
                                higher_is_better=False, areas=[("x", "Worry X"), ("y", "Worry Y"), ("z", "Worry Z")],
                                by=acting(role="tenant_admin"))


def reading(case, tool, stage, on, person=None, **scores):
    return services.reading_record(case=case, tool=tool, stage=stage, taken_on=on, person=person, scores=scores,
                                   by=acting())


# ------------------------------------------------------------------- National Framework outcomes (plan goals)


def by_of(tenant, user):
    """The user's membership of ``tenant``: the ``by`` of the services."""
    from earlyhelp.models import Membership

    return Membership.all_tenants.get(tenant=tenant, user=user)


def goal_add(plan, by, nf="", status=None, due=D(2024, 6, 1)):
    from cases import services as case_services

    goal = case_services.plan_goal_add(plan=plan, description="Goal", owner="Mum", due_on=due, nf_outcome=nf, by=by)
    if status:
        case_services.plan_action_update(action=goal, status=status, by=acting())
    return goal


def national_framework_records(tenant, lead):
    """Q1 2024/25 (April–June 2024): one plan made with three goals (two 'stay together', one untagged), its case
    closed in June with one goal done; family outcomes at closure: parenting (tagged 'stay together') improved,
    domestic abuse (tagged 'safe') no change. Another case's plan made in Q2 does not count in Q1."""
    from cases import services as case_services
    from cases.models import PlanAction
    from cases.tests.helpers import child, close, open_case, team_for
    from earlyhelp.tenancy import tenant_context
    from outcomes.models import FamilyOutcome

    team = team_for(tenant, lead)
    by = by_of(tenant, lead)
    with tenant_context(tenant):
        services.family_outcomes_ensure(tenant=tenant)
        case = open_case(lead=lead, team=team, kid=child(first="Ada", last="Ashby"), opened_on=D(2024, 4, 20))
        plan = case_services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        goal_add(plan, by, "stay_together", PlanAction.Status.DONE)
        goal_add(plan, by, "stay_together")
        goal_add(plan, by)
        close(case, closed_on=D(2024, 6, 20))
        services.family_outcomes_record(case=case, progress={
            FamilyOutcome.objects.get(code="parenting"): "improved",
            FamilyOutcome.objects.get(code="domestic-abuse"): "no_change"}, by=acting())
        other = open_case(lead=lead, team=team, kid=child(first="Bea", last="Brook"), opened_on=D(2024, 7, 2),
                          received_on=D(2024, 7, 1))
        other_plan = case_services.plan_create(case=other, created_on=D(2024, 7, 3), by=acting())
        goal_add(other_plan, by, "safe", due=D(2024, 8, 1))
    return case
