from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<uuid:public_id>/", views.case_outcomes, name="case"),
    path("cases/<uuid:public_id>/reading/", views.reading_new, name="reading-new"),
    path("cases/<uuid:public_id>/family-outcomes/", views.family_outcomes, name="family-outcomes"),
]
