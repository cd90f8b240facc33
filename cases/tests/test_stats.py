"""cases.stats against a small, hand-counted fixture for 2024/25 Q1 (April–June 2024)."""

import pytest

from cases import services
from cases.stats import case_stats
from earlyhelp.figures import Rate
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, close, level, need, open_case, referral, team_for

Q1 = Quarter(2024, 1)


@pytest.fixture
def world(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    north = team_for(tenant_a, alice, "North")
    south = team_for(tenant_a, alice, "South")
    with tenant_context(tenant_a):
        # Ada: case before the quarter, assessed and closed in it, then re-referred (VCM panel) and re-opened.
        ada = child(first="Ada")
        first = open_case(lead=alice, team=north, kid=ada, received_on=D(2024, 3, 15), opened_on=D(2024, 3, 20))
        a = services.assessment_start(case=first, started_on=D(2024, 3, 22), by=acting())
        services.assessment_complete(assessment=a, completed_on=D(2024, 4, 5), needs=[need("PARENTING")], by=acting())
        close(first, closed_on=D(2024, 4, 30), code="OUTCOMES_MET", judgement="fully")
        open_case(lead=alice, team=north, kid=ada, received_on=D(2024, 5, 10), opened_on=D(2024, 5, 15),
                  code="VCM", route="panel")
        # Ben: signposted at the front door.
        services.referral_decide(referral=referral([child(first="Ben", last="Brook")], received_on=D(2024, 4, 2)),
                                 decision="signposted", decided_on=D(2024, 4, 3), by=acting())
        # Cal: referred on the last day, stepped up the day after the quarter ends.
        services.referral_decide(referral=referral([child(first="Cal", last="Cole")], received_on=D(2024, 6, 30)),
                                 decision="stepped_up", decided_on=D(2024, 7, 1), by=acting())
        # Dee: case opened, stepped up and closed in the quarter, with feedback.
        dee = open_case(lead=alice, team=south, kid=child(first="Dee", last="Dale"), received_on=D(2024, 4, 10),
                        opened_on=D(2024, 4, 12))
        services.step_change_record(case=dee, kind="step_up", occurred_on=D(2024, 6, 1), level_after=level(3),
                                    by=acting())
        close(dee, closed_on=D(2024, 6, 2), code="STEPPED_UP", judgement="not_at_all")
        services.feedback_record(case=dee, received_on=D(2024, 6, 10), treated_with_respect=True, listened_to=False,
                                 helped_with_issues=None, by=acting())
    return {"north": north, "south": south}




def test_the_quarter_counts_by_hand(tenant_a, world):
    with tenant_context(tenant_a):
        s = case_stats(period=Q1)
    assert s.referrals == 4
    assert s.referrals_by_route == {"direct": 3, "panel": 1}
    assert s.referrals_by_source == {"2A": 3, "VCM": 1}
    assert s.re_referrals == Rate(1, 4)
    assert s.cases_opened == 2 and s.reopened_within_window == Rate(1, 2)
    assert s.open_at_period_end == 1
    assert s.cases_closed == 2
    assert s.closed_by_reason["OUTCOMES_MET"] == 1 and s.closed_by_reason["STEPPED_UP"] == 1
    assert sum(s.closed_by_reason.values()) == 2
    assert s.closure_judgements == {"fully": 1, "partially": 0, "not_at_all": 1}
    assert s.assessments_completed == 1
    assert s.escalations_by_quarter == {"2024/25 Q1": {"case_step_ups": 1, "referrals_stepped_up": 0}}
    assert s.feedback_received == 1
    assert (s.treated_with_respect, s.listened_to, s.helped_with_issues) == (Rate(1, 1), Rate(0, 1), Rate(0, 0))


def test_the_front_door_step_up_counts_in_the_next_quarter(tenant_a, world):
    with tenant_context(tenant_a):
        s = case_stats(start=D(2024, 4, 1), end=D(2024, 9, 30))
    assert s.escalations_by_quarter["2024/25 Q2"] == {"case_step_ups": 0, "referrals_stepped_up": 1}


def test_a_team_sees_its_own_cases_only(tenant_a, world):
    with tenant_context(tenant_a):
        north = case_stats(period=Q1, team=world["north"])
        south = case_stats(period=Q1, team=world["south"])
    assert (north.referrals, north.cases_opened, north.cases_closed, north.open_at_period_end) == (1, 1, 1, 1)
    assert north.reopened_within_window == Rate(1, 1)
    assert (south.referrals, south.cases_opened, south.cases_closed, south.open_at_period_end) == (1, 1, 1, 0)
    assert south.escalations_by_quarter["2024/25 Q1"]["case_step_ups"] == 1


def test_stats_take_a_fixed_number_of_queries(tenant_a, world, django_assert_max_num_queries):
    with tenant_context(tenant_a), django_assert_max_num_queries(12):
        case_stats(period=Q1)


def test_within_one_job_the_same_quarters_counts_are_worked_out_once(tenant_a, django_assert_num_queries):
    from cases.stats import case_stats, reused_within
    from earlyhelp.periods import Quarter
    from earlyhelp.tenancy import tenant_context

    with tenant_context(tenant_a), reused_within():
        first = case_stats(period=Quarter(2024, 1))
        with django_assert_num_queries(0):
            again = case_stats(period=Quarter(2024, 1))
        again.referrals += 1  # a copy: changing it does not change what the next caller gets
        assert case_stats(period=Quarter(2024, 1)).referrals == first.referrals



def test_series_counts_equal_single_period_counts_on_boundary_days(tenant_a, world, django_assert_num_queries):
    """Ada's first case is open across two quarters and she is re-referred inside the window; Eve's case opens on
    the last day of a quarter and closes on the first day of the next, with feedback on a boundary day."""
    from django.test.utils import override_settings

    from cases.stats import case_stats_series, reused_within
    from earlyhelp.models import User
    from earlyhelp.periods import FinancialYear

    alice = User.objects.get(username="alice")
    with tenant_context(tenant_a):
        eve = open_case(lead=alice, team=world["south"], kid=child(first="Eve", last="Eden"),
                        received_on=D(2024, 3, 31), opened_on=D(2024, 3, 31))
        services.feedback_record(case=eve, received_on=D(2024, 7, 1), treated_with_respect=False, listened_to=True,
                                 helped_with_issues=True, by=acting())
        close(eve, closed_on=D(2024, 7, 1), code="OUTCOMES_MET", judgement="partially")
        periods = [Q1.previous(), Q1, Q1.next(), FinancialYear(2024), (D(2024, 3, 31), D(2024, 7, 1)),
                   (D(2024, 6, 30), D(2024, 6, 30))]
        for scope in ({}, {"team": world["north"]}, {"team": world["south"]}):
            with override_settings(FIGURES_CACHE=False):
                singles = [case_stats(period=p, **scope) if not isinstance(p, tuple)
                           else case_stats(start=p[0], end=p[1], **scope) for p in periods]
                with django_assert_num_queries(len(_queries_of(lambda: case_stats(period=Q1, **scope)))):
                    series = case_stats_series(periods, **scope)
            assert series == singles
            assert case_stats_series(periods, **scope) == singles  # through the figures cache
            with reused_within():
                assert case_stats_series(periods[::-1], **scope) == singles[::-1]
        whole = case_stats_series(periods)
    assert [s.referrals for s in whole[:3]] == [2, 4, 0]
    assert [s.cases_closed for s in whole[:3]] == [0, 2, 1]
    assert [s.open_at_period_end for s in whole[:3]] == [2, 2, 1]
    assert whole[4].re_referrals == Rate(1, 5)


def _queries_of(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return captured.captured_queries
