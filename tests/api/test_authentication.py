"""Who may call the API: API clients with a live token, and signed-in members with the right role."""

import datetime

import pytest
from django.utils import timezone

from earlyhelp.api.models import ApiClient
from earlyhelp.api.services import api_client_revoke
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from tests.api.conftest import assert_problem
from tests.factories import TeamFactory, acting

ME = "/api/v1/me/"
TEAMS = "/api/v1/teams/"


def test_a_client_with_a_valid_token_is_recognised_in_its_tenant(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a, scopes=["cases:read", "stats:read"])
    response = bearer(token).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "client"
    assert body["tenant"] == {"id": str(tenant_a.public_id), "name": "Northbridge Borough Council"}
    assert body["client"]["name"] == "MASH case system"
    assert body["scopes"] == ["cases:read", "stats:read"]


def test_the_token_is_stored_only_as_a_hash(tenant_a, make_api_client):
    client, token = make_api_client(tenant_a)
    stored = ApiClient.all_tenants.get(pk=client.pk)
    assert token not in (stored.token_hash, stored.token_prefix)
    assert token.startswith(f"eh_{stored.token_prefix}_")
    assert len(stored.token_hash) == 64


@pytest.mark.parametrize("header", ["Bearer eh_00000000_nope", "Bearer nonsense", "Bearer", "Bearer a b"])
def test_a_wrong_token_gets_401_with_a_bearer_challenge(tenant_a, make_api_client, client, header):
    _, token = make_api_client(tenant_a)
    response = client.get(ME, headers={"Authorization": header})
    assert_problem(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_right_prefix_with_a_wrong_secret_gets_401(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a)
    assert_problem(bearer(token[:-4] + "abcd").get(ME), 401)


def test_an_expired_token_gets_401(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a)
    ApiClient.all_tenants.filter(pk=client.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    body = assert_problem(bearer(token).get(ME), 401)
    assert "expired" in body["detail"]


def test_a_revoked_token_gets_401_and_the_refusal_is_audited(tenant_a, make_api_client, bearer, in_tenant):
    client, token = make_api_client(tenant_a)
    with in_tenant(tenant_a):
        api_client_revoke(client=client, by=acting(role="tenant_admin"))
    body = assert_problem(bearer(token).get(ME), 401)
    assert "revoked" in body["detail"]
    assert AuditEvent.all_tenants.filter(tenant=tenant_a, action="api.authentication_refused").exists()


def test_no_credentials_get_401(db, client):
    assert_problem(client.get(TEAMS), 401, "not_authenticated")


def test_last_used_is_recorded(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a)
    assert client.last_used_at is None
    bearer(token).get(ME)
    assert ApiClient.all_tenants.get(pk=client.pk).last_used_at is not None


def test_a_missing_scope_gets_403_naming_it(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=["returns:write"])
    body = assert_problem(bearer(token).get(TEAMS), 403, "missing_scope")
    assert body["missing_scopes"] == ["cases:read", "stats:read"]
    assert "cases:read" in body["detail"]


class TestSessionUsers:
    """alice (practitioner) may read teams; bob (provider user, same tenant) may not; the outsider sees only
    their own tenant."""

    @pytest.fixture
    def alice(self, tenant_a, member):
        return member(tenant_a, role=Role.PRACTITIONER, username="alice")

    @pytest.fixture
    def bob(self, tenant_a, member):
        return member(tenant_a, role=Role.PROVIDER, username="bob")

    @pytest.fixture
    def outsider(self, tenant_b, member):
        return member(tenant_b, role=Role.PRACTITIONER, username="outsider")

    def test_alice_reads_her_tenants_teams_with_her_session(self, alice, tenant_a, tenant_b, session_api):
        TeamFactory(tenant=tenant_a, name="Grays Team")
        TeamFactory(tenant=tenant_b, name="Allenton Team")
        response = session_api(alice).get(TEAMS)
        assert response.status_code == 200
        assert [team["name"] for team in response.json()["results"]] == ["Grays Team"]
        me = session_api(alice).get(ME).json()
        assert me["kind"] == "user" and me["username"] == "alice" and me["role"] == "practitioner"
        assert "cases:read" in me["scopes"] and "returns:write" not in me["scopes"]

    def test_bob_without_the_role_gets_403(self, bob, session_api):
        body = assert_problem(session_api(bob).get(TEAMS), 403, "missing_scope")
        assert "cases:read" in body["missing_scopes"]

    def test_the_outsider_gets_404_for_a_team_of_another_tenant(self, outsider, tenant_a, session_api):
        team = TeamFactory(tenant=tenant_a)
        assert_problem(session_api(outsider).get(f"{TEAMS}{team.public_id}/"), 404, "not_found")

    def test_a_user_without_membership_gets_403(self, db, session_api):
        from earlyhelp.models import User

        nobody = User.objects.create_user("nobody", password="x" * 14)
        assert_problem(session_api(nobody).get(ME), 403)

    def test_a_session_post_needs_the_csrf_token(self, alice, session_api, settings):
        settings.ROOT_URLCONF = "tests.api.urls"
        response = session_api(alice).post("/api/test/teams/", {"name": "X"}, format="json")
        body = assert_problem(response, 403)
        assert "CSRF" in body["detail"]
