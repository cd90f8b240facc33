"""``/api/``: the schema, its docs, and version 1. Each app's ``api_urls`` module is included in ``v1_patterns``."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401 - registers the bearer-token security scheme
from .views import MeView, TeamViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("teams", TeamViewSet, basename="team")

# The apps' endpoints are included by module name, so this floor imports nothing from the ones above it.
v1_patterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
    path("", include("cases.api_urls")),
    path("", include("commissioning.api_urls")),
    path("", include("outcomes.api_urls")),
    path("", include("reporting.api_urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc needs inline styles; it is served with a policy that allows them on this page alone.
    path("redoc/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    path("v1/", include((v1_patterns, "v1"))),
]
