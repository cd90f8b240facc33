from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .admin import platform_site, tenant_admin_site
from .forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-tenant/", views.switch_tenant, name="switch-tenant"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("commissioning/", include("commissioning.urls")),
    path("reports/", include("reporting.urls")),
    path("admin/", tenant_admin_site.urls),
    path("platform/", platform_site.urls),
]
