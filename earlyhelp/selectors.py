"""Reads for the platform's own screens."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import AuditEvent, Locality, Membership, Team


def teams_with_member_counts(*, active_only: bool = False) -> QuerySet[Team]:
    """The council's teams with ``member_count``: every membership, or with ``active_only`` the active ones."""
    members = Count("memberships", filter=Q(memberships__is_active=True)) if active_only else Count("memberships")
    return Team.objects.select_related("locality").annotate(member_count=members)


def localities() -> QuerySet[Locality]:
    return Locality.objects.annotate(team_count=Count("teams"))


def members(*, active_only: bool = False) -> QuerySet[Membership]:
    """The council's members with their users and teams, active ones first, by name."""
    found = Membership.objects.select_related("user").prefetch_related("teams").order_by(
        "-is_active", "user__last_name", "user__first_name", "user__username")
    return found.filter(is_active=True) if active_only else found


def member_counts() -> dict[str, int]:
    """How many of the council's members are active and how many deactivated."""
    return Membership.objects.aggregate(active=Count("pk", filter=Q(is_active=True)),
                                        inactive=Count("pk", filter=Q(is_active=False)))


def recent_audit_events(limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("actor")[:limit])


def access_log(*, actor_public_id=None, object_public_ids=(), start=None, end=None, reads_only=False):
    """Audit events filtered for the access-log questions: what has this user looked at? who has seen this
    record? Newest first."""
    events = AuditEvent.objects.select_related("actor")
    # The conditions of the partial indexes (audit_actor_idx, audit_object_idx) stated, so that they are used.
    if actor_public_id:
        events = events.filter(actor__isnull=False, actor__public_id=actor_public_id)
    if object_public_ids:
        events = events.exclude(object_public_id="").filter(object_public_id__in=[str(i) for i in object_public_ids])
    if start:
        events = events.filter(occurred_at__date__gte=start)
    if end:
        events = events.filter(occurred_at__date__lte=end)
    if reads_only:
        events = events.filter(action__endswith=".viewed") | events.filter(action__endswith=".downloaded")
    return events.order_by("-id")  # the order rows were written in: (tenant, -id) index


def tenant_users():
    """Users with a membership in the current tenant, for choosing whose activity to see."""
    return [m.user for m in Membership.objects.select_related("user").order_by("user__last_name")]
