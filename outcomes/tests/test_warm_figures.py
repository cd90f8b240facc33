"""The dashboard's figures are recounted in the background after the records change: the figures engine's beat
check (earlyhelp.tasks) queues one recount per council whose committed writes dated into a closed quarter (never
two at once), running what outcomes registered, and the page then opens from the stored figures."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.tests.helpers import D, child, open_case, team_for
from earlyhelp import tasks
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tenant_a, tenant_b, member, monkeypatch):
    # Run the queued recount in this process (Task.apply): no broker, whatever earlier tests did to Celery's pools.
    monkeypatch.setattr(tasks.figures_recount, "delay", lambda *args: tasks.figures_recount.apply(args=args))
    cache.clear()
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
    return {"alice": alice, "team": team}


def _page_queries(client) -> int:
    request_started.disconnect(reset_queries)  # keep the request's queries in the log
    try:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("outcomes:dashboard")).status_code == 200
    finally:
        request_started.connect(reset_queries)
    return len(captured)


@pytest.mark.parametrize("role", ["owner", "application role"])
def test_changed_records_are_recounted_once_and_the_dashboard_opens_warm(world, tenant_a, member, sign_in, role,
                                                                        request):
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER, username="officer"))
    if role == "application role":  # each tenant's token is read in its own context (row-level security)
        request.getfixturevalue("as_app_role")
    check = tasks.figures_recount_for_every_tenant
    assert check.apply().get() == 2  # both tenants: never counted
    assert check.apply().get() == 0  # nothing changed since
    first, again = _page_queries(client), _page_queries(client)
    # the figures and charts (the National Framework counts too) came from the cache on the first view
    assert first == again <= 16
    with tenant_context(tenant_a):  # a change to the records (committed)
        open_case(lead=world["alice"], team=world["team"], kid=child(first="Mo"), received_on=D(2024, 5, 1),
                  opened_on=D(2024, 5, 2))
    assert _page_queries(client) > first  # counted while the officer waits…
    with tenant_context(tenant_a):
        open_case(lead=world["alice"], team=world["team"], kid=child(first="Ky"), received_on=D(2024, 5, 1),
                  opened_on=D(2024, 5, 2))
    assert check.apply().get() == 1  # …unless the beat check got there first: only the tenant that changed
    assert _page_queries(client) == first
    with tenant_context(tenant_a):  # today's casework: only the open quarter changes, counted live
        open_case(lead=world["alice"], team=world["team"], kid=child(first="Jo"), received_on=D.today(),
                  opened_on=D.today())
    assert check.apply().get() == 0
    cache.clear()  # a restart: the closed quarters come from the store, not counted again
    assert _page_queries(client) <= first + 7  # the stored summaries and drawings read, nothing counted


def test_a_recount_already_queued_is_not_queued_again(world, tenant_a):
    cache.add(tasks.FIGURES_RECOUNTING_KEY.format(tenant_id=tenant_a.pk), "queued", 600)
    assert tasks.figures_recount_for_every_tenant.apply().get() == 1  # the other tenant only


def test_recounting_is_off_when_switched_off(world, settings):
    settings.FIGURES_WARM = False
    assert tasks.figures_recount_for_every_tenant.apply().get() == 0


def test_the_recount_covers_each_locality_and_team(world, tenant_a, member, sign_in):
    from outcomes.dashboard import latest_quarter
    from tests.factories import LocalityFactory

    with tenant_context(tenant_a):
        locality = LocalityFactory(tenant=tenant_a)
        quarter = latest_quarter().start.isoformat()
    tasks.figures_recount_for_every_tenant.apply()
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER, username="officer"))
    whole = _page_queries(client)
    for query in (f"?quarter={quarter}&team={world['team'].pk}", f"?quarter={quarter}&locality={locality.pk}"):
        request_started.disconnect(reset_queries)
        try:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("outcomes:dashboard") + query).status_code == 200
        finally:
            request_started.connect(reset_queries)
        assert len(captured) <= whole + 1, query  # from the cache (the scope's own row besides)
