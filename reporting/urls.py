from django.urls import path

from .views import indicators, publishing, reports

app_name = "reporting"

urlpatterns = [
    path("", reports.report_list, name="report-list"),
    path("new/", reports.report_create, name="report-create"),
    path("<uuid:public_id>/", reports.report_detail, name="report-detail"),
    path("<uuid:public_id>/edit/", reports.report_edit, name="report-edit"),
    path("<uuid:public_id>/arrange/", reports.report_arrange, name="report-arrange"),
    path("<uuid:public_id>/render/", reports.report_render, name="report-render"),
    path("runs/<uuid:public_id>/", reports.run_detail, name="run-detail"),
    path("runs/<uuid:public_id>/retry/", reports.run_retry, name="run-retry"),
    path("runs/<uuid:public_id>/download/", reports.run_download, name="run-download"),
    path("runs/<uuid:public_id>/html/", reports.run_html, name="run-html"),
    path("runs/<uuid:public_id>/html/download/", reports.run_html_download, name="run-html-download"),
    path("runs/<uuid:public_id>/publish/", publishing.run_publish, name="run-publish"),
    path("publications/<uuid:public_id>/withdraw/", publishing.publication_withdraw,
         name="publication-withdraw"),
    path("runs/<uuid:public_id>/figures.csv", reports.run_figures, name="run-figures"),
    path("indicators/", indicators.indicator_list, name="indicators"),
    path("unit-costs/", indicators.unit_cost_list, name="unit-costs"),
    path("unit-costs/new/", indicators.unit_cost_edit, name="unit-cost-new"),
    path("unit-costs/<uuid:public_id>/", indicators.unit_cost_edit, name="unit-cost-edit"),
]
