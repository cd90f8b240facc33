"""``/public/<tenant slug>/``: pages anyone may use without signing in."""

from django.urls import path

from . import views_public

app_name = "public"

urlpatterns = [
    path("check-a-report/", views_public.check_report, name="check-report"),
]
