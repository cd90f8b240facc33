"""Signed-in pages: members see their tenant; outsiders get 404; members without the role get 403."""

import pytest
from django.urls import reverse

from earlyhelp.audit import record_event
from earlyhelp.models import AuditEvent, Membership, Team, User
from earlyhelp.permissions import Role
from tests.factories import MembershipFactory, TeamFactory


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_in_lands_on_the_tenant_home_page(client, tenant_a, member):
    member(tenant_a, username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery staple"},
                           follow=True)
    assert response.status_code == 200
    assert b"Northbridge Borough Council" in response.content


def test_a_wrong_password_is_refused_with_a_message(client, tenant_a, member):
    member(tenant_a, username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_repeated_failures_lock_the_account_for_a_while(client, tenant_a, member):
    member(tenant_a, username="alice")
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_home_shows_only_the_members_own_tenant(tenant_a, tenant_b, member, sign_in):
    TeamFactory(tenant=tenant_a, name="Grays Team")
    TeamFactory(tenant=tenant_b, name="Allenton Team")
    client = sign_in(member(tenant_a, Role.TENANT_ADMIN))
    content = client.get("/").content.decode()
    assert "Grays Team" in content and "Allenton Team" not in content


def test_a_user_without_any_membership_is_refused(client, db):
    client.force_login(User.objects.create_user("nobody", password="x" * 14))
    response = client.get("/")
    assert response.status_code == 403
    assert b"do not have access to a local authority" in response.content


def test_an_ended_membership_gives_no_access(tenant_a, member, sign_in):
    user = member(tenant_a)
    Membership.all_tenants.filter(user=user).update(is_active=False)
    assert sign_in(user).get("/").status_code == 403


def test_a_user_in_two_tenants_can_switch_between_them(tenant_a, tenant_b, member, sign_in):
    user = member(tenant_a, username="sam", role=Role.TENANT_ADMIN)  # the home page lists a tenant admin's teams
    in_b = MembershipFactory(tenant=tenant_b, user=user, role=Role.TENANT_ADMIN)
    TeamFactory(tenant=tenant_b, name="Allenton Team")
    in_a = Membership.all_tenants.get(user=user, tenant=tenant_a)
    client = sign_in(user)
    client.post(reverse("switch-tenant"), {"membership": str(in_a.public_id)})
    assert "Allenton Team" not in client.get("/").content.decode()
    response = client.post(reverse("switch-tenant"), {"membership": str(in_b.public_id)}, follow=True)
    assert "Eastmoor City Council" in response.content.decode()
    assert "Allenton Team" in response.content.decode()


def test_switching_to_someone_elses_membership_is_not_found(tenant_a, tenant_b, member, sign_in):
    user = member(tenant_a)
    other = MembershipFactory(tenant=tenant_b)
    response = sign_in(user).post(reverse("switch-tenant"), {"membership": str(other.public_id)})
    assert response.status_code == 404


class TestTenantAdministration:
    """The Django admin at /admin/ is for the platform's staff: alice is the platform's staff and administers
    tenant_a; tina administers tenant_a without being staff (her pages are /administration/); bob a practitioner
    of the same tenant; the outsider is staff and administers another."""

    @pytest.fixture
    def alice(self, tenant_a, member):
        user = member(tenant_a, role=Role.TENANT_ADMIN, username="alice")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return user

    @pytest.fixture
    def tina(self, tenant_a, member):
        return member(tenant_a, role=Role.TENANT_ADMIN, username="tina")

    @pytest.fixture
    def bob(self, tenant_a, member):
        return member(tenant_a, role=Role.PRACTITIONER, username="bob")

    @pytest.fixture
    def outsider(self, tenant_b, member):
        user = member(tenant_b, role=Role.TENANT_ADMIN, username="outsider")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return user

    @pytest.fixture
    def team(self, tenant_a):
        return TeamFactory(tenant=tenant_a, name="Grays Team")

    def test_the_tenant_admin_sees_and_edits_their_teams(self, alice, team, sign_in):
        client = sign_in(alice)
        assert client.get("/admin/").status_code == 200
        url = reverse("tenant_admin:earlyhelp_team_change", args=[team.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"name": "Grays & Tilbury Team", "locality": team.locality_id})
        assert response.status_code == 302
        assert Team.all_tenants.get(pk=team.pk).name == "Grays & Tilbury Team"
        assert AuditEvent.all_tenants.filter(action="admin.changed", object_public_id=str(team.public_id)).exists()

    def test_a_tenant_admin_who_is_not_staff_is_sent_to_the_administration_pages(self, tina, team, sign_in):
        client = sign_in(tina)
        for url in ("/admin/", reverse("tenant_admin:earlyhelp_team_change", args=[team.pk])):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse("administration"), url
        assert client.post(reverse("tenant_admin:earlyhelp_team_change", args=[team.pk]),
                           {"name": "Renamed", "locality": team.locality_id}).status_code == 302
        assert Team.all_tenants.get(pk=team.pk).name == "Grays Team"
        assert client.get(reverse("administration")).status_code == 200

    def test_a_member_without_the_role_gets_403(self, bob, team, sign_in):
        client = sign_in(bob)
        assert client.get("/admin/").status_code == 403
        assert client.get(reverse("tenant_admin:earlyhelp_team_change", args=[team.pk])).status_code == 403

    def test_an_outsider_gets_404_for_another_tenants_team(self, outsider, team, sign_in):
        response = sign_in(outsider).get(reverse("tenant_admin:earlyhelp_team_change", args=[team.pk]))
        assert response.status_code == 404

    def test_the_team_list_shows_only_the_admins_tenant(self, alice, outsider, team, tenant_b, sign_in):
        TeamFactory(tenant=tenant_b, name="Allenton Team")
        content = sign_in(alice).get(reverse("tenant_admin:earlyhelp_team_changelist")).content.decode()
        assert "Grays Team" in content and "Allenton Team" not in content

    def test_the_tenant_admin_adds_a_user_with_a_role(self, alice, team, tenant_a, sign_in):
        client = sign_in(alice)
        response = client.post(
            reverse("tenant_admin:earlyhelp_tenantuser_add"),
            {
                "username": "newworker",
                "first_name": "Nia",
                "last_name": "Ward",
                "email": "nia@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-MIN_NUM_FORMS": "0",
                "memberships-MAX_NUM_FORMS": "1",
                "memberships-0-role": Role.PRACTITIONER,
                "memberships-0-teams": [team.pk],
                "memberships-0-is_active": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        membership = Membership.all_tenants.get(user__username="newworker")
        assert membership.tenant == tenant_a and membership.role == Role.PRACTITIONER
        assert list(Team.all_tenants.filter(memberships=membership)) == [team]

    def test_the_tenant_admin_sets_family_help_and_a_social_workers_registration(self, alice, bob, tenant_a,
                                                                                 sign_in):
        client = sign_in(alice)
        url = reverse("tenant_admin:earlyhelp_tenantsettings_change", args=[tenant_a.pk])
        page = client.get(url).content.decode()
        assert 'name="service_model"' in page and 'name="s17_lead_must_be_social_worker"' in page
        response = client.post(url, {
            "financial_year_start_month": 4, "re_referral_window_months": 12, "reopen_window_months": 3,
            "small_number_threshold": 5, "rate_decimal_places": 0, "report_brand_name": "",
            "service_model": "family_help",  # the section 17 rule left unticked: off
        })
        assert response.status_code == 302, response.content.decode()[:2000]
        tenant_a.refresh_from_db()
        assert tenant_a.service_model == "family_help" and not tenant_a.s17_lead_must_be_social_worker
        membership = Membership.all_tenants.get(user=bob)
        response = client.post(reverse("tenant_admin:earlyhelp_tenantuser_change", args=[bob.pk]), {
            "username": "bob", "first_name": "Bob", "last_name": "Builder", "email": "bob@example.org",
            "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1", "memberships-0-id": membership.pk, "memberships-0-user": bob.pk,
            "memberships-0-role": Role.PRACTITIONER, "memberships-0-is_active": "on",
            "memberships-0-is_registered_social_worker": "on", "memberships-0-social_work_england_number": "SW123456",
        })
        assert response.status_code == 302, response.content.decode()[:3000]
        membership.refresh_from_db()
        assert membership.is_registered_social_worker and membership.social_work_england_number == "SW123456"

    def test_the_tenant_admin_cannot_pick_another_tenants_team(self, alice, tenant_b, sign_in):
        foreign = TeamFactory(tenant=tenant_b)
        response = sign_in(alice).post(
            reverse("tenant_admin:earlyhelp_team_add"), {"name": "X", "locality": foreign.locality_id}
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not Team.all_tenants.filter(name="X").exists()


def test_the_platform_admin_creates_a_tenant(client, db):
    admin = User.objects.create_superuser("root", "root@example.org", "x" * 14)
    client.force_login(admin)
    response = client.post("/platform/earlyhelp/tenant/add/", {
        "name": "Westvale District Council", "slug": "westvale", "financial_year_start_month": 4,
        "re_referral_window_months": 12, "reopen_window_months": 3, "small_number_threshold": 5,
        "rate_decimal_places": 0, "report_brand_name": "", "service_model": "family_help",
        "s17_lead_must_be_social_worker": "on",
    })
    assert response.status_code == 302
    from earlyhelp.models import Tenant

    westvale = Tenant.objects.get(slug="westvale")
    assert westvale.service_model == "family_help" and westvale.s17_lead_must_be_social_worker


def test_the_platform_admin_gives_a_user_a_role_in_a_tenant(client, tenant_a, member):
    user = member(tenant_a, username="newcomer")
    admin = User.objects.create_superuser("root", "root@example.org", "x" * 14)
    client.force_login(admin)
    page = client.get("/platform/earlyhelp/membership/add/")
    assert page.status_code == 200 and 'name="tenant"' in page.content.decode()
    from earlyhelp.models import Membership

    membership = Membership.all_tenants.get(user=user, tenant=tenant_a)
    assert client.get(f"/platform/earlyhelp/membership/{membership.pk}/change/").status_code == 200
    response = client.post("/platform/earlyhelp/membership/add/", {
        "tenant": tenant_a.pk, "user": admin.pk, "role": Role.TENANT_ADMIN, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Membership.all_tenants.filter(user=admin, tenant=tenant_a, role=Role.TENANT_ADMIN).exists()


def test_the_platform_site_is_refused_to_tenant_admins(tenant_a, member, sign_in):
    response = sign_in(member(tenant_a, role=Role.TENANT_ADMIN)).get("/platform/")
    assert response.status_code == 302  # to the platform sign-in: not a superuser


def test_record_event_writes_the_request_context(tenant_a, member, sign_in):
    record_event(tenant=tenant_a, action="test.done")
    event = AuditEvent.all_tenants.get(action="test.done")
    assert event.tenant == tenant_a
