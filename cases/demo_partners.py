"""Demo of working with partners: a partner register, one signed agreement (ending soon, so the administrator's
home page warns), a school's practitioner (``<prefix>.partner``) on an open case's Team Around the Family with the
family's consent to share, and a request for support waiting for a commissioned service. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from earlyhelp.models import Membership
from earlyhelp.sharing import services as sharing
from earlyhelp.sharing.models import PartnerOrganisation, Purpose

from .models import Case, Consent, SupportRequest
from .services import consent_record, taf_member_add
from .services.partners import taf_member_link_partner
from .services.support_requests import services_open_to_requests, support_request_send

# A minimal, valid one-page PDF standing in for the signed agreement (fictional).
SIGNED_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
              b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def seed(tenant, users) -> None:
    if PartnerOrganisation.objects.exists() or "partner" not in users:
        return
    admin = Membership.objects.get(user=users["admin"])
    place = tenant.name.split()[0]
    school = sharing.partner_organisation_create(by=admin, name=f"{place} Riverside Primary School", kind="school",
                                                urn="999901" if place == "Northbridge" else "999902")
    health = sharing.partner_organisation_create(by=admin, name=f"{place} Community Health NHS Trust", kind="health",
                                                ods_code="ZZ1" if place == "Northbridge" else "ZZ2")
    police = sharing.partner_organisation_create(by=admin, name=f"{place} Police", kind="police")
    today = dt.date.today()
    agreement = sharing.sharing_agreement_create(
        by=admin, title="Family Help multi-agency information sharing agreement", reference=f"ISA-{today.year}-001",
        partners=[school, health, police], purposes=list(Purpose.values), lawful_basis="public_task",
        special_category_condition="Article 9(2)(g) with DPA 2018 Schedule 1 paragraph 18 (safeguarding)",
        data_items="Child's name, date of birth and NHS number\nWhether the family has an open early help case\n"
                   "The lead professional's team\nThe plan, reviews and distance-travelled readings",
        starts_on=today - dt.timedelta(days=345), ends_on=today + dt.timedelta(days=20))
    sharing.sharing_agreement_upload_signed_copy(by=admin, agreement=agreement,
                                                 signed_copy=ContentFile(SIGNED_PDF, name="signed.pdf"))
    sharing.sharing_settings_update(by=admin, contact_name="Family Help front door", contact_phone="01632 960123",
                                    contact_email=f"familyhelp@{tenant.slug}.example",
                                    contact_address=f"Civic Offices\n{place}", contact_postcode="ZZ99 9ZZ")
    practitioner = Membership.objects.get(user=users["partner"])
    sharing.partner_membership_link(by=admin, membership=practitioner, partner=school)
    cases = list(Case.objects.filter(closed_on__isnull=True, lead_professional=users["practitioner"])
                 .select_related("family").order_by("opened_on", "id")[:2])
    if not cases:
        return
    case = cases[0]
    lead = Membership.objects.get(user=case.lead_professional)
    consent_record(family=case.family, scope=Consent.Scope.SHARING, status=Consent.Status.GIVEN,
                   decided_on=max(case.opened_on, today - dt.timedelta(days=7)), given_by="Parent",
                   method=Consent.Method.WRITTEN, agency=school.name, by=lead)
    member = taf_member_add(case=case, agency=school.name, role="Designated safeguarding lead", by=lead)
    taf_member_link_partner(by=lead, member=member,
                            practitioner=sharing.PartnerMembership.objects.get(membership=practitioner))
    service = services_open_to_requests().first() or _current_service(users, today)
    if service is not None and len(cases) > 1 and not SupportRequest.objects.exists():
        other = cases[1]
        consent_record(family=other.family, scope=Consent.Scope.SHARING, status=Consent.Status.GIVEN,
                       decided_on=max(other.opened_on, today - dt.timedelta(days=3)), given_by="Parent",
                       method=Consent.Method.VERBAL, agency=service.provider.name,
                       by=Membership.objects.get(user=other.lead_professional))
        support_request_send(by=Membership.objects.get(user=other.lead_professional), case=other, service=service,
                             what_is_needed="Parent asks for a place on a parenting group; evenings suit best.",
                             safeguarding_concern=False, shares_only_what_is_needed=True)


def _current_service(users, today):
    """A running service of the demo provider user's provider (the demo's other services ended in 2016), so a
    request for support can wait in that provider user's queue."""
    from commissioning import services as commissioning
    from commissioning.models import ProviderMembership

    link = ProviderMembership.objects.filter(membership__user=users.get("provider")).select_related("provider").first()
    if link is None or "commissioner" not in users:
        return None
    return commissioning.service_create(
        by=Membership.objects.get(user=users["commissioner"]), name="Parenting group at the family hub",
        provider=link.provider, commissioning_priority="parenting support",
        contract_start=today - dt.timedelta(days=90))


def check(tenant, sign_in) -> list[str]:
    """For manage.py demo_check: the partner practitioner sees a shared case, the provider user a waiting request
    for support, and the administrator the agreements panel (sentences of what is wrong; none: all well)."""
    problems = []
    shared = sign_in("partner").get("/cases/shared/")
    if shared.status_code != 200 or "/cases/shared/" not in shared.content.decode().split("<main", 1)[-1]:
        problems.append(f"the partner practitioner sees no shared case ({shared.status_code})")
    queue = sign_in("provider").get("/cases/requests-for-support/")
    if "Waiting for your answer (1)" not in queue.content.decode():
        problems.append("no request for support waits in the provider user's queue")
    home = sign_in("admin").get("/")
    if 'id="home-agreements"' not in home.content.decode():
        problems.append("the administrator's home page has no data-sharing agreements panel")
    return problems
