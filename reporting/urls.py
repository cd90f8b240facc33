from django.urls import path

from . import views, views_indicators, views_publishing

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("new/", views.report_create, name="report-create"),
    path("<uuid:public_id>/", views.report_detail, name="report-detail"),
    path("<uuid:public_id>/edit/", views.report_edit, name="report-edit"),
    path("<uuid:public_id>/arrange/", views.report_arrange, name="report-arrange"),
    path("<uuid:public_id>/render/", views.report_render, name="report-render"),
    path("runs/<uuid:public_id>/", views.run_detail, name="run-detail"),
    path("runs/<uuid:public_id>/retry/", views.run_retry, name="run-retry"),
    path("runs/<uuid:public_id>/download/", views.run_download, name="run-download"),
    path("runs/<uuid:public_id>/html/", views.run_html, name="run-html"),
    path("runs/<uuid:public_id>/html/download/", views.run_html_download, name="run-html-download"),
    path("runs/<uuid:public_id>/publish/", views_publishing.run_publish, name="run-publish"),
    path("publications/<uuid:public_id>/withdraw/", views_publishing.publication_withdraw,
         name="publication-withdraw"),
    path("runs/<uuid:public_id>/figures.csv", views.run_figures, name="run-figures"),
    path("indicators/", views_indicators.indicator_list, name="indicators"),
    path("unit-costs/", views_indicators.unit_cost_list, name="unit-costs"),
    path("unit-costs/new/", views_indicators.unit_cost_edit, name="unit-cost-new"),
    path("unit-costs/<uuid:public_id>/", views_indicators.unit_cost_edit, name="unit-cost-edit"),
]
