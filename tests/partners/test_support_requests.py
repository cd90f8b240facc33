"""Requests for support: from a case to a service in the Open Referral UK feed; consent checked; over-sharing
warned against and safeguarding concerns refused; the service accepts or declines with a reason; the status on the
case and in the service's queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import SupportRequest
from cases.services import support_requests
from commissioning import services as commissioning_services
from earlyhelp.models import Membership
from earlyhelp.permissions import Role
from earlyhelp.sharing.models import Purpose
from earlyhelp.tenancy import tenant_context
from tests import factories
from tests.api import makers
from tests.partners.helpers import agreement, partner, partner_practitioner, share_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(tenant_a):
    """A case, a running commissioned service, the family's consent to share with its provider, and a provider
    user of that provider."""
    case = makers.case(tenant_a, opened_on=dt.date.today() - dt.timedelta(days=20))
    service = makers.service(tenant_a)
    share_consent(tenant_a, case, service.provider)
    with tenant_context(tenant_a):
        lead = Membership.objects.get(user=case.lead_professional)
        provider_user = factories.MembershipFactory(tenant=tenant_a, role=Role.PROVIDER)
        commissioning_services.provider_user_link(
            by=factories.MembershipFactory(tenant=tenant_a, role=Role.COMMISSIONER), membership=provider_user,
            provider=service.provider)
    return {"case": case, "service": service, "lead": lead, "provider_user": provider_user}


def _send(tenant, setting, **overrides):
    data = {"what_is_needed": "Mum would like support with routines after school.", "safeguarding_concern": False,
            "shares_only_what_is_needed": True, **overrides}
    with tenant_context(tenant):
        return support_requests.support_request_send(by=setting["lead"], case=setting["case"],
                                                     service=setting["service"], **data)


def test_a_request_is_sent_answered_and_shown_on_the_case(setting, tenant_a, sign_in, client):
    sent = _send(tenant_a, setting)
    provider = sign_in(setting["provider_user"].user)
    queue = provider.get(reverse("cases:support-requests")).content.decode()
    assert str(setting["case"].family) in queue and "Waiting for your answer (1)" in queue
    page = provider.get(reverse("cases:support-request", args=[sent.public_id])).content.decode()
    assert "support with routines" in page
    response = provider.post(reverse("cases:support-request", args=[sent.public_id]),
                             {"decision": "accept", "reason": "We will call Mum this week."})
    assert response.status_code == 302
    client.logout()
    case_page = sign_in(setting["case"].lead_professional).get(
        reverse("cases:case", args=[setting["case"].public_id])).content.decode()
    assert "Accepted" in case_page and "We will call Mum this week." in case_page


def test_a_decision_needs_a_reason(setting, tenant_a):
    sent = _send(tenant_a, setting)
    with tenant_context(tenant_a), pytest.raises(ValidationError) as error:
        support_requests.support_request_decide(by=setting["provider_user"], request=sent, accept=False, reason=" ")
    assert "reason" in error.value.message_dict


def test_a_safeguarding_concern_is_refused_and_sent_to_the_front_door(setting, tenant_a):
    with pytest.raises(ValidationError) as error:
        _send(tenant_a, setting, safeguarding_concern=True)
    assert "referral to the front door" in str(error.value)
    with tenant_context(tenant_a):
        assert not SupportRequest.objects.exists()


def test_the_form_warns_against_over_sharing_and_refuses_without_the_confirmation(setting, tenant_a, sign_in):
    client = sign_in(setting["case"].lead_professional)
    url = reverse("cases:support-request-new", args=[setting["case"].public_id])
    assert "Share only what the service needs" in client.get(url).content.decode()
    page = client.post(url, {"service": setting["service"].pk, "safeguarding_concern": "no",
                             "what_is_needed": "Help with routines"})
    assert page.status_code == 200 and "Confirm that you share only what the service needs" in page.content.decode()
    with pytest.raises(ValidationError):
        _send(tenant_a, setting, what_is_needed="x" * 1501)


def test_without_consent_to_share_with_the_provider_nothing_is_sent(setting, tenant_a):
    share_consent(tenant_a, setting["case"], setting["service"].provider, status="withdrawn",
                  on=dt.date.today())
    with pytest.raises(ValidationError) as error:
        _send(tenant_a, setting)
    assert "has not consented" in str(error.value)


def test_a_service_whose_contract_has_ended_takes_no_requests(setting, tenant_a):
    with tenant_context(tenant_a):
        type(setting["service"]).objects.filter(pk=setting["service"].pk).update(
            contract_end=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        _send(tenant_a, setting)
    assert "not taking requests" in str(error.value)


def test_another_providers_user_cannot_see_or_answer(setting, tenant_a, sign_in):
    sent = _send(tenant_a, setting)
    other_service = makers.service(tenant_a)
    with tenant_context(tenant_a):
        stranger = factories.MembershipFactory(tenant=tenant_a, role=Role.PROVIDER)
        commissioning_services.provider_user_link(
            by=factories.MembershipFactory(tenant=tenant_a, role=Role.COMMISSIONER), membership=stranger,
            provider=other_service.provider)
        assert support_requests.support_request_queue(by=stranger) == []
        with pytest.raises(PermissionDenied):
            support_requests.support_request_decide(by=stranger, request=sent, accept=True, reason="Mine now")
    assert sign_in(stranger.user).get(reverse("cases:support-request", args=[sent.public_id])).status_code == 404


def test_a_partner_organisation_of_the_providers_name_answers_under_an_agreement(setting, tenant_a):
    sent = _send(tenant_a, setting)
    same = partner(tenant_a, name=setting["service"].provider.name, kind="voluntary", urn="")
    agreement(tenant_a, [same], purposes=[Purpose.CASEWORK])
    practitioner = partner_practitioner(tenant_a, same)
    with tenant_context(tenant_a):
        assert support_requests.support_request_queue(by=practitioner) == []  # no agreement for requests yet
    agreement(tenant_a, [same], purposes=[Purpose.REQUESTS_FOR_SUPPORT], title="Requests ISA")
    with tenant_context(tenant_a):
        assert support_requests.support_request_queue(by=practitioner) == [sent]
        support_requests.support_request_decide(by=practitioner, request=sent, accept=False,
                                                reason="Full until September; try the family hub.")
        sent.refresh_from_db()
        assert sent.status == "declined"


def test_an_outsider_gets_404_and_a_role_without_it_403(setting, tenant_a, tenant_b, member, sign_in, client):
    sent = _send(tenant_a, setting)
    outsider = member(tenant_b, role=Role.PROVIDER)
    assert sign_in(outsider).get(reverse("cases:support-request", args=[sent.public_id])).status_code == 404
    client.logout()
    commissioner = member(tenant_a, role=Role.COMMISSIONER)
    assert sign_in(commissioner).get(reverse("cases:support-requests")).status_code == 403


def test_a_waiting_request_can_be_withdrawn_once(setting, tenant_a):
    sent = _send(tenant_a, setting)
    with tenant_context(tenant_a):
        support_requests.support_request_withdraw(by=setting["lead"], request=sent)
        with pytest.raises(ValidationError):
            support_requests.support_request_withdraw(by=setting["lead"], request=sent)
