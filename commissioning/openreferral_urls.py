"""``/openreferral/<tenant slug>/``: the Open Referral UK feed (see ``commissioning.openreferral``)."""

from django.urls import path

from . import openreferral

app_name = "openreferral"

urlpatterns = [
    path("<slug:tenant_slug>/", openreferral.root, name="root"),
    path("<slug:tenant_slug>/services", openreferral.services, name="services"),
    path("<slug:tenant_slug>/services/<uuid:service_id>", openreferral.service, name="service"),
]
