"""Makers for the partner tests: partner organisations and agreements in force (or not)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from earlyhelp.models import Membership
from earlyhelp.permissions import Role
from earlyhelp.sharing import services
from earlyhelp.sharing.models import Purpose
from earlyhelp.tenancy import tenant_context
from tests import factories


def admin_of(tenant) -> Membership:
    return factories.MembershipFactory(tenant=tenant, role=Role.TENANT_ADMIN)


def signed_pdf(name="agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% a signed agreement\n", content_type="application/pdf")


def partner(tenant, name="Riverside Primary School", kind="school", urn="123456", ods_code=""):
    with tenant_context(tenant):
        return services.partner_organisation_create(by=admin_of(tenant), name=name, kind=kind, urn=urn,
                                                    ods_code=ods_code)


def agreement(tenant, partners, *, purposes=tuple(Purpose.values), starts_on=None, ends_on=None, signed=True,
              title="Family Help information sharing"):
    today = dt.date.today()
    with tenant_context(tenant):
        return services.sharing_agreement_create(
            by=admin_of(tenant), title=title, partners=partners, purposes=list(purposes),
            lawful_basis="public_task", data_items="Child's name\nDate of birth\nNHS number",
            starts_on=starts_on or today - dt.timedelta(days=30), ends_on=ends_on or today + dt.timedelta(days=335),
            signed_copy=signed_pdf() if signed else None)
