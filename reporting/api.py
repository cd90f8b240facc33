"""The reporting floor's REST API: statistics with disclosure control, and report runs.

Statistics come from the apps' ``stats`` modules (``cases.stats.case_stats``, ``commissioning.stats.kpi_table``,
``outcomes.stats.performance_framework``) and pass through the same disclosure control as a Public committee
report: a count from 1 up to the tenant's small-number threshold is shown as ``"c"``. A caller with
``stats:exempt`` gets every figure. They live on this floor because disclosure control (``reporting.disclosure``)
does.

Report runs are made by ``reporting.services.report_run_request`` (queued for the PDF worker) and polled here;
the PDF is downloaded once the run is done.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from cases.stats import WaitingTime, case_stats
from commissioning import selectors as commissioning_selectors
from commissioning.models import CommissionedService
from commissioning.stats import KpiCell, KpiRow, accepted_only, kpi_table
from earlyhelp.api.base import TenantAPIView, TenantViewSet
from earlyhelp.api.idempotency import IdempotentCreateMixin
from earlyhelp.api.models import Scope
from earlyhelp.api.problems import UnprocessableContent
from earlyhelp.api.serializers import PublicIdRelatedField, StrictSerializer
from earlyhelp.api.services import api_submission_record
from earlyhelp.audit import record_event
from earlyhelp.models import Locality, Team
from earlyhelp.periods import FinancialYear, Quarter
from outcomes.stats import performance_framework
from outcomes.stats.national_framework import national_framework_stats

from . import selectors, services
from .disclosure import SUPPRESSED, publish_count
from .models import Report, ReportRun

MAX_QUARTERS = 20

# ---------------------------------------------------------------------------------------------------- statistics

COUNT_SCHEMA = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": [SUPPRESSED]}]}


@extend_schema_field(COUNT_SCHEMA)
class CountField(serializers.Field):
    """A count, or "c" when disclosure control suppressed it."""

    def to_representation(self, value):
        return value


class RateSerializer(serializers.Serializer):
    numerator = CountField()
    base = CountField()


class Disclosure:
    """Disclosure control for one request: suppress counts 1..threshold unless the caller is exempt."""

    def __init__(self, request):
        caller = request.auth
        self.threshold = caller.tenant.small_number_threshold
        self.exempt = caller.has_scope(Scope.STATS_EXEMPT.value)

    def count(self, value):
        return publish_count(value, threshold=self.threshold, public=not self.exempt)

    def rate(self, rate) -> dict:
        return {"numerator": self.count(rate.numerator), "base": self.count(rate.base)}

    def waiting(self, wait) -> dict:
        """A count of waits and their total days; the total is hidden with a hidden count."""
        count = self.count(wait.count)
        return {"count": count, "total_days": "c" if count == "c" else wait.total_days}

    def counts(self, mapping: dict) -> dict:
        return {key: self.count(value) for key, value in mapping.items()}

    def describe(self) -> dict:
        return {"applied": not self.exempt, "threshold": self.threshold, "suppressed_marker": SUPPRESSED}


class DisclosureSerializer(serializers.Serializer):
    applied = serializers.BooleanField(help_text="False for callers allowed exempt figures (stats:exempt).")
    threshold = serializers.IntegerField(help_text="Counts from 1 up to this number are suppressed.")
    suppressed_marker = serializers.CharField()


def parse_period(text: str, fy_start_month: int) -> Quarter | FinancialYear:
    try:
        return Quarter.parse(text, fy_start_month)
    except ValueError:
        pass
    try:
        return FinancialYear.parse(text, fy_start_month)
    except ValueError:
        raise serializers.ValidationError(f"{text!r} is not a quarter like 2024/25 Q1 or a year like 2024/25.") \
            from None


class CaseStatsQuery(StrictSerializer):
    period = serializers.CharField(max_length=20, help_text="A quarter (2024/25 Q1) or a financial year (2024/25).")
    team = PublicIdRelatedField(model=Team, required=False, help_text="Only this team's cases.")
    locality = PublicIdRelatedField(model=Locality, required=False, help_text="Only this locality's cases.")

    def validate_period(self, value):
        return parse_period(value, self.context["request"].auth.tenant.financial_year_start_month)


class EscalationsSerializer(serializers.Serializer):
    case_step_ups = CountField()
    referrals_stepped_up = CountField()


@extend_schema_field({"type": "object", "additionalProperties": COUNT_SCHEMA})
class CountMapField(serializers.Field):
    def to_representation(self, value):
        return value


class WaitingTimeSerializer(serializers.Serializer):
    """Days waited from referral to start, summed over ``count`` interventions (the mean is for the reader)."""

    total_days = CountField()
    count = CountField()


class CaseStatsSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.UUIDField(allow_null=True)
    locality = serializers.UUIDField(allow_null=True)
    disclosure = DisclosureSerializer()
    referrals = CountField()
    referrals_by_route = CountMapField()
    referrals_by_source = CountMapField()
    re_referrals = RateSerializer()
    cases_opened = CountField()
    reopened_within_window = RateSerializer()
    open_at_period_end = CountField()
    cases_closed = CountField()
    closed_by_reason = CountMapField()
    closure_judgements = CountMapField()
    assessments_completed = CountField()
    escalations_by_quarter = serializers.DictField(child=EscalationsSerializer())
    feedback_received = CountField()
    treated_with_respect = RateSerializer()
    listened_to = RateSerializer()
    helped_with_issues = RateSerializer()
    interventions_started = CountField()
    intervention_waiting = WaitingTimeSerializer()
    waiting_by_service = serializers.DictField(child=WaitingTimeSerializer())
    cases_with_service_put_in_place = RateSerializer()


class CaseStatsView(TenantAPIView):
    """Casework counts for a period (and optionally a team or locality), with disclosure control applied."""

    required_scopes = {"GET": Scope.STATS_READ.value}

    @extend_schema(parameters=[CaseStatsQuery], responses=CaseStatsSerializer, operation_id="stats_cases_retrieve")
    def get(self, request):
        query = CaseStatsQuery(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        period, team, locality = (query.validated_data.get(k) for k in ("period", "team", "locality"))
        stats = case_stats(period=period, team=team, locality=locality)
        control = Disclosure(request)
        data = {
            "period": str(period), "start": stats.start, "end": stats.end,
            "team": team.public_id if team else None, "locality": locality.public_id if locality else None,
            "disclosure": control.describe(),
        }
        for name, value in asdict(stats).items():
            if name in ("start", "end"):
                continue
            original = getattr(stats, name)
            if isinstance(original, WaitingTime):
                data[name] = control.waiting(original)
            elif name == "waiting_by_service":
                data[name] = {service: control.waiting(wait) for service, wait in original.items()}
            elif is_dataclass(original):
                data[name] = control.rate(original)
            elif name == "escalations_by_quarter":
                data[name] = {q: control.counts(row) for q, row in value.items()}
            elif isinstance(value, dict):
                data[name] = control.counts(value)
            else:
                data[name] = control.count(value)
        return Response(CaseStatsSerializer(data).data)


class FrameworkStatsQuery(CaseStatsQuery):
    threshold = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100,
                                         help_text="Reliable-change threshold: points of summed score a reading "
                                                   "must move to count as improving (default 1).")


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    numerator = CountField()
    base = CountField(allow_null=True, help_text="The base of a rate; null for a plain count.")
    definition = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    measures = MeasureSerializer(many=True)


class NationalFrameworkRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The National Framework outcome's code; empty for the row of goals and "
                                           "outcomes not tagged to one.")
    label = serializers.CharField()
    goals_set = CountField(help_text="Goals of plans made in the period with this tag.")
    goals_achieved = CountField(help_text="Goals marked done on cases closed in the period.")
    goals_at_closure = CountField(help_text="The base: every goal with this tag on the cases closed in the period.")
    outcomes_improved = CountField(help_text="Family outcomes marked improved on cases closed in the period.")
    outcomes_identified = CountField(help_text="The base: family outcomes with this tag on the cases closed in the "
                                               "period.")


class FrameworkStatsSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.UUIDField(allow_null=True)
    locality = serializers.UUIDField(allow_null=True)
    scope = serializers.CharField()
    disclosure = DisclosureSerializer()
    sections = SectionSerializer(many=True)
    national_framework = NationalFrameworkRowSerializer(
        many=True, help_text="Plan goals and family outcomes at closure by the four outcomes of the Children's "
                             "Social Care National Framework (December 2023), each rate as a count and its base.")


class FrameworkStatsView(TenantAPIView):
    """The performance framework (how much, how well, is anyone better off) for a period and optionally a team
    or locality, from ``outcomes.stats``: every measure a count, or a numerator with its base, with disclosure
    control applied to both."""

    required_scopes = {"GET": Scope.STATS_READ.value}

    @extend_schema(parameters=[FrameworkStatsQuery], responses=FrameworkStatsSerializer,
                   operation_id="stats_framework_retrieve")
    def get(self, request):
        query = FrameworkStatsQuery(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        period, team, locality, threshold = (query.validated_data.get(k)
                                             for k in ("period", "team", "locality", "threshold"))
        framework = performance_framework(period=period, team=team, locality=locality, threshold=threshold)
        control = Disclosure(request)
        data = {
            "period": str(period), "start": framework.start, "end": framework.end,
            "team": team.public_id if team else None, "locality": locality.public_id if locality else None,
            "scope": framework.scope, "disclosure": control.describe(),
            "sections": [
                {"key": section.key, "title": section.title, "measures": [
                    {"key": m.key, "label": m.label, "numerator": control.count(m.numerator),
                     "base": None if m.base is None else control.count(m.base), "definition": m.definition}
                    for m in section.measures]}
                for section in framework.sections
            ],
            "national_framework": [
                {"code": r.code, "label": r.label, "goals_set": control.count(r.goals_set),
                 "goals_achieved": control.count(r.goals_achieved.numerator),
                 "goals_at_closure": control.count(r.goals_achieved.base),
                 "outcomes_improved": control.count(r.outcomes_improved.numerator),
                 "outcomes_identified": control.count(r.outcomes_improved.base)}
                for r in national_framework_stats(period=period, team=team, locality=locality).rows],
        }
        return Response(FrameworkStatsSerializer(data).data)


class KpiStatsQuery(StrictSerializer):
    service = serializers.UUIDField(help_text="The commissioned service's id.")
    quarters = serializers.CharField(max_length=400, help_text="Quarters separated by commas: 2014/15 Q1,2014/15 Q2.")
    accepted_only = serializers.BooleanField(required=False, default=True,
                                             help_text="Only returns the commissioner accepted (default).")

    def validate_quarters(self, value):
        fy_start = self.context["request"].auth.tenant.financial_year_start_month
        quarters = []
        for text in value.split(","):
            try:
                quarters.append(Quarter.parse(text, fy_start))
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
        if len(quarters) > MAX_QUARTERS:
            raise serializers.ValidationError(f"Ask for at most {MAX_QUARTERS} quarters.")
        return sorted(set(quarters))


class KpiCellSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    reported = serializers.BooleanField()
    amount = serializers.CharField(allow_null=True, help_text="An output's figure (a count may be \"c\").")
    numerator = CountField(allow_null=True)
    base = CountField(allow_null=True)
    note = serializers.CharField()
    kpi_version = serializers.IntegerField(allow_null=True)
    return_status = serializers.CharField()


class KpiRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    kind = serializers.CharField()
    target = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    red_threshold = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    higher_is_better = serializers.BooleanField()
    cells = KpiCellSerializer(many=True)


class KpiStatsSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    quarters = serializers.ListField(child=serializers.CharField())
    disclosure = DisclosureSerializer()
    kpis = KpiRowSerializer(many=True)


def _cell(row: KpiRow, cell: KpiCell, control: Disclosure) -> dict:
    amount = cell.amount
    if amount is not None and row.kind == "count":
        amount = control.count(int(amount))
    return {
        "quarter": str(cell.quarter), "reported": cell.reported,
        "amount": None if amount is None else str(amount),
        "numerator": control.count(cell.numerator), "base": control.count(cell.base),
        "note": cell.note, "kpi_version": cell.kpi_version, "return_status": cell.return_status,
    }


class KpiStatsView(TenantAPIView):
    """A commissioned service's KPIs for some quarters: counts and bases as returned (never pre-rounded
    percentages), with disclosure control applied to counts."""

    required_scopes = {"GET": Scope.STATS_READ.value}

    @extend_schema(parameters=[KpiStatsQuery], responses=KpiStatsSerializer, operation_id="stats_kpis_retrieve")
    def get(self, request):
        query = KpiStatsQuery(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        caller = request.auth
        services_seen = (CommissionedService.objects.all() if caller.client is not None
                         else commissioning_selectors.services_visible_to(caller.membership))
        service = get_object_or_404(services_seen, public_id=query.validated_data["service"])
        self.audit_objects(service)
        quarters = query.validated_data["quarters"]
        statuses = accepted_only() if query.validated_data["accepted_only"] else None
        control = Disclosure(request)
        rows = kpi_table(service, quarters, statuses=statuses)
        data = {
            "service": service.public_id, "quarters": [str(q) for q in quarters], "disclosure": control.describe(),
            "kpis": [
                {"code": r.code, "label": r.label, "section": r.section, "kind": r.kind, "target": r.target,
                 "red_threshold": r.red_threshold, "higher_is_better": r.higher_is_better,
                 "cells": [_cell(r, c, control) for c in r.cells]}
                for r in rows
            ],
        }
        return Response(KpiStatsSerializer(data).data)


# ---------------------------------------------------------------------------------------------------- report runs


class ReportRunSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    report = serializers.UUIDField(source="report.public_id", read_only=True)
    pdf_available = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = ["id", "report", "status", "progress", "error", "attempts", "created_at", "started_at",
                  "finished_at", "snapshot_sha256", "pdf_sha256", "pdf_available"]
        read_only_fields = fields

    def get_pdf_available(self, obj) -> bool:
        return obj.status == ReportRun.Status.DONE and bool(obj.pdf)


class ReportRunCreateSerializer(StrictSerializer):
    report = PublicIdRelatedField(model=Report, help_text="The report's id.")

    def to_representation(self, instance):
        return ReportRunSerializer(instance, context=self.context).data


class NoResponsibleUser(UnprocessableContent):
    default_detail = ("This API client has no responsible user (the administrator who created it) to request "
                      "report runs on behalf of.")
    default_code = "no_responsible_user"


@extend_schema_view(
    create=extend_schema(request=ReportRunCreateSerializer, responses={201: ReportRunSerializer}),
)
class ReportRunViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Runs of committee reports: start one (it is rendered to PDF by a background job), poll its status and
    progress, download its PDF when done."""

    required_scopes = {"GET": Scope.REPORTS_READ.value, "POST": Scope.REPORTS_WRITE.value}
    queryset = ReportRun.objects.all()  # for the schema; requests use get_queryset()
    lookup_value_converter = "uuid"

    def get_serializer_class(self):
        return ReportRunCreateSerializer if self.action == "create" else ReportRunSerializer

    def get_queryset(self):
        return ReportRun.objects.select_related("report")

    def perform_create(self, serializer):
        caller = self.request.auth
        # A run is requested by a person: for an API client, the administrator who created (answers for) it.
        if caller.client is not None and caller.client.created_by is None:
            raise NoResponsibleUser()
        run = services.report_run_request(report=serializer.validated_data["report"], by=caller.by)
        api_submission_record(client=caller.client, obj=run)
        self.audit_objects(run)
        serializer.instance = run


class ReportRunPdfView(TenantAPIView):
    """The PDF of a finished run (404 while it is queued, running or failed)."""

    required_scopes = {"GET": Scope.REPORTS_READ.value}

    def perform_content_negotiation(self, request, force=False):
        # The body is a PDF; errors are problem+json whatever the Accept header asked for.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")},
                   operation_id="report_runs_pdf_retrieve")
    def get(self, request, public_id):
        run = selectors.run_by_public_id(public_id)
        self.audit_objects(run)
        if run.status != ReportRun.Status.DONE or not run.pdf:
            raise Http404("This run has no PDF yet.")
        caller = request.auth
        record_event(action="report_run.downloaded", by=caller.by, obj=run)
        filename = f"{run.report.title[:60]} {run.created_at:%Y-%m-%d}.pdf".replace("/", "-")
        return FileResponse(run.pdf.open("rb"), as_attachment=True, filename=filename,
                            content_type="application/pdf")


class ReportRunHtmlView(ReportRunPdfView):
    """The accessible HTML edition of a finished run as one self-contained .html file (404 until it is done)."""

    @extend_schema(responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The HTML edition")},
                   operation_id="report_runs_html_retrieve")
    def get(self, request, public_id):
        from django.http import HttpResponse

        from . import editions

        run = selectors.run_by_public_id(public_id)
        self.audit_objects(run)
        if run.status != ReportRun.Status.DONE or not run.snapshot:
            raise Http404("This run has no HTML edition yet.")
        caller = request.auth
        record_event(action="report_run.downloaded", by=caller.by, obj=run,
                     detail={"edition": "html"})
        response = HttpResponse(editions.render_edition(run.snapshot, inline_css=True),
                                content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{editions.filename(run, "html")}"'
        return response


__all__ = ["CaseStatsView", "FrameworkStatsView", "KpiStatsView", "ReportRunViewSet", "ReportRunPdfView",
           "ReportRunHtmlView"]
