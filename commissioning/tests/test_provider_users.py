"""The provider-user link screen: alice (commissioner) links a member with the provider role to a provider, sees
the links and unlinks them; bob (a performance officer) gets 403; another authority's commissioner gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from commissioning import selectors
from commissioning.models import ProviderMembership
from commissioning.tests.conftest import membership_of
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


@pytest.fixture
def alice(commissioner):
    return commissioner.user


@pytest.fixture
def pat(tenant_a, member):
    """A provider user of this authority, not linked yet."""
    return membership_of(member(tenant_a, Role.PROVIDER, username="pat", user__first_name="Pat",
                                user__last_name="Provider"), tenant_a)


def users_url(provider):
    return reverse("commissioning:provider-users", args=[provider.public_id])


def unlink_url(provider, membership):
    return reverse("commissioning:provider-user-unlink", args=[provider.public_id, membership.public_id])


def links():
    return sorted((link.membership.user.username, link.provider.name)
                  for link in ProviderMembership.all_tenants.select_related("membership__user", "provider"))


def test_a_commissioner_links_a_provider_user_who_then_sees_the_providers_services(
    tenant_a, alice, pat, steps, sign_in
):
    client = sign_in(alice)
    page = client.get(users_url(steps.provider))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"No users are linked to {escape(steps.provider.name)} yet." in html
    assert '<label class="govuk-label govuk-label--s" for="id_membership">Provider user</label>' in html
    assert f'<option value="{pat.public_id}">Pat Provider (pat)</option>' in html

    response = client.post(users_url(steps.provider), {"membership": str(pat.public_id)})

    assert response.status_code == 302
    assert links() == [("pat", steps.provider.name)]
    page = client.get(users_url(steps.provider)).content.decode()
    assert "is now linked to" in page and unlink_url(steps.provider, pat) in page
    with tenant_context(tenant_a):
        assert list(selectors.services_visible_to(pat)) == [steps]
        assert AuditEvent.objects.filter(action="provider.user_linked").exists()


def test_only_provider_role_members_of_this_authority_can_be_chosen(
    tenant_a, tenant_b, alice, member, steps, sign_in
):
    practitioner = membership_of(member(tenant_a, Role.PRACTITIONER, username="petra"), tenant_a)
    foreigner = membership_of(member(tenant_b, Role.PROVIDER, username="faye"), tenant_b)
    client = sign_in(alice)
    html = client.get(users_url(steps.provider)).content.decode()
    assert "petra" not in html and "faye" not in html
    for membership in (practitioner, foreigner):
        response = client.post(users_url(steps.provider), {"membership": str(membership.public_id)})
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page and "Select a valid choice." in page
    response = client.post(users_url(steps.provider), {})
    assert response.status_code == 400 and "Select provider user" in response.content.decode()
    assert links() == []


def test_a_commissioner_unlinks_a_provider_user(tenant_a, alice, provider_user, steps, sign_in):
    client = sign_in(alice)
    assert "pat" in client.get(users_url(steps.provider)).content.decode()
    response = client.post(unlink_url(steps.provider, provider_user))
    assert response.status_code == 302
    assert links() == []
    with tenant_context(tenant_a):
        assert list(selectors.services_visible_to(provider_user)) == []
        assert AuditEvent.objects.filter(action="provider.user_unlinked").exists()


def test_unlinking_through_another_provider_is_404(tenant_a, alice, provider_user, other_service, sign_in):
    response = sign_in(alice).post(unlink_url(other_service.provider, provider_user))
    assert response.status_code == 404
    assert len(links()) == 1


def test_unlink_is_post_only(alice, provider_user, steps, sign_in):
    assert sign_in(alice).get(unlink_url(steps.provider, provider_user)).status_code == 405


@pytest.mark.parametrize("role", [Role.PERFORMANCE_OFFICER, Role.PROVIDER, Role.PRACTITIONER, Role.TENANT_ADMIN])
def test_other_roles_get_403(role, tenant_a, member, provider_user, steps, sign_in):
    client = sign_in(member(tenant_a, role, username="bob"))
    assert client.get(users_url(steps.provider)).status_code == 403
    assert client.post(users_url(steps.provider), {"membership": str(provider_user.public_id)}).status_code == 403
    assert client.post(unlink_url(steps.provider, provider_user)).status_code == 403
    assert len(links()) == 1


def test_another_authoritys_commissioner_gets_404(tenant_b, member, provider_user, steps, sign_in):
    client = sign_in(member(tenant_b, Role.COMMISSIONER, username="outsider"))
    assert client.get(users_url(steps.provider)).status_code == 404
    assert client.post(unlink_url(steps.provider, provider_user)).status_code == 404
    assert len(links()) == 1
