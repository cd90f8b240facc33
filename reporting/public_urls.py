"""``/public/<council slug>/reports/``: the council's published reports, without sign-in (``public_views``)."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("<slug:tenant_slug>/reports/", public_views.report_list, name="reports"),
    path("<slug:tenant_slug>/reports/<uuid:public_id>/", public_views.report, name="report"),
    path("<slug:tenant_slug>/reports/<uuid:public_id>/report.pdf", public_views.report_pdf, name="report-pdf"),
    path("<slug:tenant_slug>/reports/<uuid:public_id>/report.html", public_views.report_html, name="report-html"),
]
