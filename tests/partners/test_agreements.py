"""The partner and agreement registers, and the rule: nothing a partner does works without an agreement in force
covering its purpose — API clients refused with a problem naming why, at the boundary day; administrators told
in advance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.sharing import services
from earlyhelp.sharing.models import Purpose, SharingAgreement
from earlyhelp.tenancy import tenant_context
from tests import factories
from tests.api.conftest import assert_problem
from tests.partners.helpers import admin_of, agreement, partner, signed_pdf

pytestmark = pytest.mark.django_db


def _partner_client(tenant, make_api_client, p, scopes=("person-info:query",)):
    client, token = make_api_client(tenant, scopes=scopes, name="School MIS")
    with tenant_context(tenant):
        client.partner = p
        client.save(update_fields=["partner"])
    return client, token


# --------------------------------------------------------------------------------------------- registers


def test_a_school_needs_its_urn_and_a_health_body_its_ods_code(tenant_a):
    with tenant_context(tenant_a):
        admin = admin_of(tenant_a)
        with pytest.raises(ValidationError) as error:
            services.partner_organisation_create(by=admin, name="Hill School", kind="school")
        assert "urn" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.partner_organisation_create(by=admin, name="Hill School", kind="school", urn="12345")
        assert "6 digits" in str(error.value)
        with pytest.raises(ValidationError) as error:
            services.partner_organisation_create(by=admin, name="Trust", kind="health")
        assert "ods_code" in error.value.message_dict
        trust = services.partner_organisation_create(by=admin, name="Trust", kind="health", ods_code="rj1")
        assert trust.ods_code == "RJ1" and trust.identifier == "ODS RJ1"


def test_only_a_tenant_administrator_keeps_the_registers(tenant_a):
    with tenant_context(tenant_a):
        practitioner = factories.MembershipFactory(tenant=tenant_a, role=Role.PRACTITIONER)
        with pytest.raises(PermissionDenied):
            services.partner_organisation_create(by=practitioner, name="X", kind="police")


def test_an_agreement_is_in_force_only_with_its_signed_copy_and_to_the_end_of_its_last_day(tenant_a):
    school = partner(tenant_a)
    today = dt.date.today()
    unsigned = agreement(tenant_a, [school], signed=False, ends_on=today)
    with tenant_context(tenant_a):
        assert services.covering_agreement(partner=school, purpose=Purpose.CASEWORK) is None
        services.sharing_agreement_upload_signed_copy(by=admin_of(tenant_a), agreement=unsigned,
                                                      signed_copy=signed_pdf())
        assert services.covering_agreement(partner=school, purpose=Purpose.CASEWORK, on=today) == unsigned
        assert services.covering_agreement(partner=school, purpose=Purpose.CASEWORK,
                                           on=today + dt.timedelta(days=1)) is None


def test_a_signed_copy_that_is_not_a_pdf_is_refused_and_nothing_is_written(tenant_a):
    school = partner(tenant_a)
    with tenant_context(tenant_a), pytest.raises(ValidationError) as error:
        services.sharing_agreement_create(
            by=admin_of(tenant_a), title="T", partners=[school], purposes=["casework"], lawful_basis="public_task",
            data_items="Name", starts_on=dt.date.today(), ends_on=dt.date.today(),
            signed_copy=signed_pdf("agreement.exe"))
    assert "signed_copy" in error.value.message_dict
    with tenant_context(tenant_a):
        assert not SharingAgreement.objects.exists()


def test_an_agreement_must_end_after_it_starts_and_name_known_purposes(tenant_a):
    school = partner(tenant_a)
    with tenant_context(tenant_a), pytest.raises(ValidationError) as error:
        services.sharing_agreement_create(
            by=admin_of(tenant_a), title="T", partners=[school], purposes=["gossip"], lawful_basis="public_task",
            data_items="Name", starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1))
    assert {"purposes", "ends_on"} <= set(error.value.message_dict)


# ---------------------------------------------------------------------------------------- API enforcement


def test_a_partner_client_without_an_agreement_is_refused_with_a_problem_naming_why(tenant_a, make_api_client,
                                                                                     bearer):
    school = partner(tenant_a)
    _, token = _partner_client(tenant_a, make_api_client, school, scopes=("cases:read",))
    body = assert_problem(bearer(token).get("/api/v1/cases/"), 403, "no_sharing_agreement")
    assert "Riverside Primary School" in body["detail"] and "Reading case records" in body["detail"]
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="api.request", detail__status=403).exists()


def test_a_partner_client_works_through_the_last_day_and_is_suspended_the_day_after(
        tenant_a, make_api_client, bearer, monkeypatch):
    school = partner(tenant_a)
    today = dt.date.today()
    agreement(tenant_a, [school], purposes=[Purpose.CASE_RECORDS], ends_on=today)
    _, token = _partner_client(tenant_a, make_api_client, school, scopes=("cases:read",))
    assert bearer(token).get("/api/v1/cases/").status_code == 200
    monkeypatch.setattr(services, "today", lambda: today + dt.timedelta(days=1))
    assert_problem(bearer(token).get("/api/v1/cases/"), 403, "no_sharing_agreement")


def test_a_partner_deactivated_since_its_client_was_remembered_is_refused_at_the_next_read(
        tenant_a, make_api_client, bearer):
    from earlyhelp.sharing.models import PartnerOrganisation

    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASE_RECORDS])
    _, token = _partner_client(tenant_a, make_api_client, school, scopes=("cases:read",))
    api = bearer(token)
    assert api.get("/api/v1/cases/").status_code == 200
    assert api.get("/api/v1/cases/").status_code == 200  # the client now comes from the worker's memory
    PartnerOrganisation.all_tenants.filter(pk=school.pk).update(is_active=False)
    assert_problem(api.get("/api/v1/cases/"), 403, "partner_inactive")


def test_an_agreement_for_another_purpose_does_not_cover_a_client(tenant_a, make_api_client, bearer):
    school = partner(tenant_a)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    _, token = _partner_client(tenant_a, make_api_client, school, scopes=("cases:read",))
    assert_problem(bearer(token).get("/api/v1/cases/"), 403, "no_sharing_agreement")


def test_a_council_system_may_not_hold_the_partner_only_query_scope(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=("person-info:query",))
    body = assert_problem(bearer(token).get("/api/v1/me/"), 403, "no_sharing_agreement")
    assert "belongs to no partner organisation" in body["detail"]


def test_a_council_system_needs_no_agreement(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=("cases:read",))
    assert bearer(token).get("/api/v1/cases/").status_code == 200


def test_linking_a_client_to_a_partner_without_an_agreement_is_refused(tenant_a, make_api_client):
    school = partner(tenant_a)
    client, _ = make_api_client(tenant_a, scopes=("referrals:write",))
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as error:
            services.api_client_partner_link(by=admin_of(tenant_a), client=client, partner=school)
        assert "Sending referrals" in str(error.value)
        client.refresh_from_db()
        assert client.partner is None


def test_a_partner_account_cannot_be_activated_without_a_casework_agreement(tenant_a):
    school = partner(tenant_a)
    with tenant_context(tenant_a):
        practitioner = factories.MembershipFactory(tenant=tenant_a, role=Role.PARTNER)
        with pytest.raises(ValidationError):
            services.partner_membership_link(by=admin_of(tenant_a), membership=practitioner, partner=school)
    agreement(tenant_a, [school], purposes=[Purpose.CASEWORK])
    with tenant_context(tenant_a):
        services.partner_membership_link(by=admin_of(tenant_a), membership=practitioner, partner=school)
        assert services.partner_casework_agreement(practitioner) is not None


# ----------------------------------------------------------------------------------------- telling admins


def test_the_daily_review_tells_admins_once_in_advance_and_records_the_lapse(tenant_a):
    school = partner(tenant_a)
    today = dt.date.today()
    ending = agreement(tenant_a, [school], ends_on=today + dt.timedelta(days=10))
    with tenant_context(tenant_a):
        admin_of(tenant_a).user.__class__.objects.filter(memberships__tenant=tenant_a).update(email="a@example.org")
        assert services.sharing_agreements_review(on=today).notices == 1
        assert len(mail.outbox) == 1 and "ends in 10 days" in mail.outbox[0].subject
        assert services.sharing_agreements_review(on=today).notices == 0  # once
        summary = services.sharing_agreements_review(on=ending.ends_on + dt.timedelta(days=1))
        assert summary.lapsed == 1
        assert AuditEvent.objects.filter(action="sharing_agreement.lapsed", object_public_id=str(ending.public_id))\
            .exists()


def test_the_home_page_warns_the_admin_of_an_agreement_ending_soon(tenant_a, sign_in):
    school = partner(tenant_a)
    agreement(tenant_a, [school], title="Schools ISA", ends_on=dt.date.today() + dt.timedelta(days=5))
    with tenant_context(tenant_a):
        admin = admin_of(tenant_a)
    page = sign_in(admin.user).get(reverse("home"))
    assert "Schools ISA" in page.content.decode() and "5 days left" in page.content.decode()


# ------------------------------------------------------------------------------------------------ pages


def test_an_admin_records_a_partner_and_an_agreement_through_the_pages(tenant_a, sign_in):
    with tenant_context(tenant_a):
        admin = admin_of(tenant_a)
    client = sign_in(admin.user)
    response = client.post(reverse("partner-add"), {"name": "Northbridge Police", "kind": "police"})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        police = services.PartnerOrganisation.objects.get()
    response = client.post(reverse("agreement-add"), {
        "title": "Police ISA", "partners": [police.pk], "purposes": ["known_to_family_help"],
        "lawful_basis": "public_task", "data_items": "Name\nDate of birth", "starts_on": "2026-01-01",
        "ends_on": "2030-01-01", "signed_copy": signed_pdf()})
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(tenant_a):
        saved = SharingAgreement.objects.get()
        assert saved.in_force_on(dt.date.today()) and len(saved.signed_copy_sha256) == 64
    page = client.get(reverse("agreement-detail", args=[saved.public_id]))
    assert "In force" in page.content.decode()
    download = client.get(reverse("agreement-signed-copy", args=[saved.public_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_bad_agreement_form_says_what_is_wrong(tenant_a, sign_in):
    with tenant_context(tenant_a):
        admin = admin_of(tenant_a)
    page = sign_in(admin.user).post(reverse("agreement-add"), {"title": ""})
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()


def test_an_api_client_for_a_partner_is_created_only_under_an_agreement(tenant_a, sign_in):
    school = partner(tenant_a)
    with tenant_context(tenant_a):
        admin = admin_of(tenant_a)
    client = sign_in(admin.user)
    form = {"name": "School MIS", "scopes": ["referrals:write"], "expires_on": str(dt.date.today()
                                                                                   + dt.timedelta(days=30)),
            "partner": str(school.public_id)}
    page = client.post(reverse("api-client-add"), form)
    assert page.status_code == 200 and "No data-sharing agreement with Riverside Primary School" in \
        page.content.decode()
    with tenant_context(tenant_a):
        assert not services.SharingAgreement.objects.exists()
        from earlyhelp.api.models import ApiClient

        assert not ApiClient.objects.exists()  # nothing written
    agreement(tenant_a, [school], purposes=[Purpose.REFERRALS])
    assert client.post(reverse("api-client-add"), form).status_code == 302
    assert "Riverside Primary School" in client.get(reverse("api-clients")).content.decode()
