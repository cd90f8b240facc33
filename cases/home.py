"""The casework panels of the home page: a practitioner's caseload, tasks due and referrals waiting for a decision;
a manager's team drift, unallocated cases and supervision due (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from earlyhelp.permissions import Capability, has_capability

from . import reminders, selectors

SHOWN = 8


def casework_panel(request) -> dict | None:
    membership = request.membership
    if not has_capability(membership, Capability.EDIT_CHILD_RECORDS):  # an auditor reads records, leads none
        return None
    load = selectors.caseload(membership=membership, scope="mine")
    tasks = reminders.task_list(membership=membership)
    referrals = selectors.referrals_awaiting_decision(membership=membership)
    panel = {"template": "cases/_home.html", "load": load, "my_cases": load.cases[:SHOWN], "tasks": tasks,
             "referrals": referrals[:SHOWN], "referral_count": len(referrals),
             "can_refer": True}
    if has_capability(membership, Capability.MANAGE_TEAM):
        workers, team = selectors.team_overview(membership=membership)
        panel["team"] = {
            "workers": workers,
            "drifting": [c for c in team.cases if c.assessment_drift or c.review_overdue],
            "unallocated": selectors.unallocated(team),
            "supervision_due": [c for c in team.cases if c.supervision_overdue and c.lead_professional_id],
        }
    return panel


def shared_cases_panel(request) -> dict | None:
    """A partner practitioner's shared cases (cases.partner_access), newest first."""
    if not has_capability(request.membership, Capability.VIEW_SHARED_CASES):
        return None
    from .partner_access import partner_cases

    cases = list(partner_cases(by=request.membership)[:SHOWN])
    return {"template": "cases/_home_shared.html", "cases": cases}
