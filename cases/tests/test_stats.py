"""cases.stats against a small, hand-counted fixture for 2024/25 Q1 (April–June 2024)."""

import pytest

from cases import services
from cases.stats import Rate, case_stats
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

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
        a = services.assessment_start(case=first, started_on=D(2024, 3, 22))
        services.assessment_complete(assessment=a, completed_on=D(2024, 4, 5), needs=[need("PARENTING")])
        close(first, closed_on=D(2024, 4, 30), code="OUTCOMES_MET", judgement="fully")
        open_case(lead=alice, team=north, kid=ada, received_on=D(2024, 5, 10), opened_on=D(2024, 5, 15),
                  code="VCM", route="panel")
        # Ben: signposted at the front door.
        services.referral_decide(referral=referral([child(first="Ben", last="Brook")], received_on=D(2024, 4, 2)),
                                 decision="signposted", decided_on=D(2024, 4, 3))
        # Cal: referred on the last day, stepped up the day after the quarter ends.
        services.referral_decide(referral=referral([child(first="Cal", last="Cole")], received_on=D(2024, 6, 30)),
                                 decision="stepped_up", decided_on=D(2024, 7, 1))
        # Dee: case opened, stepped up and closed in the quarter, with feedback.
        dee = open_case(lead=alice, team=south, kid=child(first="Dee", last="Dale"), received_on=D(2024, 4, 10),
                        opened_on=D(2024, 4, 12))
        services.step_change_record(case=dee, kind="step_up", occurred_on=D(2024, 6, 1), level_after=level(3))
        close(dee, closed_on=D(2024, 6, 2), code="STEPPED_UP", judgement="not_at_all")
        services.feedback_record(case=dee, received_on=D(2024, 6, 10), treated_with_respect=True, listened_to=False,
                                 helped_with_issues=None)
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
    with tenant_context(tenant_a), django_assert_max_num_queries(14):
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
