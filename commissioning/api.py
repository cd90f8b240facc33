"""The commissioning app's REST API: a provider's system submits a quarterly KPI return as JSON and reads
its status.

A return sent as JSON goes through ``services.return_rows_import``: the same validation of every row as an
uploaded file, and the same all-or-nothing rule. Problems come back as one 422 problem whose ``errors`` point
at the rows and fields (``/rows/2/numerator``).

Who may submit for which service: a signed-in provider user for their own provider's services, a commissioner
for any (as in the browser); an API client with ``returns:write`` tied to a provider (``ProviderApiClient``)
for that provider's services — another service gets a 403 problem naming the reason, and its returns are not
found (404) — and an untied client (the local authority's own system) for any service of its local authority.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from earlyhelp import limits
from earlyhelp.api.base import TenantViewSet
from earlyhelp.api.idempotency import IdempotentCreateMixin
from earlyhelp.api.models import Scope
from earlyhelp.api.problems import Conflict, UnprocessableContent
from earlyhelp.api.serializers import PublicIdRelatedField, StrictSerializer
from earlyhelp.api.services import api_submission_record
from earlyhelp.periods import Quarter

from . import selectors, services
from .models import CommissionedService, KpiReturn

MAX_API_ROWS = 1000


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 40}], "nullable": True})
class CellField(serializers.Field):
    """A figure as a JSON number or as text (checked by the return's validation, like a spreadsheet cell)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise ValidationError("Give a number, text or null.")
        if isinstance(data, str) and len(data) > 40:
            raise ValidationError("Ensure this field has no more than 40 characters.")
        return data

    def to_representation(self, value):
        return value


class ReturnRowSerializer(StrictSerializer):
    kpi_code = serializers.CharField(max_length=60)
    value = CellField(required=False, allow_null=True, default=None,
                      help_text="An output's figure (a count or a mean); empty for outcome measures.")
    numerator = CellField(required=False, allow_null=True, default=None,
                          help_text="For an outcome measure: the number reporting the outcome.")
    base = CellField(required=False, allow_null=True, default=None,
                     help_text="For an outcome measure: the number asked.")
    note = serializers.CharField(max_length=limits.KPI_NOTE, required=False, allow_blank=True, default="")


class ReturnSubmitSerializer(StrictSerializer):
    service = PublicIdRelatedField(model=CommissionedService, help_text="The commissioned service's id.")
    quarter = serializers.CharField(max_length=20, help_text="The quarter, written like 2014/15 Q2.")
    rows = ReturnRowSerializer(many=True, min_length=1, max_length=MAX_API_ROWS)
    submit = serializers.BooleanField(required=False, default=True,
                                      help_text="Submit the return to the commissioner (default); false keeps "
                                                "it as a draft.")

    def validate_quarter(self, value):
        tenant = self.context["request"].auth.tenant
        try:
            quarter = Quarter.parse(value, tenant.financial_year_start_month)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if quarter.start > timezone.localdate():
            raise ValidationError(f"{quarter} has not begun yet: a return can be made once its quarter has started.")
        return quarter


class KpiValueSerializer(serializers.Serializer):
    kpi_code = serializers.CharField(source="kpi.code")
    kpi_version = serializers.IntegerField(source="kpi_version.number")
    label = serializers.CharField(source="kpi_version.label")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    base = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class ServiceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class KpiReturnSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    service = ServiceRefSerializer(read_only=True)
    quarter = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()

    class Meta:
        model = KpiReturn
        fields = ["id", "service", "quarter", "status", "version", "submitted_at", "decided_at",
                  "commissioner_comment", "updated_at", "values"]
        read_only_fields = fields

    def get_quarter(self, obj) -> str:
        return str(obj.quarter)

    @extend_schema_field(KpiValueSerializer(many=True))
    def get_values(self, obj):
        return KpiValueSerializer(selectors.values_of(obj), many=True).data


def _problems_as_errors(problems) -> list[dict]:
    """The validation's problems as problem+json errors: row numbers are indexes into ``rows``."""
    errors = []
    for problem in problems:
        if problem.column in ("service", "quarter"):
            pointer = f"/{problem.column}"
        else:
            pointer = f"/rows/{problem.row}" + (f"/{problem.column}" if problem.column else "")
        errors.append({"pointer": pointer, "detail": problem.message, "code": "invalid_row"})
    return errors


class ReturnRejected(UnprocessableContent):
    default_detail = "The return has problems: nothing was stored. See errors."
    default_code = "return_rejected"

    def __init__(self, errors):
        super().__init__()
        self.errors = errors


class SubmitReturnMixin:
    """``create``: validate the request, then import (and by default submit) the return through the services."""

    def create(self, request, *args, **kwargs):
        caller = request.auth
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        service: CommissionedService = data["service"]
        by = caller.client if caller.client is not None else caller.membership
        if caller.client is None:  # a provider user sees only their own provider's services (404 otherwise)
            get_object_or_404(selectors.services_visible_to(caller.membership), pk=service.pk)
        else:
            provider = selectors.provider_of_client(caller.client)
            if provider is not None and provider.pk != service.provider_id:
                reason = (f"This API client is tied to the provider {provider.name}: it submits returns only for "
                          f"that provider's services, and {service.name} is not one of them.")
                refusal = PermissionDenied(reason, code="other_provider")
                refusal.errors = [{"pointer": "/service", "detail": reason, "code": "other_provider"}]
                raise refusal
        rows = [
            (index, {"service": service.name, "quarter": str(data["quarter"]), **row})
            for index, row in enumerate(data["rows"])
        ]
        try:
            outcome = services.return_rows_import(by=by, service=service, quarter=data["quarter"], rows=rows,
                                                  source="api.json")
            if not outcome.ok:
                raise ReturnRejected(_problems_as_errors(outcome.problems))
            kpi_return = outcome.kpi_return
            if data["submit"]:
                kpi_return = services.return_submit(by=by, kpi_return=kpi_return)
        except services.ReturnWorkflowError as exc:
            raise Conflict(" ".join(exc.messages)) from None
        api_submission_record(client=caller.client, obj=kpi_return)
        self.audit_objects(kpi_return)
        kpi_return = self.get_queryset().get(pk=kpi_return.pk)
        return Response(KpiReturnSerializer(kpi_return).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=ReturnSubmitSerializer, responses={201: KpiReturnSerializer}),
)
class KpiReturnViewSet(IdempotentCreateMixin, SubmitReturnMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Quarterly KPI returns of commissioned services: submit one as JSON, read its status and figures."""

    required_scopes = {"GET": Scope.RETURNS_READ.value, "POST": Scope.RETURNS_WRITE.value}
    queryset = KpiReturn.objects.all()  # for the schema; requests use get_queryset()
    lookup_value_converter = "uuid"

    def get_serializer_class(self):
        return ReturnSubmitSerializer if self.action == "create" else KpiReturnSerializer

    def get_queryset(self):
        caller = self.request.auth
        returns = KpiReturn.objects.select_related("service", "tenant")
        if caller.client is not None:
            return returns.filter(service__in=selectors.services_visible_to_client(caller.client))
        return returns.filter(service__in=selectors.services_visible_to(caller.membership))
