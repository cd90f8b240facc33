from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Report, ReportRun


def reports() -> QuerySet[Report]:
    return Report.objects.select_related("created_by").prefetch_related("runs")


def report_by_public_id(public_id) -> Report:
    return get_object_or_404(Report.objects.select_related("tenant"), public_id=public_id)


def run_by_public_id(public_id) -> ReportRun:
    return get_object_or_404(ReportRun.objects.select_related("report", "requested_by"), public_id=public_id)


def runs_of(report: Report) -> QuerySet[ReportRun]:
    return report.runs.select_related("requested_by").order_by("-created_at")


def rendered_run_by_pdf_sha256(sha256: str) -> ReportRun | None:
    """The current tenant's rendered run whose PDF has this SHA-256, if any (the newest, should two match)."""
    return (ReportRun.objects.select_related("report").filter(status=ReportRun.Status.DONE, pdf_sha256=sha256)
            .order_by("-finished_at").first())


def recent_runs(*, limit: int = 5) -> list[ReportRun]:
    """The latest report runs of the tenant, newest first, with their report and requester (one query)."""
    return list(ReportRun.objects.select_related("report", "requested_by").order_by("-created_at")[:limit])
