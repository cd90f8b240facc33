"""``/api/v1/`` routes of the reporting floor (included by ``earlyhelp.api.urls`` by name)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_audits

router = SimpleRouter(use_regex_path=False)
router.register("report-runs", api.ReportRunViewSet, basename="report-run")

urlpatterns = [
    path("stats/cases/", api.CaseStatsView.as_view(), name="stats-cases"),
    path("stats/framework/", api.FrameworkStatsView.as_view(), name="stats-framework"),
    path("stats/kpis/", api.KpiStatsView.as_view(), name="stats-kpis"),
    path("stats/audits/", api_audits.AuditStatsView.as_view(), name="stats-audits"),
    path("report-runs/<uuid:public_id>/pdf/", api.ReportRunPdfView.as_view(), name="report-run-pdf"),
    path("report-runs/<uuid:public_id>/html/", api.ReportRunHtmlView.as_view(), name="report-run-html"),
    *router.urls,
]
