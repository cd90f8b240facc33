"""Reminders: each member's task list, for the task page and the daily digest — reviews due, assessments overdue,
supervision due, plan actions due and, for managers, cases waiting to be allocated (read in a fixed number of
queries) — and the daily digest that emails it (counts and a link only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse

from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Tenant
from earlyhelp.permissions import Capability, Role, has_capability

from .models import Case, PlanAction
from .selectors import cases_with_drift
from .services import case_settings, check_one_tenant

DUE_SOON_DAYS = 7


@dataclass
class TaskList:
    today: dt.date
    reviews_due: list[Case] = field(default_factory=list)
    assessments_overdue: list[Case] = field(default_factory=list)
    supervision_due: list[Case] = field(default_factory=list)
    actions_due: list[PlanAction] = field(default_factory=list)
    unallocated: list[Case] = field(default_factory=list)
    is_manager: bool = False

    @property
    def count(self) -> int:
        return sum(len(x) for x in (self.reviews_due, self.assessments_overdue, self.supervision_due,
                                    self.actions_due, self.unallocated))


def task_list(*, membership, today: dt.date | None = None) -> TaskList:
    """What needs doing by the member (their own open cases) and, for a team manager, across their teams:
    reviews due within a week or overdue, assessments past the tenant's limit, supervision due within a week or
    overdue (managers), plan actions due within a week or overdue and not done, and unallocated cases (managers).
    """
    if not has_capability(membership, Capability.VIEW_CHILD_RECORDS):
        raise PermissionDenied("Your role has no casework tasks.")
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    manager = has_capability(membership, Capability.MANAGE_TEAM)
    settings_row = case_settings()
    mine = Q(lead_professional=membership.user)
    team_cases = Q(team__in=membership.teams.values("pk"))
    cases = list(
        cases_with_drift(today=today, assessment_limit_days=settings_row.assessment_limit_days,
                         supervision_interval_days=settings_row.supervision_interval_days)
        .filter(closed_on__isnull=True)
        .filter(mine | team_cases if manager else mine)
        .select_related("family", "team", "lead_professional")
        .order_by("opened_on", "id")
    )
    tasks = TaskList(today=today, is_manager=manager)
    for case in cases:
        own = case.lead_professional_id == membership.user_id
        if own and (case.review_overdue or (case.next_review_on and case.next_review_on <= soon)):
            tasks.reviews_due.append(case)
        if own and case.assessment_drift:
            tasks.assessments_overdue.append(case)
        if manager:
            due = case.supervision_next_on or case.opened_on + dt.timedelta(days=settings_row.supervision_interval_days)
            if case.lead_professional_id is not None and (case.supervision_overdue or due <= soon):
                tasks.supervision_due.append(case)
            if case.lead_professional_id is None:
                tasks.unallocated.append(case)
    tasks.actions_due = list(
        PlanAction.objects.filter(plan__case__lead_professional=membership.user, plan__case__closed_on__isnull=True,
                                  due_on__lte=soon)
        .exclude(status__in=[PlanAction.Status.DONE, PlanAction.Status.DROPPED])
        .select_related("plan__case__family")
        .order_by("due_on", "id")
        .annotate(case_public_id=F("plan__case__public_id"))
    )
    return tasks


# The daily digest: each case worker's task list by email. The email carries counts and a link only — no names of
# families or children leave the system by email.

DIGEST_ROLES = [Role.PRACTITIONER, Role.TEAM_MANAGER]


def daily_digests_send(*, tenant: Tenant, today: dt.date | None = None) -> int:
    """Send each active practitioner and manager with an email address a digest of what is due, when anything
    is. Runs in the tenant's context (the Celery task enters it). Returns the number of emails sent."""
    check_one_tenant()
    today = today or dt.date.today()
    sent = 0
    link = settings.SITE_URL.rstrip("/") + reverse("cases:tasks")
    memberships = Membership.objects.filter(is_active=True, role__in=DIGEST_ROLES).select_related("user")
    for membership in memberships.prefetch_related("teams"):
        if not membership.user.email:
            continue
        tasks = task_list(membership=membership, today=today)
        if not tasks.count:
            continue
        body = render_to_string("cases/email/digest.txt", {"tasks": tasks, "tenant": tenant, "link": link,
                                                           "user": membership.user})
        send_mail(f"Early help: {tasks.count} task{'s' if tasks.count != 1 else ''} due", body,
                  settings.DEFAULT_FROM_EMAIL, [membership.user.email])
        sent += 1
    record_event(action="reminders.digest_sent", actor_label="daily digest", tenant=tenant,
                 detail={"sent": sent, "on": today.isoformat()})
    return sent
