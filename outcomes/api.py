"""The outcomes app's REST API: distance-travelled readings, recorded by partner systems and read back.

Thin over ``outcomes.services.reading_record``: the same rules as the browser form. The case and the person are
named by public id and the tool by its code, each looked up in the caller's tenant at validation time, so an id
of another tenant is "does not exist" (400). A reading the rules refuse (a score off the scale, a stage out of
order, a date outside the case) is a 422 problem whose ``errors`` point at the fields (``/scores/<area key>``
for a score). Reads need ``readings:read``; every reading read by its id is audited.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from cases.models import Case, Person
from earlyhelp.api.base import AuditedReadMixin, TenantViewSet
from earlyhelp.api.idempotency import IdempotentCreateMixin
from earlyhelp.api.models import Scope
from earlyhelp.api.problems import UnprocessableContent
from earlyhelp.api.serializers import PublicIdRelatedField, StrictSerializer
from earlyhelp.api.services import api_submission_record

from . import services
from .models import DistanceTool, Reading, ReadingScore, Stage


class ToolCodeField(PublicIdRelatedField):
    """One of the tenant's tools in use, by its code (``spider-graph``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(model=DistanceTool, **kwargs)

    def get_queryset(self):
        return DistanceTool.objects.filter(is_active=True)


class ReadingSerializer(serializers.ModelSerializer):
    """A reading as the API shows it: scores by area key (areas not scored are absent)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True, allow_null=True)
    tool = serializers.CharField(source="tool.code", read_only=True)
    tool_version = serializers.IntegerField(source="version.number", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Reading
        fields = ["id", "case", "person", "tool", "tool_version", "stage", "taken_on", "scores", "notes",
                  "created_at"]
        read_only_fields = fields

    def get_scores(self, obj) -> dict[str, int]:
        return {s.area.key: s.score for s in obj.scores.all()}


class ReadingCreateSerializer(StrictSerializer):
    case = PublicIdRelatedField(model=Case, help_text="The case's id.")
    person = PublicIdRelatedField(model=Person, required=False, allow_null=True, default=None,
                                  help_text="The person's id; leave out for a whole-family tool.")
    tool = ToolCodeField(help_text="The tool's code, e.g. spider-graph.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    taken_on = serializers.DateField()
    scores = serializers.DictField(child=serializers.IntegerField(allow_null=True, min_value=-1000, max_value=1000),
                                   allow_empty=False, help_text="A score per area key; null or absent: not scored.")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_scores(self, value):
        if len(value) > 100:
            raise serializers.ValidationError("At most 100 areas.")
        return value

    def to_representation(self, instance):
        return ReadingSerializer(instance, context=self.context).data


class ReadingRefused(UnprocessableContent):
    default_detail = "The reading breaks a recording rule: see errors."
    default_code = "reading_refused"

    def __init__(self, errors: list[dict]):
        super().__init__()
        self.errors = errors


def _refusal(exc: DjangoValidationError, fields, area_keys) -> ReadingRefused:
    """The service's messages with JSON pointers: a field of the request, a score's area, or the whole body."""
    errors = []
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for key, texts in messages.items():
        if key in fields:
            pointer = f"/{key}"
        elif key in area_keys:
            pointer = f"/scores/{key}"
        else:
            pointer = ""
        errors.extend({"pointer": pointer, "detail": text, "code": "rule"} for text in texts)
    return ReadingRefused(errors)


class ReadingFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case__public_id", help_text="A case's id.")
    person = django_filters.UUIDFilter(field_name="person__public_id", help_text="A person's id.")
    tool = django_filters.CharFilter(field_name="tool__code", max_length=40, help_text="A tool's code.")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)

    class Meta:
        model = Reading
        fields = ["case", "person", "tool", "stage"]


@extend_schema_view(
    create=extend_schema(request=ReadingCreateSerializer, responses={201: ReadingSerializer}),
)
class ReadingViewSet(AuditedReadMixin, IdempotentCreateMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                     mixins.RetrieveModelMixin, TenantViewSet):
    """Distance-travelled readings (spider graphs, wellbeing webs): record one, list them by case or person,
    read one."""

    required_scopes = {"GET": Scope.READINGS_READ.value, "POST": Scope.READINGS_WRITE.value}
    queryset = Reading.objects.all()  # for the schema; requests use get_queryset()
    filterset_class = ReadingFilter
    lookup_value_converter = "uuid"
    cursor_ordering = ("-taken_on", "-id")
    viewed_action = "reading.viewed"

    def get_serializer_class(self):
        return ReadingCreateSerializer if self.action == "create" else ReadingSerializer

    def get_queryset(self):
        return Reading.objects.select_related("case", "person", "tool", "version").prefetch_related(
            Prefetch("scores", ReadingScore.objects.select_related("area")))

    def perform_create(self, serializer):
        caller = self.request.auth
        data = serializer.validated_data
        try:
            reading = services.reading_record(
                case=data["case"], person=data["person"], tool=data["tool"], stage=data["stage"],
                taken_on=data["taken_on"], scores=data["scores"], notes=data["notes"], by=caller.by)
        except DjangoValidationError as exc:
            raise _refusal(exc, serializer.fields, set(data["scores"])) from None
        api_submission_record(client=caller.client, obj=reading)
        self.audit_objects(reading)
        serializer.instance = self.get_queryset().get(pk=reading.pk)


__all__ = ["ReadingViewSet"]
