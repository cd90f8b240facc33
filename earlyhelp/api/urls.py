"""``/api/``: the schema, its docs, and version 1. Apps add their routers' URLs to ``v1_patterns``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401 - registers the bearer-token security scheme
from .views import MeView, TeamViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("teams", TeamViewSet, basename="team")

v1_patterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include((v1_patterns, "v1"))),
]
