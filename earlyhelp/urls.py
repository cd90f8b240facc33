from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import access_log, accounts, views
from . import administration_views as admin_pages
from .admin import platform_site, tenant_admin_site
from .api import pages as api_pages
from .forms import SignInForm
from .sharing import views as sharing_views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-tenant/", views.switch_tenant, name="switch-tenant"),
    path("access-log/", access_log.access_log, name="access-log"),
    path("access-log/verify/", access_log.audit_verify, name="audit-verify"),
    path("data-export/", views.data_exports, name="data-exports"),
    path("data-export/<uuid:public_id>/download/", views.data_export_download, name="data-export-download"),
    path("healthz", views.healthz, name="healthz"),
    # The tenant administrator's own pages (the Django admin at /admin/ stays for the platform's staff).
    path("administration/", admin_pages.administration_index, name="administration"),
    path("administration/people/", admin_pages.member_list, name="administration-members"),
    path("administration/people/add/", admin_pages.member_add, name="administration-member-add"),
    path("administration/people/<uuid:public_id>/", admin_pages.member_detail, name="administration-member"),
    path("administration/people/<uuid:public_id>/active/", admin_pages.member_active,
         name="administration-member-active"),
    path("administration/teams/", admin_pages.team_list, name="administration-teams"),
    path("administration/teams/add/", admin_pages.team_edit, name="administration-team-add"),
    path("administration/teams/<uuid:public_id>/", admin_pages.team_edit, name="administration-team"),
    path("administration/localities/", admin_pages.locality_list, name="administration-localities"),
    path("administration/localities/add/", admin_pages.locality_edit, name="administration-locality-add"),
    path("administration/localities/<uuid:public_id>/", admin_pages.locality_edit, name="administration-locality"),
    path("administration/settings/", admin_pages.tenant_settings, name="administration-settings"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", accounts.two_factor, name="two-factor"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("cases/", include("cases.urls")),
    path("commissioning/", include("commissioning.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("reports/", include("reporting.urls")),
    path("admin/", tenant_admin_site.urls),
    path("platform/", platform_site.urls),
    path("api/", include("earlyhelp.api.urls")),
    # Open Referral UK feed of each tenant's commissioned services: open read, no sign-in.
    path("openreferral/", include("commissioning.openreferral_urls")),
    # A council's public pages, no sign-in: its published reports and "Check a report" (reporting.public_urls).
    path("public/<slug:tenant_slug>/", include("reporting.public_urls")),
    path("api-clients/", api_pages.api_client_list, name="api-clients"),
    path("api-clients/add/", api_pages.api_client_add, name="api-client-add"),
    path("api-clients/<uuid:public_id>/created/", api_pages.api_client_created, name="api-client-created"),
    path("api-clients/<uuid:public_id>/revoke/", api_pages.api_client_revoke_view, name="api-client-revoke"),
    path("partners/", sharing_views.partner_list, name="partners"),
    path("partners/add/", sharing_views.partner_add, name="partner-add"),
    path("partners/settings/", sharing_views.sharing_settings, name="sharing-settings"),
    path("partners/agreements/", sharing_views.agreement_list, name="agreements"),
    path("partners/agreements/add/", sharing_views.agreement_add, name="agreement-add"),
    path("partners/agreements/<uuid:public_id>/", sharing_views.agreement_detail, name="agreement-detail"),
    path("partners/agreements/<uuid:public_id>/signed-copy/", sharing_views.agreement_signed_copy,
         name="agreement-signed-copy"),
    path("partners/<uuid:public_id>/", sharing_views.partner_detail, name="partner-detail"),
]

# Problem details (application/problem+json) on /api/ paths, the usual pages elsewhere.
handler400 = "earlyhelp.api.problems.bad_request"
handler403 = "earlyhelp.api.problems.permission_denied"
handler404 = "earlyhelp.api.problems.page_not_found"
handler500 = "earlyhelp.api.problems.server_error"
