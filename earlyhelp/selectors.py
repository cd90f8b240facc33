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
    record? Newest first. A record has been seen by a read of it (its page, a read by its id) and by a list read
    that returned it (an API list: ``detail.object_ids``)."""
    events = AuditEvent.objects.select_related("actor")
    # The conditions of the partial indexes (audit_actor_idx, audit_object_idx, audit_listed_idx) stated, so that
    # they are used.
    if actor_public_id:
        events = events.filter(actor__isnull=False, actor__public_id=actor_public_id)
    if object_public_ids:
        ids = [str(i) for i in object_public_ids]
        seen = Q(~Q(object_public_id=""), object_public_id__in=ids)
        for public_id in ids:
            seen |= Q(detail__has_key="object_ids", detail__contains={"object_ids": [public_id]})
        events = events.filter(seen)
    if start:
        events = events.filter(occurred_at__date__gte=start)
    if end:
        events = events.filter(occurred_at__date__lte=end)
    if reads_only:  # views, downloads and every row written as a read (record_read: API reads, lists included)
        events = events.filter(Q(action__endswith=".viewed") | Q(action__endswith=".downloaded") | Q(chained=False))
    return events.order_by("-id")  # the order rows were written in: (tenant, -id) index


def tenant_users():
    """Users with a membership in the current tenant, for choosing whose activity to see."""
    return [m.user for m in Membership.objects.select_related("user").order_by("user__last_name")]
