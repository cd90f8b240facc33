"""``/public/<council slug>/``: a council's pages anyone may use without signing in — its published reports
and "Check a report" (``public_views``)."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("check-a-report/", public_views.check_report, name="check-report"),
    path("reports/", public_views.report_list, name="reports"),
    path("reports/<uuid:public_id>/", public_views.report, name="report"),
    path("reports/<uuid:public_id>/report.pdf", public_views.report_pdf, name="report-pdf"),
    path("reports/<uuid:public_id>/report.html", public_views.report_html, name="report-html"),
    path("reports/<uuid:public_id>/figures.csv", public_views.report_figures_csv, name="report-figures-csv"),
    path("reports/<uuid:public_id>/figures.json", public_views.report_figures_json, name="report-figures-json"),
]
