"""``GET /api/v1/stats/audits/``: case file audit grades (``cases.stats.audit_stats``) by team, locality and
quarter, as counts with their bases, through the same disclosure control as the other statistics (a count from 1
up to the tenant's small-number threshold is ``"c"`` unless the caller has ``stats:exempt``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cases.models import CaseFileAudit
from cases.stats import GRADES, AuditGrades, audit_stats
from earlyhelp.api.base import TenantAPIView
from earlyhelp.api.models import Scope

from .api import CaseStatsQuery, CountField, CountMapField, Disclosure, DisclosureSerializer


class AuditStatsQuery(CaseStatsQuery):
    area = serializers.ChoiceField(choices=CaseFileAudit.AREAS, required=False, default="overall",
                                   help_text="The audited area whose grades are counted (default: overall).")


class GradeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class AuditGroupSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The team, the locality or the quarter (or 'All audits').")
    audited = CountField(help_text="Case files audited: the base of every grade's share.")
    grades = CountMapField(help_text="How many of them were given each grade.")


class AuditStatsSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.UUIDField(allow_null=True)
    locality = serializers.UUIDField(allow_null=True)
    area = serializers.CharField()
    disclosure = DisclosureSerializer()
    scale = GradeSerializer(many=True, help_text="The grade scale, best first.")
    total = AuditGroupSerializer()
    by_team = AuditGroupSerializer(many=True)
    by_locality = AuditGroupSerializer(many=True)
    by_quarter = AuditGroupSerializer(many=True)


class AuditStatsView(TenantAPIView):
    """Case file audits dated in a period (optionally of one team's or locality's cases): how many were audited
    and how many were given each grade, in all and by team, locality and quarter. Counts only."""

    required_scopes = {"GET": Scope.STATS_READ.value}

    @extend_schema(parameters=[AuditStatsQuery], responses=AuditStatsSerializer, operation_id="stats_audits_retrieve")
    def get(self, request):
        query = AuditStatsQuery(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        period, team, locality, area = (query.validated_data.get(k) for k in ("period", "team", "locality", "area"))
        audits = audit_stats(period=period, team=team, locality=locality, area=area)
        control = Disclosure(request)

        def group(g: AuditGrades) -> dict:
            return {"label": g.label, "audited": control.count(g.audited), "grades": control.counts(g.grades)}

        data = {
            "period": str(period), "start": audits.start, "end": audits.end, "area": area,
            "team": team.public_id if team else None, "locality": locality.public_id if locality else None,
            "disclosure": control.describe(),
            "scale": [{"code": code, "label": CaseFileAudit.Grade(code).label} for code in GRADES],
            "total": group(audits.total), "by_team": [group(g) for g in audits.by_team],
            "by_locality": [group(g) for g in audits.by_locality], "by_quarter": [group(g) for g in audits.by_quarter],
        }
        return Response(AuditStatsSerializer(data).data)
