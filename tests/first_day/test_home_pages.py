"""A home page per role that answers "what do I do now?" (issue #19), in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.tests.helpers import D, child, open_case, team_for
from commissioning import services as commissioning_services
from earlyhelp.models import Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


def home(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_practitioners_home_shows_caseload_tasks_and_referrals_in_fixed_queries(tenant_a, member, sign_in):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice, "North")
    with tenant_context(tenant_a):
        open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"))
    client = sign_in(alice)
    text, few = home(client)
    assert "Your caseload" in text and "Ashby family" in text and "Your tasks" in text
    assert "Referrals waiting for a decision" in text and "Record a referral" in text
    assert "Administration" not in text and "KPI returns" not in text
    with tenant_context(tenant_a):
        for n in range(6):
            open_case(lead=alice, team=team, kid=child(first=f"Kid{n}", last=f"Family{n}", postcode="NB1 2AA"))
    text, many = home(client)
    assert "Family5 family" in text and many == few  # no query per case


def test_the_managers_home_shows_the_teams_drift_queue_and_supervision(tenant_a, member, sign_in):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    marcus = member(tenant_a, Role.TEAM_MANAGER, username="marcus")
    team = team_for(tenant_a, alice, "North")
    with tenant_context(tenant_a):
        marcus.memberships.get().teams.add(team)
        open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"), opened_on=D(2024, 4, 20))
    text, _ = home(sign_in(marcus))
    assert "Your team" in text and "drifting" in text and "waiting to be allocated" in text
    assert "supervision overdue" in text


def test_the_commissioners_and_providers_homes_show_returns_due(tenant_a, member, sign_in):
    carol = member(tenant_a, Role.COMMISSIONER, username="carol")
    pat = member(tenant_a, Role.PROVIDER, username="pat")
    with tenant_context(tenant_a):
        by = Membership.objects.get(user=carol)
        provider = commissioning_services.provider_create(by=by, name="Women's Aid")
        commissioning_services.service_create(by=by, name="STEPS", provider=provider)
        commissioning_services.service_create(by=by, name="Old contract", provider=provider)
        old = provider.services.get(name="Old contract")
        commissioning_services.service_update(by=by, service=old, contract_end=dt.date(2017, 3, 31))
        commissioning_services.provider_user_link(by=by, membership=Membership.objects.get(user=pat),
                                                  provider=provider)
    text, _ = home(sign_in(carol))
    assert "KPI returns for" in text and "STEPS" in text and "Old contract" not in text
    assert "All commissioned services" in text
    text, _ = home(sign_in(pat))
    assert "Your services' returns for" in text and "STEPS" in text


@pytest.mark.parametrize("role, expected, absent", [
    (Role.PERFORMANCE_OFFICER, ["Performance", "Latest report runs", "No reports have been run yet"],
     ["Your caseload"]),
    (Role.AUDITOR, ["Recent activity", "Search the access log"], ["Your caseload", "Administration"]),
    (Role.TENANT_ADMIN, ["Administration", "People and roles", "Teams", "Localities", "API clients"],
     ["Your caseload"]),
])
def test_each_other_role_has_its_own_home(tenant_a, member, sign_in, role, expected, absent):
    text, _ = home(sign_in(member(tenant_a, role)))
    for words in expected:
        assert words in text, words
    for words in absent:
        assert words not in text, words
