"""Reads for the platform's own screens."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import AuditEvent, Locality, Membership, Team


def teams_with_member_counts() -> QuerySet[Team]:
    return Team.objects.select_related("locality").annotate(member_count=Count("memberships"))


def localities() -> QuerySet[Locality]:
    return Locality.objects.annotate(team_count=Count("teams"))


def members() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").prefetch_related("teams")


def recent_audit_events(limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("actor")[:limit])
