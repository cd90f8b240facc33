"""``/api/v1/`` read endpoints of Family Help: section 17 episodes and family meetings, for partner systems and
census/BI extracts holding the ``cases:read`` scope. Writes stay in the browser (``cases.services.familyhelp``)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers

from earlyhelp.api.base import AuditedReadMixin, TenantReadOnlyViewSet
from earlyhelp.api.models import Scope

from .models import FamilyMeeting, Person, Section17Episode


class Section17EpisodeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    primary_need = serializers.CharField(read_only=True, help_text="CIN census primary need code, N1–N9.")
    referral_source = serializers.CharField(read_only=True, help_text="CIN census referral source code, 1A–10; "
                                                                      "empty when not given.")
    closure_reason = serializers.CharField(read_only=True, help_text="CIN census reason for closure, RC1–RC9; "
                                                                     "empty while the episode is open.")
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Section17Episode
        fields = ["id", "case", "started_on", "ended_on", "is_open", "primary_need", "referral_source",
                  "closure_reason"]
        read_only_fields = fields


class FamilyMeetingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    network_members = serializers.SlugRelatedField(slug_field="public_id", many=True, read_only=True,
                                                   help_text="Ids of the people invited (see /people/).")
    status = serializers.CharField(read_only=True, help_text="Offered, Accepted, Declined or Held.")
    module5_outcome_code = serializers.CharField(read_only=True, help_text="CS131 pre-proceedings outcome "
                                                                           "(A, B or C); empty when not given.")

    class Meta:
        model = FamilyMeeting
        fields = ["id", "case", "network_members", "offered_on", "accepted_on", "declined_on", "held_on", "status",
                  "facilitator", "family_plan", "outcome", "letter_before_proceedings_on",
                  "pre_proceedings_meeting_offered", "facilitated", "module5_outcome_code"]
        read_only_fields = fields


class Section17EpisodeFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case__public_id", help_text="A case's id.")
    status = django_filters.ChoiceFilter(choices=[("open", "Open"), ("closed", "Closed")], method="filter_status",
                                         help_text="open or closed")
    started_from = django_filters.DateFilter(field_name="started_on", lookup_expr="gte")
    started_to = django_filters.DateFilter(field_name="started_on", lookup_expr="lte")

    class Meta:
        model = Section17Episode
        fields = ["case", "status", "started_from", "started_to"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=value == "open")


class FamilyMeetingFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case__public_id", help_text="A case's id.")
    offered_from = django_filters.DateFilter(field_name="offered_on", lookup_expr="gte")
    offered_to = django_filters.DateFilter(field_name="offered_on", lookup_expr="lte")

    class Meta:
        model = FamilyMeeting
        fields = ["case", "offered_from", "offered_to"]


class Section17EpisodeViewSet(AuditedReadMixin, TenantReadOnlyViewSet):
    """Section 17 (child in need) episodes on Family Help cases, with their CIN census codes."""

    required_scopes = {"GET": Scope.CASES_READ.value}
    serializer_class = Section17EpisodeSerializer
    filterset_class = Section17EpisodeFilter
    queryset = Section17Episode.objects.all()
    lookup_value_converter = "uuid"
    cursor_ordering = ("-started_on", "-id")
    viewed_action = "section17_episode.viewed"

    def get_queryset(self):
        return Section17Episode.objects.select_related("case")


class FamilyMeetingViewSet(AuditedReadMixin, TenantReadOnlyViewSet):
    """Family meetings (family group decision making, s31ZA Children Act 1989) and their CIN census Module 5
    pre-proceedings items."""

    required_scopes = {"GET": Scope.CASES_READ.value}
    serializer_class = FamilyMeetingSerializer
    filterset_class = FamilyMeetingFilter
    queryset = FamilyMeeting.objects.all()
    lookup_value_converter = "uuid"
    cursor_ordering = ("-offered_on", "-id")
    viewed_action = "family_meeting.viewed"

    def get_queryset(self):
        return FamilyMeeting.objects.select_related("case").prefetch_related(
            Prefetch("network_members", queryset=Person.objects.only("id", "public_id")))
