"""The figures cache's state under row-level security, as the application role: a council reads and writes only
its own version and pending rows, and the commit-time renewal works whichever tenant's context (or none) the
writing transaction is in when it commits."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from cases.models import Case, Referral
from cases.stats import case_stats
from cases.tests.helpers import D, open_case, team_for
from earlyhelp import figures_engine
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

pytestmark = [pytest.mark.django_db(transaction=True)]
Q1 = Quarter(2024, 1)


@pytest.fixture
def world(tenant_a, tenant_b, member):
    for tenant, name in ((tenant_a, "alice"), (tenant_b, "bob")):
        lead = member(tenant, Role.PRACTITIONER, username=name)
        team = team_for(tenant, lead)
        with tenant_context(tenant):
            open_case(lead=lead, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_a_council_reads_and_writes_only_its_own_figures_state(world, tenant_a, tenant_b, as_app_role):
    with tenant_context(tenant_b):
        theirs = figures_engine.data_state(tenant_b.pk)
    with tenant_context(tenant_a):
        figures_engine.data_state(tenant_a.pk)
    with transaction.atomic():
        with tenant_context(tenant_b):
            Referral.objects.update(received_on=D(2024, 5, 1))  # B's pending row, in this transaction
            assert _rows("SELECT tenant_id FROM earlyhelp_figurespending") == [(tenant_b.pk,)]
        with tenant_context(tenant_a):
            assert _rows("SELECT tenant_id FROM earlyhelp_figuresversion") == [(tenant_a.pk,)]
            assert _rows("SELECT count(*) FROM earlyhelp_figurespending") == [(0,)]
            assert _rows("UPDATE earlyhelp_figuresversion SET token = gen_random_uuid(), seq = 0 "
                         "WHERE tenant_id = %s", [tenant_b.pk]) == 0
            assert _rows("UPDATE earlyhelp_figurespending SET since = '-infinity' WHERE tenant_id = %s",
                         [tenant_b.pk]) == 0
            assert _rows("DELETE FROM earlyhelp_figurespending WHERE tenant_id = %s", [tenant_b.pk]) == 0
            for sql in ("INSERT INTO earlyhelp_figuresversion (tenant_id, token) VALUES (%s, gen_random_uuid()) "
                        "ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token",
                        "INSERT INTO earlyhelp_figurespending (tenant_id, since) VALUES (%s, '-infinity')"):
                with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                    _rows(sql, [tenant_b.pk])
    with tenant_context(tenant_b):  # B's own write was committed and renewed its state; A changed nothing
        after = figures_engine.data_state(tenant_b.pk)
    assert after.token == theirs.token and after.seq == theirs.seq + 1


@pytest.mark.parametrize("ends_in", ["another tenant's context", "no tenant's context"])
def test_the_commit_time_renewal_runs_in_the_writing_tenants_context(world, tenant_a, tenant_b, as_app_role,
                                                                     ends_in):
    with tenant_context(tenant_a):
        assert case_stats(period=Q1).referrals == 1
        before = figures_engine.data_state(tenant_a.pk)
    with tenant_context(tenant_b):
        b_before = figures_engine.data_state(tenant_b.pk)
    with transaction.atomic():
        with tenant_context(tenant_a):
            Referral.objects.update(received_on=D(2024, 8, 1))
        if ends_in == "another tenant's context":
            with tenant_context(tenant_b, restore=False):  # commits with app.tenant_id = B
                assert Case.objects.count() == 1
        else:
            assert _rows("SELECT current_setting('app.tenant_id', true)") == [("",)]
    with tenant_context(tenant_a):
        after = figures_engine.data_state(tenant_a.pk)
        assert after.seq == before.seq + 1 and after.changes[-1] == (after.seq, D(2024, 4, 2))
        assert case_stats(period=Q1).referrals == 0  # recounted: the change is in the staircase
        assert _rows("SELECT count(*) FROM earlyhelp_figurespending") == [(0,)]
    with tenant_context(tenant_b):
        assert figures_engine.data_state(tenant_b.pk) == b_before
        assert _rows("SELECT count(*) FROM earlyhelp_figurespending") == [(0,)]


def test_a_change_renewed_early_by_immediate_constraints_is_queued_again(world, tenant_a):
    """``SET CONSTRAINTS ALL IMMEDIATE`` fires the commit-time trigger after each statement; a later write in the
    same transaction must still be recorded."""
    with tenant_context(tenant_a):
        before = figures_engine.data_state(tenant_a.pk)
    with tenant_context(tenant_a):
        _rows("SET CONSTRAINTS ALL IMMEDIATE")
        Referral.objects.update(received_on=D(2025, 1, 1))
        Referral.objects.update(received_on=D(2023, 1, 1))
    with tenant_context(tenant_a):
        after = figures_engine.data_state(tenant_a.pk)
    assert after.seq == before.seq + 2 and after.changes[-1] == (after.seq, D(2023, 1, 1))
