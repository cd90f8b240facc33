"""outcomes.stats against a hand-counted fixture for 2024/25 Q1 (April–June 2024).

Case 1 (North, family spider, higher better): start a3 b4 c5 = 12, a review, end a6 b4 c4 = 14 → +2 improving;
  per area a +3 (improved), b 0 (same), c −1 (worse).
Case 2 (North, spider): start a5 b5 c5, end a4 b5 with c missing → compared on a, b: 10 → 9, worsening.
Case 3 (South, child worry scale, LOWER better): start x3 y3 z3 = 9, end x1 y3 z2 = 6 → improving by 3.
Case 4 (South, spider): a start reading and no end; closed.
Case 5 (North, spider): start in Q1, end in Q2 (a pair of Q2); still open.
Cases 1–4 close in Q1.
"""

import pytest

from cases import services as case_services
from cases.tests.helpers import D, child, close, open_case, team_for
from earlyhelp.figures import Rate
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.stats import family_outcome_stats, performance_framework, reading_stats
from tests.factories import acting

from .helpers import reading, spider, worry

Q1 = Quarter(2024, 1)
Q2 = Quarter(2024, 2)


@pytest.fixture
def world(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    north = team_for(tenant_a, alice, "North")
    south = team_for(tenant_a, alice, "South")
    with tenant_context(tenant_a):
        sp, wo = spider(), worry()

        def case(team, first):
            return open_case(lead=alice, team=team, kid=child(first=first, last=f"{first}son"),
                             received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))

        c1, c2, c3, c4, c5 = (case(north, "Ann"), case(north, "Bob"), case(south, "Cy"), case(south, "Di"),
                              case(north, "Ed"))
        reading(c1, sp, "start", D(2024, 4, 20), a=3, b=4, c=5)
        reading(c1, sp, "review", D(2024, 5, 1), a=4, b=4, c=5)
        reading(c1, sp, "end", D(2024, 6, 10), a=6, b=4, c=4)
        reading(c2, sp, "start", D(2024, 4, 21), a=5, b=5, c=5)
        reading(c2, sp, "end", D(2024, 6, 11), a=4, b=5)
        kid3 = c3.children.get()
        reading(c3, wo, "start", D(2024, 4, 22), person=kid3, x=3, y=3, z=3)
        reading(c3, wo, "end", D(2024, 6, 12), person=kid3, x=1, y=3, z=2)
        reading(c4, sp, "start", D(2024, 4, 23), a=2, b=2, c=2)
        reading(c5, sp, "start", D(2024, 4, 24), a=1, b=1, c=1)
        reading(c5, sp, "end", D(2024, 7, 5), a=2, b=2, c=2)
        for c in (c1, c2, c3, c4):
            close(c, closed_on=D(2024, 6, 20))
    return {"north": north, "south": south, "spider": sp, "worry": wo, "cases": (c1, c2, c3, c4, c5)}


def test_readings_by_stage_and_closed_cases_with_a_start_and_an_end(tenant_a, world):
    with tenant_context(tenant_a):
        s = reading_stats(period=Q1)
    assert s.by_stage == {"start": 5, "review": 1, "end": 3}
    assert s.readings == 9
    assert s.cases_closed == 4
    assert s.closed_with_start_and_end == Rate(3, 4)


def test_direction_of_travel_is_direction_aware_and_compares_shared_areas(tenant_a, world):
    with tenant_context(tenant_a):
        s = reading_stats(period=Q1)
    assert s.improving == Rate(2, 3)
    assert (s.same, s.worse) == (0, 1)
    spider_row, worry_row = sorted(s.tools, key=lambda t: t.code)
    assert (spider_row.pairs, spider_row.improved, spider_row.same, spider_row.worse) == (2, 1, 0, 1)
    assert [(a.key, a.pairs, a.improved, a.same, a.worse, a.change_sum) for a in spider_row.areas] == [
        ("a", 2, 1, 0, 1, 2), ("b", 2, 0, 2, 0, 0), ("c", 1, 0, 0, 1, -1)]
    assert (worry_row.pairs, worry_row.improved) == (1, 1)
    assert [(a.key, a.improved, a.same, a.change_sum) for a in worry_row.areas] == [
        ("x", 1, 0, 2), ("y", 0, 1, 0), ("z", 1, 0, 1)]


def test_a_reliable_change_threshold_turns_small_moves_into_no_change(tenant_a, world):
    with tenant_context(tenant_a):
        s = reading_stats(period=Q1, threshold=3)
    assert s.improving == Rate(1, 3)
    assert (s.same, s.worse) == (2, 0)


def test_filters_by_team_tool_and_person_type(tenant_a, world):
    with tenant_context(tenant_a):
        north = reading_stats(period=Q1, team=world["north"])
        south = reading_stats(period=Q1, team=world["south"])
        worry_only = reading_stats(period=Q1, tool=world["worry"])
        families = reading_stats(period=Q1, subject="family")
    assert north.improving == Rate(1, 2) and north.closed_with_start_and_end == Rate(2, 2)
    assert south.improving == Rate(1, 1) and south.closed_with_start_and_end == Rate(1, 2)
    assert worry_only.by_stage == {"start": 1, "review": 0, "end": 1}
    assert worry_only.closed_with_start_and_end == Rate(1, 4)
    assert families.improving == Rate(1, 2)


def test_a_pair_counts_in_the_quarter_of_its_end_reading_small_base(tenant_a, world):
    with tenant_context(tenant_a):
        s = reading_stats(period=Q2)
    assert s.by_stage == {"start": 0, "review": 0, "end": 1}
    assert s.improving == Rate(1, 1)
    assert s.closed_with_start_and_end == Rate(0, 0)


def test_a_new_tool_version_compares_on_the_areas_both_readings_share(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        sp = spider()
        c = open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        first = reading(c, sp, "start", D(2024, 4, 10), a=5, b=5, c=5)
        v2 = services.tool_areas_revise(tool=sp, areas=[("a", "Area A"), ("b", "Area B"), ("c", "Area C"),
                                                        ("d", "Area D")], by=acting(role="tenant_admin"))
        last = reading(c, sp, "end", D(2024, 6, 1), a=5, b=5, c=4, d=10)
        s = reading_stats(period=Q1)
    assert (first.version.number, last.version_id, v2.number) == (1, v2.pk, 2)
    assert s.improving == Rate(0, 1) and s.worse == 1  # d (only in v2) does not count
    assert [a.key for a in s.tools[0].areas] == ["a", "b", "c"]


def test_family_outcomes_identified_and_improved(tenant_a, world):
    with tenant_context(tenant_a):
        from outcomes.models import FamilyOutcome

        services.family_outcomes_ensure(tenant=tenant_a)
        o = {x.code: x for x in FamilyOutcome.objects.all()}
        c1, c2, c3, _, _ = world["cases"]
        services.family_outcomes_record(case=c1, progress={o["parenting"]: "improved", o["housing"]: "no_change"},
                                        by=acting())
        services.family_outcomes_record(case=c2, progress={o["parenting"]: "worse", o["finance"]: None}, by=acting())
        services.family_outcomes_record(case=c3, progress={o["attendance"]: "improved"}, by=acting())
        s = family_outcome_stats(period=Q1)
        south = family_outcome_stats(period=Q1, team=world["south"])
    assert len(s.rows) == 18
    rows = {r.code: r for r in s.rows}
    assert (rows["parenting"].identified, rows["parenting"].improved, rows["parenting"].worse) == (2, 1, 1)
    assert (rows["housing"].identified, rows["housing"].no_change) == (1, 1)
    assert rows["finance"].identified == 0
    assert s.identified == 4 and s.improved == Rate(2, 4)
    assert s.closed_with_outcomes == Rate(3, 4)
    assert south.improved == Rate(1, 1) and south.closed_with_outcomes == Rate(1, 2)


def test_the_framework_combines_case_stats_and_outcomes(tenant_a, world):
    with tenant_context(tenant_a):
        case_services.feedback_record(case=world["cases"][0], received_on=D(2024, 6, 21), treated_with_respect=True,
                                      listened_to=True, helped_with_issues=False, by=acting())
        f = performance_framework(period=Q1)
    assert [s.key for s in f.sections] == ["how_much", "how_well", "better_off"]
    assert (f.measure("referrals").numerator, f.measure("referrals").base) == (5, None)
    assert f.measure("readings").numerator == 9
    assert f.measure("open_cases").numerator == 1
    assert (f.measure("closed_with_readings").numerator, f.measure("closed_with_readings").base) == (3, 4)
    assert (f.measure("improving_travel").numerator, f.measure("improving_travel").base) == (2, 3)
    assert (f.measure("helped").numerator, f.measure("helped").base) == (0, 1)
    assert (f.measure("outcomes_achieved").numerator, f.measure("outcomes_achieved").base) == (4, 4)
    assert all(m.definition for s in f.sections for m in s.measures)


def test_the_framework_takes_a_fixed_number_of_queries(tenant_a, world, member, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with tenant_context(tenant_a), CaptureQueriesContext(connection) as small:
        performance_framework(period=Q1)
    alice = member(tenant_a, Role.PRACTITIONER, username="alice2")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        for i in range(4):  # more cases, readings and closures: the same number of queries
            c = open_case(lead=alice, team=team, kid=child(first=f"Extra{i}"), received_on=D(2024, 4, 2),
                          opened_on=D(2024, 4, 5))
            reading(c, world["spider"], "start", D(2024, 4, 6), a=1, b=1, c=1)
            reading(c, world["spider"], "end", D(2024, 6, 6), a=2, b=2, c=2)
            close(c, closed_on=D(2024, 6, 7))
    with tenant_context(tenant_a), django_assert_num_queries(len(small.captured_queries)):
        f = performance_framework(period=Q1)
    assert f.measure("improving_travel").base == 7
    assert len(small.captured_queries) <= 30
