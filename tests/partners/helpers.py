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
from tests.factories import acting


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


def partner_practitioner(tenant, school, username=None):
    """A membership with the partner role, linked to ``school`` (which needs a casework agreement in force)."""
    with tenant_context(tenant):
        kwargs = {"user__username": username} if username else {}
        membership = factories.MembershipFactory(tenant=tenant, role=Role.PARTNER, **kwargs)
        services.partner_membership_link(by=admin_of(tenant), membership=membership, partner=school)
        return membership


def share_consent(tenant, case, school, status="given", on=None):
    from cases.services import consent_record

    with tenant_context(tenant):
        return consent_record(family=case.family, scope="sharing", status=status, decided_on=on or case.opened_on,
                              given_by="Mother", method="verbal", agency=school.name, by=acting())


def on_taf(tenant, case, practitioner):
    """Put the partner practitioner on the case's Team Around the Family (as its lead professional would)."""
    from cases.services import taf_member_add
    from cases.services.partners import taf_member_link_partner
    from earlyhelp.sharing.models import PartnerMembership

    with tenant_context(tenant):
        lead = Membership.objects.get(user=case.lead_professional)
        member = taf_member_add(case=case, agency="School", by=acting())
        return taf_member_link_partner(by=lead, member=member,
                                       practitioner=PartnerMembership.objects.get(membership=practitioner))


def support_request(tenant):
    """A request for support from a fresh case to a fresh running service (the family consented to sharing)."""
    from cases.services.support_requests import support_request_send
    from tests.api import makers

    case = makers.case(tenant, opened_on=dt.date.today() - dt.timedelta(days=10))
    service = makers.service(tenant)
    share_consent(tenant, case, service.provider)
    with tenant_context(tenant):
        return support_request_send(by=Membership.objects.get(user=case.lead_professional), case=case,
                                    service=service, what_is_needed="Help with routines", safeguarding_concern=False,
                                    shares_only_what_is_needed=True)
