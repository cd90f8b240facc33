"""``/openreferral/<tenant slug>/``: the Open Referral UK feed (see ``commissioning.openreferral``)."""

from django.urls import path, re_path

from . import openreferral

app_name = "openreferral"

urlpatterns = [
    path("<slug:tenant_slug>/", openreferral.root, name="root"),
    path("<slug:tenant_slug>/services", openreferral.services, name="services"),
    path("<slug:tenant_slug>/services/<uuid:service_id>", openreferral.service, name="service"),
    # Anything else under /openreferral/ (an unknown path, an id that is not a UUID): a JSON 404, not a page.
    re_path(r"^.*$", openreferral.not_found, name="not-found"),
]
