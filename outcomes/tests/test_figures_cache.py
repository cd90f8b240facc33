"""The shared cache of aggregate figures (earlyhelp.figures_engine): a figure is served from the cache only while none
of the rows it was counted from has changed — whatever wrote them (services, QuerySet.update, bulk_create, raw
SQL, a delete) — and one tenant's writes leave another's figures cached. The statistics read no table the
triggers do not watch. And the outcomes dashboard runs a fixed number of queries, whatever the data."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.signals import request_started
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Closure, Referral
from cases.stats import case_stats
from cases.tests.helpers import D, child, close, open_case, team_for
from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import DistanceTool, ReadingScore
from outcomes.stats import (
    family_outcome_stats,
    performance_framework,
    performance_framework_series,
    programme_stats,
    reading_stats,
)
from outcomes.stats.national_framework import national_framework_stats

from .helpers import reading

pytestmark = pytest.mark.django_db(transaction=True)
Q1 = Quarter(2024, 1)


@pytest.fixture
def world(tenant_a, tenant_b, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        spider = DistanceTool.objects.get(code="spider-graph")
        reading(case, spider, "start", D(2024, 4, 10), routines=2, parenting=3)
        reading(case, spider, "end", D(2024, 6, 10), routines=5, parenting=6)
        close(case, closed_on=D(2024, 6, 20))
    bob = member(tenant_b, Role.PRACTITIONER, username="bob")
    b_team = team_for(tenant_b, bob)
    with tenant_context(tenant_b):
        b_case = open_case(lead=bob, team=b_team, received_on=D(2024, 4, 3), opened_on=D(2024, 4, 6))
    return {"alice": alice, "team": team, "case": case, "bob": bob, "b_case": b_case}


def _queries(fn):
    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return value, len(captured)


def test_a_second_reading_of_unchanged_figures_costs_one_query(world, tenant_a):
    with tenant_context(tenant_a):
        first, cold = _queries(lambda: performance_framework(period=Q1))
        again, warm = _queries(lambda: performance_framework(period=Q1))
    assert again == first and cold > 10 and warm == 1  # the data token; the figures come from the cache
    assert first.measure("referrals").numerator == 1 and first.measure("improving_travel").numerator == 1


@pytest.mark.parametrize("write", ["service", "queryset_update", "bulk_create", "raw_sql", "delete"])
def test_any_write_to_a_source_table_renews_the_figures(world, tenant_a, write):
    with tenant_context(tenant_a):
        before = case_stats(period=Q1)
        readings_before = reading_stats(period=Q1)
        if write == "service":
            open_case(lead=world["alice"], team=world["team"], kid=child(first="Bo"), received_on=D(2024, 5, 1),
                      opened_on=D(2024, 5, 2))
            expected = before.referrals + 1
        elif write == "queryset_update":
            Referral.objects.update(received_on=D(2024, 8, 1))
            expected = 0
        elif write == "bulk_create":
            copy = Referral.objects.get()
            copy.pk, copy.public_id = None, uuid.uuid4()
            Referral.objects.bulk_create([copy])
            expected = before.referrals + 1
        elif write == "raw_sql":
            with connection.cursor() as cursor:
                cursor.execute("UPDATE cases_referral SET received_on = %s WHERE tenant_id = %s",
                               [D(2023, 1, 1), tenant_a.pk])
            expected = 0
        else:
            ReadingScore.objects.filter(reading__stage="end").delete()
            expected = before.referrals
        after = case_stats(period=Q1)
        assert after.referrals == expected
        if write == "delete":
            assert readings_before.improving.numerator == 1
            assert reading_stats(period=Q1).improving.numerator == 0  # the end reading has no scores left


@pytest.mark.parametrize("role", ["owner", "application role"])
def test_a_rolled_back_write_leaves_the_cached_figures_valid(world, tenant_a, role, request):
    if role == "application role":
        request.getfixturevalue("as_app_role")
    with tenant_context(tenant_a):
        before = case_stats(period=Q1)
        token = figures_engine.data_token(tenant_a.pk)
        with pytest.raises(RuntimeError), transaction.atomic():
            Referral.objects.update(received_on=D(2023, 1, 1))
            assert case_stats(period=Q1).referrals == 0  # the transaction counts its own rows
            raise RuntimeError("roll back")
        assert figures_engine.data_token(tenant_a.pk) == token
        again, queries = _queries(lambda: case_stats(period=Q1))
    assert again == before and queries == 1


@pytest.mark.parametrize("role", ["owner", "application role"])
def test_another_tenants_writes_leave_the_figures_cached(world, tenant_a, tenant_b, role, request):
    if role == "application role":
        request.getfixturevalue("as_app_role")
    with tenant_context(tenant_a):
        case_stats(period=Q1)
    with tenant_context(tenant_b):
        close(world["b_case"], closed_on=D(2024, 5, 1))
    with tenant_context(tenant_a):
        _, queries = _queries(lambda: case_stats(period=Q1))
    assert queries == 1


def test_the_figures_depend_on_the_scope_and_period_in_their_key(world, tenant_a):
    with tenant_context(tenant_a):
        whole = case_stats(period=Q1)
        other_team = team_for(tenant_a)
        assert case_stats(period=Q1, team=other_team).referrals == 0
        assert case_stats(period=Q1, team=world["team"]).referrals == whole.referrals == 1
        assert case_stats(period=Q1.next()).referrals == 0
        assert reading_stats(period=Q1, threshold=7).improving.numerator == 0  # a change of 6 over two areas
        assert reading_stats(period=Q1, threshold=1).improving.numerator == 1


def test_the_statistics_read_only_tables_whose_writes_renew_the_token(world, tenant_a):
    watched = figures_engine.source_tables()
    with tenant_context(tenant_a), CaptureQueriesContext(connection) as captured:
        for scope in ({}, {"team": world["team"]}):
            with pytest.MonkeyPatch.context() as patch:  # compute, so that every query is seen
                patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
                performance_framework(period=Q1, **scope)
                reading_stats(period=Q1, subject="family", **scope)
                family_outcome_stats(period=Q1, **scope)
                programme_stats(period=Q1, **scope)
                national_framework_stats(period=Q1, **scope)
    read = set()
    for query in captured:
        read |= set(re.findall(r'"((?:cases|outcomes|commissioning)_[a-z_]+)"', query["sql"]))
    assert read and read <= watched, read - watched


def test_series_figures_equal_single_period_figures_on_boundary_days(world, tenant_a):
    with tenant_context(tenant_a):
        # Records on the first and last day of adjacent quarters.
        for day in (D(2024, 6, 30), D(2024, 7, 1), D(2024, 3, 31), D(2024, 4, 1)):
            kid = child(first=f"K{day:%m%d}")
            case = open_case(lead=world["alice"], team=world["team"], kid=kid, received_on=day, opened_on=day)
            close(case, closed_on=day)
        quarters = [Q1.shifted(i) for i in range(-1, 3)]
        series = performance_framework_series(quarters)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
            singles = [performance_framework(period=q) for q in quarters]
        cached_singles = [performance_framework(period=q) for q in quarters]
    assert series == singles == cached_singles
    assert [f.measure("cases_closed").numerator for f in series] == [1, 3, 1, 0]


def test_the_dashboard_runs_a_fixed_number_of_queries(world, tenant_a, member, sign_in):
    officer = member(tenant_a, Role.PERFORMANCE_OFFICER, username="officer")
    client = sign_in(officer)
    url = reverse("outcomes:dashboard") + "?quarter=2024-04-01"

    def counted():
        # The test client empties the query log when a request starts: keep it, so the request's queries count.
        request_started.disconnect(reset_queries)
        try:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
        finally:
            request_started.connect(reset_queries)
        return len(captured)

    cold, warm = counted(), counted()

    with tenant_context(tenant_a):  # more data: the same number of queries
        for n in range(5):
            open_case(lead=world["alice"], team=world["team"], kid=child(first=f"M{n}"), received_on=D(2024, 5, 1),
                      opened_on=D(2024, 5, 2))
    # Counted again: as many queries or fewer (a chart whose figures did not change is still in the cache, so its
    # stored drawing is neither read nor written).
    assert counted() <= cold
    # session, user, membership, the form's lists, the data token: every figure (the National Framework counts
    # too) from the cache
    assert warm == counted() <= 16
    # Five quarters of the framework are read from the cache; computed, each table is read once for the five,
    # besides one read and one write of the stored summaries per measure and of the stored drawing per chart (the
    # National Framework counts: their two queries, one read and one write of the store).
    assert warm < cold <= 54
    with tenant_context(tenant_a):
        assert Case.objects.count() == 6 and Closure.objects.count() == 1


def test_series_of_outcomes_figures_equal_single_periods_with_readings_on_boundary_days(world, tenant_a):
    """A start reading on a quarter's last day, end readings on the next quarter's first and last days; the
    series of the four building blocks equals each period alone, and costs what one period costs."""
    from outcomes.stats.family import family_outcome_stats_series
    from outcomes.stats.programme import programme_stats_series
    from outcomes.stats.readings import reading_stats_series

    with tenant_context(tenant_a):
        spider = DistanceTool.objects.get(code="spider-graph")
        for n, (start_on, end_on) in enumerate([(D(2024, 6, 30), D(2024, 7, 1)), (D(2024, 3, 31), D(2024, 9, 30))]):
            case = open_case(lead=world["alice"], team=world["team"], kid=child(first=f"R{n}"),
                             received_on=start_on, opened_on=start_on)
            reading(case, spider, "start", start_on, routines=4, parenting=4)
            reading(case, spider, "end", end_on, routines=2 + 3 * n, parenting=5)
            close(case, closed_on=end_on)
        periods = [Q1.previous(), Q1, Q1.next(), (D(2024, 6, 30), D(2024, 7, 1))]
        blocks = [
            (reading_stats_series, lambda p, **kw: reading_stats(start=p[0], end=p[1], **kw)),
            (family_outcome_stats_series, lambda p, **kw: family_outcome_stats(start=p[0], end=p[1], **kw)),
            (programme_stats_series, lambda p, **kw: programme_stats(start=p[0], end=p[1], **kw)),
        ]
        bounds = [p if isinstance(p, tuple) else (p.start, p.end) for p in periods]
        for series_of, single in blocks:
            for scope in ({}, {"team": world["team"]}):
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
                    singles = [single(b, **scope) for b in bounds]
                    _, one = _queries(lambda s=series_of, sc=scope: s(periods[1:2], **sc))  # one with pairs
                    series, many = _queries(lambda s=series_of, sc=scope: s(periods, **sc))
                assert series == singles and many == one
                assert series_of(periods, **scope) == singles  # stored and read under the single periods' keys
        assert [r.improving for r in reading_stats_series(periods)] == [Rate(0, 0), Rate(1, 1), Rate(1, 2),
                                                                       Rate(0, 1)]


def test_the_framework_series_costs_the_queries_of_one_quarter(world, tenant_a):
    quarters = [Q1.shifted(i) for i in range(-4, 4)]
    with tenant_context(tenant_a), pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
        _, one = _queries(lambda: performance_framework_series([Q1]))  # a quarter with readings to pair
        _, five = _queries(lambda: performance_framework_series(quarters[:5]))
        _, eight = _queries(lambda: performance_framework_series(quarters))
    assert one == five == eight


def _token_row(tenant_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT token || '.' || seq FROM earlyhelp_figuresversion WHERE tenant_id = %s", [tenant_id])
        row = cursor.fetchone()
    return row and str(row[0])


def test_the_token_is_renewed_when_the_writing_transaction_commits(world, tenant_a):
    with tenant_context(tenant_a):
        before = case_stats(period=Q1)
        token = figures_engine.data_token(tenant_a.pk)
        Referral.objects.update(received_on=D(2024, 8, 1))
        assert figures_engine.data_token(tenant_a.pk) is None  # written, not committed: counted, not cached
        assert _token_row(tenant_a.pk) == token
        assert case_stats(period=Q1).referrals == 0
    renewed = figures_engine.data_token(tenant_a.pk)
    assert renewed not in (None, token) and before.referrals == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM earlyhelp_figurespending")
        assert cursor.fetchone()[0] == 0  # the pending rows go with the commit
    with tenant_context(tenant_a):
        assert case_stats(period=Q1).referrals == 0


def test_two_writers_of_one_tenant_do_not_wait_for_each_other_before_commit(world, tenant_a):
    """A long transaction (an import, say) must not hold up the authority's other writers: the token's row
    lock is taken only at commit."""
    import psycopg2

    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None,
                             user=db["USER"] or None, password=db["PASSWORD"] or None)
    try:
        with tenant_context(tenant_a):
            Referral.objects.update(received_on=D(2024, 5, 5))  # this transaction stays open below
            token = _token_row(tenant_a.pk)
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")  # the old design waited here until our commit
                cursor.execute("UPDATE cases_case SET closed_on = closed_on + 1 WHERE tenant_id = %s", [tenant_a.pk])
            other.commit()
            assert _token_row(tenant_a.pk) not in (None, token)  # the other writer's commit renewed it
    finally:
        other.close()
