from django.urls import path

from . import views

app_name = "commissioning"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-services/", views.my_services, name="my-services"),
    path("providers/new/", views.provider_edit, name="provider-new"),
    path("providers/<uuid:provider_id>/edit/", views.provider_edit, name="provider-edit"),
    path("providers/<uuid:provider_id>/users/", views.provider_users, name="provider-users"),
    path("providers/<uuid:provider_id>/users/<uuid:membership_id>/unlink/", views.provider_user_unlink,
         name="provider-user-unlink"),
    path("services/new/", views.service_edit, name="service-new"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/edit/", views.service_edit, name="service-edit"),
    path("services/<uuid:service_id>/kpis/new/", views.kpi_new, name="kpi-new"),
    path("services/<uuid:service_id>/kpis/<uuid:kpi_id>/", views.kpi_edit, name="kpi-edit"),
    path("services/<uuid:service_id>/reviews/new/", views.review_new, name="review-new"),
    path("services/<uuid:service_id>/returns/<str:quarter>/", views.return_detail, name="return"),
    path("services/<uuid:service_id>/returns/<str:quarter>/upload/", views.return_upload, name="return-upload"),
    path("services/<uuid:service_id>/returns/<str:quarter>/template.<str:file_format>",
         views.return_template, name="return-template"),
    path("imports/<uuid:job_id>/", views.import_job_detail, name="import-job"),
    path("returns/<uuid:return_id>/<str:action>/", views.return_action, name="return-action"),
]
