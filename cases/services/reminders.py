"""The daily digest: each case worker's task list by email. The email carries counts and a link only — no names
of families or children leave the system by email."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Tenant
from earlyhelp.permissions import Role

from ._common import check_one_tenant

DIGEST_ROLES = [Role.PRACTITIONER, Role.TEAM_MANAGER]


def daily_digests_send(*, tenant: Tenant, today: dt.date | None = None) -> int:
    """Send each active practitioner and manager with an email address a digest of what is due, when anything
    is. Runs in the tenant's context (the Celery task enters it). Returns the number of emails sent."""
    from ..reminders import task_list  # reads live above the services

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
