"""The project's URLs plus a test-only create endpoint, to exercise POST plumbing before the apps bring theirs."""

from django.urls import path
from rest_framework import mixins

from earlyhelp.api.base import TenantGenericAPIView
from earlyhelp.api.idempotency import IdempotentCreateMixin
from earlyhelp.api.serializers import PublicIdRelatedField, StrictModelSerializer
from earlyhelp.models import Locality, Team
from earlyhelp.urls import handler400, handler403, handler404, handler500  # noqa: F401
from earlyhelp.urls import urlpatterns as project_urls


class TeamCreateSerializer(StrictModelSerializer):
    locality = PublicIdRelatedField(model=Locality, allow_null=True, required=False)

    class Meta:
        model = Team
        fields = ["name", "locality"]

    def to_representation(self, instance):
        return {"id": str(instance.public_id), "name": instance.name,
                "locality": str(instance.locality.public_id) if instance.locality else None}


class TeamCreateView(IdempotentCreateMixin, mixins.CreateModelMixin, TenantGenericAPIView):
    required_scopes = {"POST": "referrals:write"}
    serializer_class = TeamCreateSerializer

    def get_queryset(self):
        return Team.objects.all()

    def post(self, request, *args, **kwargs):
        return self.create(request, *args, **kwargs)

    def perform_create(self, serializer):
        team = serializer.save(tenant=self.request.auth.tenant)
        self.audit_objects(team)


urlpatterns = [path("api/test/teams/", TeamCreateView.as_view(), name="test-team-create"), *project_urls]
