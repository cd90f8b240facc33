"""Partner practitioners see only the cases they are on, only while open (plus the council's days), only with
the family's consent to share with their organisation, only the sections the council allows — and every read is
in the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import partner_access
from cases.models import Case
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.selectors import access_log
from earlyhelp.sharing.models import Purpose
from earlyhelp.sharing.services import sharing_settings_update
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.factories import acting
from tests.partners.helpers import admin_of, agreement, on_taf, partner, partner_practitioner, share_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(tenant_a):
    """A case with a plan, a school under a casework agreement, its practitioner on the case's Team Around the
    Family, and the family's consent to share with the school."""
    from cases.services import plan_create

    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    case = makers.case(tenant_a, opened_on=dt.date.today() - dt.timedelta(days=60))
    with tenant_context(tenant_a):
        plan_create(case=case, created_on=case.opened_on, summary="Attendance plan with the school", by=acting())
        Case.objects.filter(pk=case.pk).update(summary="Private social care history: not for partners")
    practitioner = partner_practitioner(tenant_a, school, username="pat-partner")
    on_taf(tenant_a, case, practitioner)
    share_consent(tenant_a, case, school)
    return {"case": case, "school": school, "practitioner": practitioner}


def _visible(tenant, practitioner, on=None):
    with tenant_context(tenant):
        return list(partner_access.partner_cases(by=practitioner, on=on))


def test_the_partner_sees_the_case_they_are_on_and_only_the_allowed_sections(shared, sign_in):
    client = sign_in(shared["practitioner"].user)
    listing = client.get(reverse("cases:partner-caseload")).content.decode()
    assert str(shared["case"].family) in listing
    page = client.get(reverse("cases:partner-case", args=[shared["case"].public_id])).content.decode()
    assert "Attendance plan with the school" in page  # plan: allowed by default
    assert "Private social care history" not in page  # summary: not allowed by default
    assert "Ashby" in page  # the family's name heads the page


def test_the_council_chooses_the_sections(shared, tenant_a, sign_in):
    with tenant_context(tenant_a):
        sharing_settings_update(by=admin_of(tenant_a), partner_sections=["summary"])
    page = sign_in(shared["practitioner"].user).get(
        reverse("cases:partner-case", args=[shared["case"].public_id])).content.decode()
    assert "Private social care history" in page and "Attendance plan" not in page


def test_every_partner_read_is_in_the_access_log(shared, tenant_a, sign_in):
    sign_in(shared["practitioner"].user).get(reverse("cases:partner-case", args=[shared["case"].public_id]))
    with tenant_context(tenant_a):
        seen = list(access_log(object_public_ids=[shared["case"].public_id], reads_only=True))
        assert [(e.actor, e.detail.get("via")) for e in seen] == [(shared["practitioner"].user, "partner")]


def test_another_partner_practitioner_not_on_the_case_sees_nothing(shared, tenant_a, sign_in):
    other = partner_practitioner(tenant_a, shared["school"])
    assert _visible(tenant_a, other) == []
    response = sign_in(other.user).get(reverse("cases:partner-case", args=[shared["case"].public_id]))
    assert response.status_code == 404


def test_the_lead_professional_relation_also_counts(tenant_a):
    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    practitioner = partner_practitioner(tenant_a, school)
    case = makers.case(tenant_a)
    with tenant_context(tenant_a):
        Case.objects.filter(pk=case.pk).update(lead_professional=practitioner.user)
    share_consent(tenant_a, case, school)
    assert [c.pk for c in _visible(tenant_a, practitioner)] == [case.pk]


def test_without_consent_to_share_with_their_organisation_the_case_is_hidden(shared, tenant_a):
    share_consent(tenant_a, shared["case"], shared["school"], status="withdrawn", on=dt.date.today())
    assert _visible(tenant_a, shared["practitioner"]) == []
    # ... and a consent recorded for another agency does not count
    other = partner(tenant_a, name="Hill Surgery", kind="health", urn="", ods_code="Y01234")
    share_consent(tenant_a, shared["case"], other)
    assert _visible(tenant_a, shared["practitioner"]) == []


def test_a_closed_case_stays_visible_for_the_councils_days_and_not_a_day_more(shared, tenant_a):
    closed_on = dt.date.today() - dt.timedelta(days=5)
    with tenant_context(tenant_a):
        Case.objects.filter(pk=shared["case"].pk).update(closed_on=closed_on)
        sharing_settings_update(by=admin_of(tenant_a), partner_days_after_closure=10)
    assert _visible(tenant_a, shared["practitioner"], on=closed_on + dt.timedelta(days=10)) != []
    assert _visible(tenant_a, shared["practitioner"], on=closed_on + dt.timedelta(days=11)) == []
    with tenant_context(tenant_a):
        sharing_settings_update(by=admin_of(tenant_a), partner_days_after_closure=0)
    assert _visible(tenant_a, shared["practitioner"], on=closed_on) != []
    assert _visible(tenant_a, shared["practitioner"], on=closed_on + dt.timedelta(days=1)) == []


def test_when_the_agreement_lapses_the_partner_sees_nothing_the_day_after(shared, tenant_a):
    with tenant_context(tenant_a):
        last = shared["school"].agreements.get()
    assert _visible(tenant_a, shared["practitioner"], on=last.ends_on) != []
    assert _visible(tenant_a, shared["practitioner"], on=last.ends_on + dt.timedelta(days=1)) == []


def test_an_outsider_partner_gets_404_and_a_practitioner_gets_403(shared, tenant_b, member, sign_in, client):
    outsider = member(tenant_b, role=Role.PARTNER)
    assert sign_in(outsider).get(reverse("cases:partner-case", args=[shared["case"].public_id])).status_code == 404
    client.logout()
    practitioner = member(shared["case"].tenant, role=Role.PRACTITIONER)
    assert sign_in(practitioner).get(reverse("cases:partner-caseload")).status_code == 403
    assert sign_in(practitioner).get(reverse("cases:partner-case", args=[shared["case"].public_id])).status_code \
        == 403


def test_a_partner_cannot_open_the_councils_own_case_pages(shared, sign_in):
    client = sign_in(shared["practitioner"].user)
    assert client.get(reverse("cases:case", args=[shared["case"].public_id])).status_code == 403
    assert client.get(reverse("cases:caseload")).status_code == 403


def test_the_lead_professional_gives_a_taf_member_access_through_the_page(tenant_a, sign_in):
    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    practitioner = partner_practitioner(tenant_a, school)
    case = makers.case(tenant_a)
    from cases.services import taf_member_add
    from earlyhelp.sharing.models import PartnerMembership

    with tenant_context(tenant_a):
        member = taf_member_add(case=case, agency="Riverside", by=acting())
        link = PartnerMembership.objects.get(membership=practitioner)
    response = sign_in(case.lead_professional).post(reverse("cases:taf-partner-link", args=[case.public_id]),
                                                   {"member": member.pk, "practitioner": link.pk})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        member.refresh_from_db()
        assert member.partner_membership == link and member.agency == school.name
        assert AuditEvent.objects.filter(action="case.taf_partner_linked").exists()


def test_the_partners_home_page_lists_their_shared_cases(shared, sign_in):
    page = sign_in(shared["practitioner"].user).get(reverse("home")).content.decode()
    assert "Shared cases" in page and reverse("cases:partner-case", args=[shared["case"].public_id]) in page
