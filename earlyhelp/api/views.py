"""The platform's own endpoints: who am I, and the tenant's teams."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from .. import selectors
from ..models import Team
from .base import TenantAPIView, TenantReadOnlyViewSet
from .models import Scope
from .permissions import ANY_AUTHENTICATED


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["client", "user"])
    tenant = NamedRefSerializer()
    client = NamedRefSerializer(allow_null=True)
    username = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())


class MeView(TenantAPIView):
    """The caller: their local authority, the API client or user, and the scopes they hold here."""

    required_scopes = {"GET": ANY_AUTHENTICATED}

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def get(self, request):
        caller = request.auth
        membership = caller.membership
        data = {
            "kind": "client" if caller.is_client else "user",
            "tenant": caller.tenant,
            "client": caller.client,
            "username": membership.user.username if membership else None,
            "role": membership.role if membership else None,
            "scopes": caller.scopes,
        }
        return Response(MeSerializer(data).data)


class TeamSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    locality = NamedRefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "locality"]


class TeamFilter(django_filters.FilterSet):
    locality = django_filters.UUIDFilter(field_name="locality__public_id", help_text="A locality's id.")

    class Meta:
        model = Team
        fields = ["locality"]


class TeamViewSet(TenantReadOnlyViewSet):
    """The local authority's teams (to filter cases and statistics by team)."""

    required_scopes = {"GET": (Scope.CASES_READ.value, Scope.STATS_READ.value)}
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    cursor_ordering = "name"
    lookup_value_converter = "uuid"
    queryset = Team.objects.all()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return selectors.teams_with_member_counts()
